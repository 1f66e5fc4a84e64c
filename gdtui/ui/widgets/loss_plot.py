"""The loss per epoch as a plotext line, reduced to ~2 points per column, optionally log-scaled."""

from __future__ import annotations

import re

import numpy as np
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual_plotext import PlotextPlot

from gdtui.engine.raster import reduce_series

LINE_COLOR = (95, 175, 255)
MARK_COLOR = (255, 255, 95)


class LossPlot(PlotextPlot):
    """Call `replot()` with the history's losses; it never plots more points than columns allow."""

    DEFAULT_CSS = """
    LossPlot { width: 1fr; height: 1fr; min-height: 5; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.log_scale = False
        self._losses = np.zeros(0)
        self.marked_epoch: int | None = None
        self._picture: list[Text] | None = None
        self._picture_size = (0, 0)
        self._styles: dict = {}
        self._styles_for = None

    def replot(self, losses: np.ndarray, log_scale: bool, marked_epoch: int | None = None) -> None:
        """`losses[k]` is the loss of epoch k (row 0: at the initial weights); `marked_epoch`, if
        given, is marked instead of the last one (a rewound view)."""
        if (log_scale, marked_epoch) == (self.log_scale, self.marked_epoch) and np.array_equal(losses, self._losses):
            return  # the same picture: no redraw
        self._losses, self.log_scale, self.marked_epoch = losses, log_scale, marked_epoch
        self._repaint()

    def _repaint(self) -> None:
        """Draw the new picture, refreshing only the rows that changed (all of them after a resize)."""
        old = self._picture
        self._picture = None
        width, height = self.size
        if old is None or self._picture_size != (width, height) or not (width and height):
            self.refresh()
            return
        self._draw_picture()  # now, to redraw only the rows that changed
        if len(old) != len(self._picture):
            self.refresh()
            return
        changed = [y for y, (a, b) in enumerate(zip(old, self._picture)) if a != b]
        if changed:
            self.refresh(*(Region(0, y, width, 1) for y in changed))

    def render(self):
        self._give_plotext()
        return super().render()

    def _give_plotext(self) -> None:
        """Give plotext the picture: the reduced loss line, the marked epoch, axes and ticks."""
        plt = self.plt
        plt.clear_data()  # (data, lines and limits; every setting is given again below, so the
        # figure itself need not be rebuilt: clear_figure() would cost a sixth of the picture)
        plt.xlabel("epoch")
        plt.yscale("log" if self.log_scale else "linear")
        losses = self._losses
        last = len(losses) - 1
        ticks = sorted({int(round(t)) for t in np.linspace(min(1, last), max(last, 1), 5)})
        plt.xticks(ticks, [str(t) for t in ticks])
        if len(losses) > 1:
            xs, ys = reduce_series(losses[1:], max(self.size.width - 12, 8))
            plt.plot(xs.tolist(), ys.tolist(), color=LINE_COLOR, marker="braille")
            mark = last if self.marked_epoch is None else self.marked_epoch
            if self.marked_epoch is not None:
                plt.vline(max(mark, 1), color=MARK_COLOR)
            plt.scatter([float(max(mark, 1))], [float(losses[max(mark, 1)])], color=MARK_COLOR, marker="●")
        elif len(losses) == 1:
            plt.scatter([0.0], [float(losses[0])], color=MARK_COLOR, marker="●")

    # ---- the fast path: plotext's picture turned into strips directly -------------------------

    def render_line(self, y: int) -> Strip:
        """One row of what `render` draws. Textual would parse plotext's whole picture into rich
        text and then into its own content on every frame, which costs more than plotext itself;
        here the picture's colour codes are split off directly, each coloured run of a row becomes
        one segment, and its style is looked up per colour code (made once by Textual's own
        conversion of a one-cell text in that colour, so the result is the same)."""
        if self.text_selection is not None:  # a mouse selection: let Textual draw it as text
            return super().render_line(y)
        width, height = self.size
        if self._picture is None or self._picture_size != (width, height):
            self._draw_picture()
        if not 0 <= y < len(self._picture):
            return Strip.blank(width, self.visual_style.rich_style)
        base = self.visual_style
        if self._styles_for != base:
            self._styles, self._styles_for = {}, base
        segments, x = [], 0
        for text, codes in self._picture[y]:
            segments.append(Segment(text, self._cell_style(codes, base) + RichStyle.from_meta({"offset": (x, y)})))
            x += len(text)
        return Strip(segments, width).crop_extend(0, width, self.visual_style.rich_style)

    def _draw_picture(self) -> None:
        """plotext's picture as rows of (text, colour codes) runs: what `Text.from_ansi` makes of
        it (a span per coloured run, uncoloured runs joined), without building the text."""
        self._give_plotext()
        plot, (width, height) = self.plt, self.size
        plot.plotsize(width, height)  # as PlotextPlot.render prepares plotext
        plot._set_size(width, height)
        plot.theme(self._get_plotext_theme_name(self.app.theme))
        rows = []
        for line in plot.build().split("\n"):
            runs: list[tuple[str, tuple[str, ...]]] = []
            codes: tuple[str, ...] = ()
            position = 0
            for match in _SGR.finditer(line):
                if match.start() > position:
                    runs.append((line[position:match.start()], codes))
                params = match.group(1)
                if params in ("", "0"):
                    codes = ()
                elif params.startswith("0;"):
                    codes = (params[2:],)
                else:
                    codes = codes + (params,)
                position = match.end()
            if position < len(line):
                runs.append((line[position:], codes))
            joined: list[tuple[str, tuple[str, ...]]] = []
            for text, run_codes in runs:
                if joined and not run_codes and not joined[-1][1]:
                    joined[-1] = (joined[-1][0] + text, ())
                else:
                    joined.append((text, run_codes))
            rows.append(joined)
        self._picture = rows
        self._picture_size = (width, height)

    def _cell_style(self, codes: tuple[str, ...], base) -> RichStyle:
        """The Rich style Textual gives text under the colour `codes` on the widget's base style."""
        found = self._styles.get(codes)
        if found is None:
            sample = Text.from_ansi("".join(f"\x1b[{c}m" for c in codes) + "x")
            visual = visualize(self, sample)
            found = next(iter(Visual.to_strips(self, visual, 1, 1, base)[0])).style
            self._styles[codes] = found
        return found


_SGR = re.compile(r"\x1b\[([0-9;]*)m")
