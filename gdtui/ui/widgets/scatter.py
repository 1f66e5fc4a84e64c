"""The data as two classes of glyphs on a character grid, the predicted regions shaded and the
decision boundary drawn across them. The points are binned once per size and view; only the
boundary and the highlighted batch change from frame to frame."""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from gdtui.engine import raster

from .cells import grid_text

# glyph per cell content: empty, class 0 only, class 1 only, both classes
GLYPHS = (" ", "o", "x", "*")
HIGHLIGHT_GLYPHS = (" ", "O", "X", "#")
BOUNDARY_GLYPH = "•"
INK = ("#d7d7d7", "#5fafff", "#ffaf5f", "#d7d7d7")
REGION_BG = ("#00005f", "#5f0000")
BOUNDARY_INK = "#ffff5f"
GHOST_GLYPH = "∙"
GHOST_INK = ("#5fffff", "#5fff5f", "#ff5fff")
"""Preview boundaries for alpha/2, alpha and 2*alpha."""


class Scatter(Widget):
    """Train or test points of a `Dataset` with the boundary of the current weights."""

    DEFAULT_CSS = """
    Scatter { width: 1fr; height: 1fr; }
    """

    def __init__(self, data, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_data(data)
        self.view = "train"
        """Which split is drawn: `train` or `test`."""
        self.weights: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self.highlight: np.ndarray | None = None
        """Training rows of the current mini-batch, drawn bold (train view only)."""
        self.ghosts: tuple[tuple[float, float, float] | None, ...] = ()
        """Up to three weight vectors whose boundaries are drawn faintly (the next-step preview)."""
        self.cell_glyphs: list[str] = _GLYPHS
        """Glyph of each cell code (see `codes`); a subclass that codes cells its own way brings its own."""
        self.cell_styles: list[str] = _STYLES
        """Rich style of each cell code."""

    def set_data(self, data) -> None:
        """Draw another data set (the window is fitted to both of its splits)."""
        self._data = data
        every = np.concatenate([data.X_train[:, 1:], data.X_test[:, 1:]])
        self._extent = raster.Frame.around(every, 1, 1)
        self._cache: dict[tuple, np.ndarray] = {}
        self._codes: np.ndarray | None = None

    def show(self, weights: tuple[float, float, float], view: str, highlight: np.ndarray | None,
             ghosts: tuple[tuple[float, float, float] | None, ...] = ()) -> None:
        self.weights, self.view, self.highlight, self.ghosts = weights, view, highlight, ghosts
        if self.size.width and self.size.height:  # draw again only the rows in which a cell changed
            codes, old = self.codes(), self._codes
            self._codes = codes
            if old is not None and old.shape == codes.shape:
                changed = np.flatnonzero((codes != old).any(axis=1)).tolist()
                if changed:
                    self.refresh(*(Region(0, y, codes.shape[1], 1) for y in changed))
                return
        else:
            self._codes = None
        self.refresh()

    def grid_frame(self) -> raster.Frame:
        e = self._extent
        return raster.Frame(e.x_min, e.x_max, e.y_min, e.y_max, max(self.size.width, 1), max(self.size.height, 1))

    def _kinds(self, frame: raster.Frame) -> np.ndarray:
        key = (self.view, frame.width, frame.height)
        if key not in self._cache:
            data = self._data
            X, y = (data.X_train, data.y_train) if self.view == "train" else (data.X_test, data.y_test)
            counts = raster.class_counts(X[:, 1:], y, frame)
            self._cache[key] = (counts[0] > 0).astype(np.int8) + 2 * (counts[1] > 0)
        return self._cache[key]

    def render(self) -> Text:
        return grid_text(self.codes(), self.cell_glyphs, self.cell_styles)

    def codes(self) -> np.ndarray:
        """(height, width) code of every cell as drawn now: what it holds, the region it is in,
        the boundary, the highlighted batch and the preview's ghosts (see `_glyph`, `_style`)."""
        frame = self.grid_frame()
        kinds = self._kinds(frame)
        region = raster.predicted_region(self.weights, frame).astype(np.int8)
        line = raster.boundary_cells(self.weights, frame)
        marked = np.zeros_like(line)
        if self.highlight is not None and len(self.highlight) and self.view == "train":
            marked = raster.occupied(self._data.X_train[self.highlight, 1:], frame) & (kinds > 0)
        ghost = np.zeros(line.shape, dtype=np.int8)
        for index, w in reversed(list(enumerate(self.ghosts, start=1))):
            if w is not None:
                ghost[raster.boundary_cells(w, frame)] = index
        ghost[line | (kinds > 0)] = 0
        return kinds.astype(np.int16) + 4 * region + 8 * line + 16 * marked + 32 * ghost

    # ---- the fast path: rows drawn straight from the codes ------------------------------------

    def render_line(self, y: int) -> Strip:
        """One row of what `render` draws, built from ready-made segments.

        Textual would turn the whole grid's Rich text into strips on every frame, which costs
        more than the rest of a run-mode frame together; here each run of equal cells becomes one
        segment whose style is looked up per code (made once, by Textual's own conversion of a
        one-cell text, so the result is the same), and unchanged rows are reused.
        """
        if self.text_selection is not None:  # a mouse selection: let Textual draw it as text
            return super().render_line(y)
        width, height = self.size
        codes = self._codes
        if codes is None or codes.shape != (height, width):
            codes = self._codes = self.codes()
        if not 0 <= y < len(codes):
            return Strip.blank(width, self.visual_style.rich_style)
        base = self.visual_style
        if self._strip_key != (base, width):
            self._strip_key, self._strips = (base, width), {}
            self._segment_styles = {}
        row = codes[y]
        key = (y, row.tobytes())
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > 16 * max(height, 1):
                self._strips.clear()
            starts = np.flatnonzero(np.diff(row, prepend=-1)).tolist()
            ends = starts[1:] + [len(row)]
            values = row[starts].tolist()
            styles = self._segment_styles
            for code in set(values) - styles.keys():
                styles[code] = self._cell_style(code, base)
            strip = Strip([Segment(self.cell_glyphs[code] * (end - start),
                                   styles[code] + RichStyle.from_meta({"offset": (start, y)}))
                           for start, end, code in zip(starts, ends, values)], width)
            self._strips[key] = strip
        return strip

    _strip_key: tuple | None = None
    _strips: dict = {}
    _segment_styles: dict = {}

    def _cell_style(self, code: int, base) -> RichStyle:
        """The Rich style Textual gives a cell of `code` drawn on the widget's base style."""
        visual = visualize(self, Text(self.cell_glyphs[code], style=self.cell_styles[code]))
        strip = Visual.to_strips(self, visual, 1, 1, base)[0]
        return next(iter(strip)).style


def _glyph(code: int) -> str:
    kind, on_line, marked, ghost = code & 3, code & 8, code & 16, code >> 5
    if ghost:
        return GHOST_GLYPH
    if marked:
        return HIGHLIGHT_GLYPHS[kind]
    if on_line and kind == 0:
        return BOUNDARY_GLYPH
    return GLYPHS[kind]


def _style(code: int) -> str:
    kind, region, on_line, marked, ghost = code & 3, (code >> 2) & 1, code & 8, code & 16, code >> 5
    ink = GHOST_INK[ghost - 1] if ghost else BOUNDARY_INK if on_line else INK[kind]
    style = f"{ink} on {REGION_BG[region]}"
    if on_line or marked:
        style = "bold " + style
    if marked:
        style = "reverse " + style
    return style


_CODES = range(4 * 32)
_GLYPHS = [_glyph(code) for code in _CODES]
_STYLES = [_style(code) for code in _CODES]
