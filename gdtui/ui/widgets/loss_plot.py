"""The loss plot: a chart (`gdtui.ui.charts`) drawn by plotext through textual-plotext, shown as cells.

The widget keeps the picture plotext made as rows of segments and redraws only the rows that
changed; a chart equal to the last one costs nothing (in run mode most frames move a few cells).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual_plotext import PlotextPlot

from .. import panels
from ..charts import LossChart
from .titled import Titled


class LossPlot(Titled, PlotextPlot):
    """Call `show(chart)`; the picture is rebuilt only when the chart or the size changes."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    LossPlot { width: 1fr; height: 1fr; min-height: 5; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.chart = None
        self._rows: list[list[Segment]] | None = None
        self._built_size = (0, 0)
        self._merged: dict[tuple[Style, Style | None], Style] = {}

    def show(self, chart) -> None:
        if chart.same_as(self.chart):
            return
        self.chart = chart
        old, built = self._rows, self._built_size
        if old is None or built != tuple(self.size) or not all(self.size):
            self._rows = None
            self.refresh()
            return
        self._build()
        if len(old) != len(self._rows):
            self.refresh()
            return
        changed = [y for y, (a, b) in enumerate(zip(old, self._rows)) if a != b]
        if changed:
            self.refresh(*(Region(0, y, self.size.width, 1) for y in changed))

    def show_history(self, snap, history, log_scale: bool, viewing: int | None) -> None:
        """The solo run's loss per epoch, the epoch shown marked, and what a point is in the subtitle."""
        marked = snap.epoch if viewing is not None or len(history) > 1 else None
        self.set_titles(f"loss per epoch · {snap.loss_name}" + (" · log" if log_scale else ""),
                        panels.loss_subtitle(snap, None if marked is None else float(history.losses[marked]),
                                             self.outer_size.width - 6))
        self.show(LossChart(history.losses.copy(), log_scale, viewing))

    def _build(self) -> None:
        """The chart given to plotext, and plotext's picture (textual-plotext's own rendering of
        it, at the widget's size) kept as rows of segments."""
        plt = self.plt
        plt.clear_data()
        if self.chart is not None:
            self.chart.draw(plt, *self.size)
        picture = PlotextPlot.render(self)
        console = self.app.console
        self._rows = [list(line.render(console)) for line in picture.split("\n", allow_blank=True)]
        self._built_size = tuple(self.size)

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.visual_style.rich_style
        if self.chart is None:
            return Strip.blank(width, base)
        if self._rows is None or self._built_size != (width, height):
            self._build()
        if not 0 <= y < min(height, len(self._rows)):
            return Strip.blank(width, base)
        segments = [Segment(s.text, self._merge(base, s.style)) for s in self._rows[y] if s.text]
        return Strip(segments).crop_extend(0, width, base)

    def _merge(self, base: Style, style: Style | None) -> Style:
        found = self._merged.get((base, style))
        if found is None:
            found = self._merged[(base, style)] = base + style if style is not None else base
        return found
