"""The loss plot: a chart (`gdtui.ui.charts`) drawn by plotext, shown as cells.

plotext builds its picture as text with colour escapes. The widget reads that text itself, one
coloured run per segment (plotext's "clear" theme leaves everything but the curves in the panel's
own colours), and redraws only the rows that changed; a chart equal to the last one costs nothing.
"""

from __future__ import annotations

import re

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual_plotext import Plot

from .titled import Titled

_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def parse_sgr(params: str, style: Style) -> Style:
    """The style after the escape `ESC [ params m`, from `style` before it (what plotext writes:
    resets, bold, and 24-bit foreground and background colours)."""
    codes = [int(c) for c in params.split(";") if c] or [0]
    k = 0
    while k < len(codes):
        code = codes[k]
        if code == 0:
            style = Style()
        elif code == 1:
            style += Style(bold=True)
        elif code in (38, 48) and k + 4 < len(codes) and codes[k + 1] == 2:
            color = Color.from_rgb(*codes[k + 2:k + 5])
            style += Style(color=color) if code == 38 else Style(bgcolor=color)
            k += 4
        k += 1
    return style


def picture_rows(built: str) -> list[list[tuple[str, Style]]]:
    """plotext's built text -> rows of (text, style) runs."""
    rows = []
    for line in built.split("\n"):
        runs: list[tuple[str, Style]] = []
        style, position = Style(), 0
        for match in _SGR.finditer(line):
            if match.start() > position:
                runs.append((line[position:match.start()], style))
            style = parse_sgr(match.group(1), style)
            position = match.end()
        if position < len(line):
            runs.append((line[position:], style))
        rows.append(runs)
    return rows


class LossPlot(Titled, Widget):
    """Call `show(chart)`; the picture is rebuilt only when the chart or the size changes."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    LossPlot { width: 1fr; height: 1fr; min-height: 5; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.chart = None
        self._figure = Plot()
        self._rows: list[list[tuple[str, Style]]] | None = None
        self._built_size = (0, 0)
        self._merged: dict[tuple[Style, Style], Style] = {}

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

    def _build(self) -> None:
        width, height = self.size
        plt = self._figure
        plt.clear_data()
        plt.plotsize(width, height)
        plt.theme("clear")
        plt.xlabel("epoch")
        if self.chart is not None:
            self.chart.draw(plt, width)
        self._rows = picture_rows(plt.build())
        self._built_size = (width, height)

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.visual_style.rich_style
        if self.chart is None:
            return Strip.blank(width, base)
        if self._rows is None or self._built_size != (width, height):
            self._build()
        if not 0 <= y < min(height, len(self._rows)):
            return Strip.blank(width, base)
        segments = [Segment(text, self._merge(base, style)) for text, style in self._rows[y]]
        return Strip(segments).crop_extend(0, width, base)

    def _merge(self, base: Style, style: Style) -> Style:
        found = self._merged.get((base, style))
        if found is None:
            found = self._merged[(base, style)] = base + style
        return found
