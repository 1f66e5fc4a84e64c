"""The loss surface over two weights as bands of colour, with the run's path drawn on it."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widget import Widget

from gdtui.engine import landscape

from .cells import grid_text

# low loss dark blue ... high loss red: colours of the xterm 256 cube, so SSH sessions see the same
BAND_BG = ("#00005f", "#000087", "#0000af", "#005faf", "#0087af", "#00af87", "#5faf00", "#afaf00", "#d78700",
           "#d70000")
EDGE_GLYPH = "·"
PATH_GLYPH, START_GLYPH, HERE_GLYPH = "•", "○", "◉"
PATH_INK, HERE_INK = "#ffffff", "#ffff5f"


class LandscapeView(Widget):
    """Draws a `landscape.Surface` and a path of weight vectors projected on its slice."""

    DEFAULT_CSS = """
    LandscapeView { width: 1fr; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.surface: landscape.Surface | None = None
        self.path = np.zeros((0, 3))
        """(k, 3) weights from the start to the epoch shown; the last is the current point."""

    def show(self, surface: landscape.Surface | None, path: np.ndarray) -> None:
        self.surface, self.path = surface, path
        self.refresh()

    def render(self) -> Text:
        surface = self.surface
        if surface is None:
            return Text("computing the loss surface…", style="dim")
        frame, axes = surface.slice.frame, surface.slice.axes
        bands = surface.bands(len(BAND_BG))
        edge = np.zeros(bands.shape, dtype=bool)
        edge[:, :-1] |= bands[:, :-1] != bands[:, 1:]
        edge[:-1, :] |= bands[:-1, :] != bands[1:, :]
        marks = np.zeros(bands.shape, dtype=np.int64)  # 0 none, 1 edge, 2 path, 3 start, 4 here
        marks[edge] = 1
        if len(self.path):
            points = self.path[:, list(axes)]
            inside = _inside(points, frame)
            cells = frame.cells(points)
            flat = marks.reshape(-1)
            flat[cells[inside]] = 2
            if inside[0]:
                flat[cells[0]] = 3
            if inside[-1]:
                flat[cells[-1]] = 4
        codes = bands + len(BAND_BG) * marks
        return grid_text(codes, _GLYPHS, _STYLES)


def _inside(points: np.ndarray, frame) -> np.ndarray:
    return ((points[:, 0] >= frame.x_min) & (points[:, 0] <= frame.x_max)
            & (points[:, 1] >= frame.y_min) & (points[:, 1] <= frame.y_max))


def _glyph(code: int) -> str:
    return (" ", EDGE_GLYPH, PATH_GLYPH, START_GLYPH, HERE_GLYPH)[code // len(BAND_BG)]


def _style(code: int) -> str:
    band, mark = code % len(BAND_BG), code // len(BAND_BG)
    ink = {0: "#ffffff", 1: "#8a8a8a", 2: PATH_INK, 3: PATH_INK, 4: HERE_INK}[mark]
    return ("bold " if mark >= 2 else "") + f"{ink} on {BAND_BG[band]}"


_CODES = range(5 * len(BAND_BG))
_GLYPHS = [_glyph(code) for code in _CODES]
_STYLES = [_style(code) for code in _CODES]
