"""The cell pictures a `CellGrid` draws: the data with the boundary (solo and race) and the loss
landscape with the run's path. Each is an immutable value whose `codes(width, height)` gives every
cell a small integer; `glyphs[code]` and `styles[code]` say how it looks (see `gdtui.ui.theme`).

The points are binned once per size and split (`PointCells`); only the boundary and the
highlighted batch change from frame to frame. What the weights predict, each cell's class and the
cells the boundary crosses, comes from `gdtui.engine.decision`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdtui.engine import decision
from gdtui.engine.data import Dataset
from gdtui.engine.landscape import Surface

from . import raster
from . import theme


class PointCells:
    """The data binned into the cells of a grid, per split and size (computed once each)."""

    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.extent = raster.Frame.around(np.concatenate([data.train_points, data.test_points]), 1, 1)
        self._kinds: dict[tuple, np.ndarray] = {}

    def frame(self, width: int, height: int) -> raster.Frame:
        e = self.extent
        return raster.Frame(e.x_min, e.x_max, e.y_min, e.y_max, max(width, 1), max(height, 1))

    def points(self, split: str) -> np.ndarray:
        """(N, 2) the points of `split` in the data's own coordinates."""
        return self.data.train_points if split == "train" else self.data.test_points

    def kinds(self, split: str, frame: raster.Frame) -> np.ndarray:
        """(height, width) 0 empty, 1 + k the points of class k only, `theme.MIXED` several classes."""
        key = (split, frame.width, frame.height)
        if key not in self._kinds:
            data = self.data
            counts = raster.class_counts(self.points(split), data.y_train if split == "train" else data.y_test,
                                         frame, data.classes)
            present = counts > 0
            several = present.sum(axis=0)
            kinds = np.where(several > 1, theme.MIXED, 1 + present.argmax(axis=0))
            self._kinds[key] = np.where(several > 0, kinds, 0).astype(np.int8)
        return self._kinds[key]


# ---- the solo scatter -------------------------------------------------------------------------------
# code = kind (0-7, as theme.POINT_GLYPHS) + KIND * predicted class (0-5) + LINE * on the boundary
#        + MARKED * in the last batch + GHOST * ghost (0-3) + SELECTED * the point selected (the point inspector)

KIND = len(theme.POINT_GLYPHS)
LINE = KIND * len(theme.REGION_BG)
MARKED = 2 * LINE
GHOST = 2 * MARKED
SELECTED = 4 * GHOST


def _fields(code: int) -> tuple[int, int, int, int, int, int]:
    """kind, region, on the line, marked, ghost, selected of a scatter code."""
    return (code % KIND, code // KIND % len(theme.REGION_BG), code // LINE % 2, code // MARKED % 2,
            code // GHOST % 4, code // SELECTED)


def _scatter_glyph(code: int) -> str:
    kind, _, on_line, marked, ghost, selected = _fields(code)
    if selected:
        return theme.SELECTED_GLYPH
    if ghost:
        return theme.GHOST_GLYPH
    if marked:
        return theme.HIGHLIGHT_GLYPHS[kind]
    if on_line and kind == 0:
        return theme.BOUNDARY_GLYPH
    return theme.POINT_GLYPHS[kind]


def _scatter_style(code: int) -> str:
    kind, region, on_line, marked, ghost, selected = _fields(code)
    if selected:
        return theme.SELECTED_STYLE
    ink = theme.GHOST_INK[ghost - 1] if ghost else theme.BOUNDARY_INK if on_line else theme.POINT_INK[kind]
    style = f"{ink} on {theme.REGION_BG[region]}"
    if on_line or marked:
        style = "bold " + style
    if marked:
        style = "reverse " + style
    return style


SCATTER_GLYPHS = tuple(_scatter_glyph(code) for code in range(2 * SELECTED))
SCATTER_STYLES = tuple(_scatter_style(code) for code in range(2 * SELECTED))


@dataclass(frozen=True, eq=False)
class Scatter:
    """A split of the data, the regions the weights predict, their boundary, the rows of the batch
    just used (reversed), up to three ghost boundaries (the next-step preview) and the point
    the point inspector selected."""

    cells: PointCells
    split: str
    weights: tuple
    """One row (d,) or K rows (K, d), as `Snapshot.weights`."""
    highlight: np.ndarray | None = None
    """Training rows of the last mini-batch (train split only)."""
    ghosts: tuple = ()
    """Weights after the next step (or None), as `weights`."""
    selected: tuple[float, float] | None = None
    """(x1, x2) of the point selected, drawn as `theme.SELECTED_GLYPH`."""

    glyphs = SCATTER_GLYPHS
    styles = SCATTER_STYLES

    def codes(self, width: int, height: int) -> np.ndarray:
        frame = self.cells.frame(width, height)
        data = self.cells.data
        kinds = self.cells.kinds(self.split, frame)
        line = decision.edge_cells(data, self.weights, frame)
        marked = np.zeros_like(line)
        if self.highlight is not None and len(self.highlight) and self.split == "train":
            marked = raster.occupied(self.cells.points("train")[self.highlight], frame) & (kinds > 0)
        ghost = np.zeros(line.shape, dtype=np.int16)
        for index, w in reversed(list(enumerate(self.ghosts, start=1))):
            if w is not None:
                ghost[decision.edge_cells(data, w, frame)] = index
        ghost[line | (kinds > 0)] = 0
        codes = (kinds.astype(np.int16) + KIND * decision.cell_classes(data, self.weights, frame).astype(np.int16)
                 + LINE * line + MARKED * marked + GHOST * ghost).astype(np.int16)
        if self.selected is not None:
            codes.reshape(-1)[frame.cells(np.array([self.selected]))[0]] += SELECTED
        return codes


# ---- the race scatter ---------------------------------------------------------------------------------
# code = kind (0-7, as theme.POINT_GLYPHS) + KIND * mark, the mark an index into RACE_MARKS

RACE_MARKS = (None, *theme.LOOKS, "shared")
"""A cell's mark: nothing, a rule's boundary, or several boundaries."""


def _race_glyph(code: int) -> str:
    mark = RACE_MARKS[code // KIND]
    if mark is None:
        return theme.POINT_GLYPHS[code % KIND]
    return theme.SHARED.glyph if mark == "shared" else theme.LOOKS[mark].glyph


def _race_style(code: int) -> str:
    mark = RACE_MARKS[code // KIND]
    if mark is None:
        return theme.RACE_POINT_INK[code % KIND]
    return "bold " + (theme.SHARED.ink if mark == "shared" else theme.LOOKS[mark].ink)


RACE_GLYPHS = tuple(_race_glyph(code) for code in range(KIND * len(RACE_MARKS)))
RACE_STYLES = tuple(_race_style(code) for code in range(KIND * len(RACE_MARKS)))


@dataclass(frozen=True, eq=False)
class RaceScatter:
    """The training points, faint, and every racer's boundary (its class edges) in its rule's
    glyph; a cell that several boundaries cross shows `SHARED`'s glyph. No regions: each racer
    has its own."""

    cells: PointCells
    boundaries: tuple[tuple[str, tuple], ...]
    """(rule, weights) of each racer, the weights as `Scatter.weights`."""

    glyphs = RACE_GLYPHS
    styles = RACE_STYLES

    def codes(self, width: int, height: int) -> np.ndarray:
        frame = self.cells.frame(width, height)
        kinds = self.cells.kinds("train", frame)
        marks = np.zeros(kinds.shape, dtype=np.int16)
        shared = RACE_MARKS.index("shared")
        for rule, weights in self.boundaries:
            crossed = decision.edge_cells(self.cells.data, weights, frame)
            marks[crossed & (marks > 0)] = shared
            marks[crossed & (marks == 0)] = RACE_MARKS.index(rule)
        return kinds.astype(np.int16) + KIND * marks


# ---- the landscape ------------------------------------------------------------------------------------
# code = band (0-9) + 10 * mark: 0 none, 1 band edge, 2 path, 3 start, 4 here

_BANDS = len(theme.BAND_BG)


def _landscape_glyph(code: int) -> str:
    return (" ", theme.EDGE_GLYPH, theme.PATH_GLYPH, theme.START_GLYPH, theme.HERE_GLYPH)[code // _BANDS]


def _landscape_style(code: int) -> str:
    band, mark = code % _BANDS, code // _BANDS
    ink = {0: "#ffffff", 1: theme.EDGE_INK, 2: theme.PATH_INK, 3: theme.PATH_INK, 4: theme.HERE_INK}[mark]
    return ("bold " if mark >= 2 else "") + f"{ink} on {theme.BAND_BG[band]}"


LANDSCAPE_GLYPHS = tuple(_landscape_glyph(code) for code in range(5 * _BANDS))
LANDSCAPE_STYLES = tuple(_landscape_style(code) for code in range(5 * _BANDS))


@dataclass(frozen=True, eq=False)
class Landscape:
    """A loss surface as bands of colour with dotted band edges, and the run's path (k, d) on it,
    from its start to the current point (the last)."""

    surface: Surface
    path: np.ndarray

    glyphs = LANDSCAPE_GLYPHS
    styles = LANDSCAPE_STYLES

    def codes(self, width: int, height: int) -> np.ndarray:
        bands = self.surface.bands(_BANDS)
        edge = np.zeros(bands.shape, dtype=bool)
        edge[:, :-1] |= bands[:, :-1] != bands[:, 1:]
        edge[:-1, :] |= bands[:-1, :] != bands[1:, :]
        marks = np.zeros(bands.shape, dtype=np.int64)
        marks[edge] = 1
        window = self.surface.slice.window
        frame = raster.Frame(window.x_min, window.x_max, window.y_min, window.y_max, window.width, window.height)
        if len(self.path):
            points = self.path[:, list(self.surface.slice.axes)]
            inside = ((points[:, 0] >= frame.x_min) & (points[:, 0] <= frame.x_max)
                      & (points[:, 1] >= frame.y_min) & (points[:, 1] <= frame.y_max))
            cells = frame.cells(points)
            flat = marks.reshape(-1)
            flat[cells[inside]] = 2
            if inside[0]:
                flat[cells[0]] = 3
            if inside[-1]:
                flat[cells[-1]] = 4
        codes = bands + _BANDS * marks
        if codes.shape != (height, width):  # (a surface of another size, until the new one is ready)
            out = np.zeros((height, width), dtype=codes.dtype)
            h, w = min(height, codes.shape[0]), min(width, codes.shape[1])
            out[:h, :w] = codes[:h, :w]
            return out
        return codes
