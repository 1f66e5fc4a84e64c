"""One widget for every picture made of character cells: the scatter, the race's scatter and the
loss landscape. A picture says what code each cell has; the widget draws code c as glyph c in
style c, and redraws only the rows whose codes changed."""

from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ..messages import CellClicked
from .titled import Titled


class Picture(Protocol):
    """What a `CellGrid` draws."""

    glyphs: Sequence[str]
    """The glyph of each cell code."""
    styles: Sequence[str]
    """The Rich style (as text) of each cell code."""

    def codes(self, width: int, height: int) -> np.ndarray:
        """(height, width) small integer code of every cell."""


class CellGrid(Titled, Widget):
    """Draws a `Picture` at the widget's size."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    CellGrid { width: 1fr; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.picture: Picture | None = None
        self._codes: np.ndarray | None = None
        self._styles: dict[tuple, Style] = {}
        self._strips: dict[tuple[int, bytes], Strip] = {}

    def show(self, picture: Picture) -> None:
        """Draw `picture` (only the rows that differ from the last one are drawn again)."""
        self.picture = picture
        width, height = self.size
        if not (width and height):
            self._codes = None
            return
        old, self._codes = self._codes, picture.codes(width, height)
        if old is None or old.shape != self._codes.shape:
            self.refresh()
            return
        changed = np.flatnonzero((self._codes != old).any(axis=1)).tolist()
        if changed:
            self.refresh(*(Region(0, y, width, 1) for y in changed))

    def on_click(self, event: events.Click) -> None:
        """Say which cell was clicked (the screen decides what a click means)."""
        offset = event.get_content_offset(self)
        if offset is not None:
            self.post_message(CellClicked(offset.x, offset.y))

    def on_resize(self) -> None:
        if self.picture is not None:
            self.show(self.picture)

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.visual_style.rich_style
        if self.picture is None:
            return Strip.blank(width, base)
        if self._codes is None or self._codes.shape != (height, width):
            self._codes = self.picture.codes(width, height)
        if not 0 <= y < height:
            return Strip.blank(width, base)
        row = self._codes[y]
        key = (y, row.tobytes(), id(self.picture.styles), base)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 16 * max(height, 1):
                self._strips.clear()
            starts = np.flatnonzero(np.diff(row, prepend=-1)).tolist()
            ends = starts[1:] + [len(row)]
            glyphs, styles = self.picture.glyphs, self.picture.styles
            strip = Strip([Segment(glyphs[code] * (end - start), self._style(styles[code], base))
                           for start, end, code in zip(starts, ends, row[starts].tolist())], width)
            self._strips[key] = strip
        return strip

    def _style(self, text: str, base: Style) -> Style:
        found = self._styles.get((text, base))
        if found is None:
            found = self._styles[(text, base)] = base + Style.parse(text)
        return found
