"""The loss surface over two weights, the others held fixed: the lesson's "bowl" made visible.

A `Slice` names the two weights that vary, the values the others are held at and the window; a
`Surface` holds the loss at every cell centre of a grid over that window, computed in one
vectorised pass (in row chunks, so memory stays bounded for large data sets). `follow` decides
when a run's path needs a new window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .losses import Loss

PAIRS = ((1, 2), (0, 1), (0, 2))
"""Weight pairs the view cycles through: (w1, w2) first."""
BANDS = 10
CHUNK_CELLS = 4_000_000
"""Rows x grid cells evaluated at once: about 32 MB of logits."""
HELD_TOLERANCE = 0.005
"""A held weight that moves by more than this share of the window's span asks for a new surface."""


@dataclass(frozen=True)
class Window:
    """A rectangle of the plane of two weights, cut into width x height cells; row 0 at the top."""

    x_min: float
    x_max: float
    y_min: float
    y_max: float
    width: int
    height: int

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """x of each column's centre (width,) and y of each row's centre (height,), top row first."""
        xs = self.x_min + (np.arange(self.width) + 0.5) * (self.x_max - self.x_min) / self.width
        ys = self.y_max - (np.arange(self.height) + 0.5) * (self.y_max - self.y_min) / self.height
        return xs, ys

    def point(self, col: int, row: int) -> tuple[float, float] | None:
        """The centre of cell (col, row), row 0 at the top, as `centres` computes it (to the bit);
        None for a cell outside the window."""
        if not (0 <= col < self.width and 0 <= row < self.height):
            return None
        return (self.x_min + (col + 0.5) * (self.x_max - self.x_min) / self.width,
                self.y_max - (row + 0.5) * (self.y_max - self.y_min) / self.height)

    def holds(self, points: np.ndarray) -> bool:
        """Do all of the (k, 2) points lie inside?"""
        return bool(points[:, 0].min() >= self.x_min and points[:, 0].max() <= self.x_max
                    and points[:, 1].min() >= self.y_min and points[:, 1].max() <= self.y_max)


@dataclass(frozen=True)
class Slice:
    """Which weights vary, the weights the others are held at, and the window over the two."""

    axes: tuple[int, int]
    held: tuple[float, ...]
    """Every weight as held (the two of `axes` are replaced by the grid's values)."""
    window: Window
    """x is weight axes[0], y is weight axes[1]."""

    def weights(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(k, d) weight vectors with weight axes[0] = a, axes[1] = b and the others held."""
        w = np.tile(np.array(self.held), (len(a), 1))
        w[:, self.axes[0]] = a
        w[:, self.axes[1]] = b
        return w

    def weights_at(self, col: int, row: int) -> np.ndarray | None:
        """(d,) the weights at the centre of cell (col, row), whose loss the surface holds at
        `values[row, col]`: the two of `axes` from the window, the others held; None outside it."""
        point = self.window.point(col, row)
        if point is None:
            return None
        return self.weights(np.array([point[0]]), np.array([point[1]]))[0]

    @property
    def held_axes(self) -> tuple[int, ...]:
        return tuple(i for i in range(len(self.held)) if i not in self.axes)


def window(trajectory: np.ndarray, axes: tuple[int, int], width: int, height: int) -> Window:
    """A window that holds the whole trajectory (k, d) in the two axes, with room around it.

    Its edges are whole multiples of a round step (1, 2 or 5 times a power of ten), so that
    they read well and so that no point of the path sits on a cell edge by construction (a
    window computed from the path itself puts its extreme points on exact fractions of the
    width, where one rounding more or less moves them to the next cell)."""
    pts = trajectory[:, list(axes)]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, np.maximum(0.5, 0.25 * np.abs(pts[-1])))
    centre = (lo + hi) / 2
    edges = [rounded_out(c - 0.75 * s, c + 0.75 * s) for c, s in zip(centre.tolist(), span.tolist())]
    (x_min, x_max), (y_min, y_max) = edges
    return Window(x_min, x_max, y_min, y_max, max(width, 1), max(height, 1))


def rounded_out(low: float, high: float, steps: int = 10) -> tuple[float, float]:
    """[low, high] widened to multiples of the round step (1, 2 or 5 times a power of ten) nearest
    a `steps`-th of its span."""
    raw = max(high - low, 1e-12) / steps
    power = 10.0 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda s: abs(math.log(s / raw)))
    return math.floor(low / step) * step, math.ceil(high / step) * step


def follow(previous: Slice | None, path: np.ndarray, axes: tuple[int, int], width: int, height: int) -> Slice:
    """The slice to show for a run's `path` (k, d) whose last point is the current weights: the
    `previous` one while it still fits (the same pair and size, the whole path inside the window,
    the held weights within tolerance), else a new window around the path."""
    here = path[-1]
    held = tuple(here.tolist())
    if previous is not None and previous.axes == axes and (previous.window.width, previous.window.height) == (
            width, height):
        w = previous.window
        span = max(w.x_max - w.x_min, w.y_max - w.y_min)
        moved = max((abs(held[i] - previous.held[i]) for i in previous.held_axes), default=0.0)
        if w.holds(path[:, list(axes)]) and moved <= HELD_TOLERANCE * span:
            return previous
    return Slice(axes, held, window(path, axes, width, height))


@dataclass(frozen=True, eq=False)
class Surface:
    """Loss values over a slice: `values[r, c]` at the centre of cell (r, c), row 0 at the top."""

    slice: Slice
    values: np.ndarray

    def bands(self, levels: int = BANDS) -> np.ndarray:
        """(height, width) band index 0..levels-1: equal steps of log(loss) from the lowest cell to
        the highest, so the bands read like contour lines around the bowl."""
        v = np.log(np.maximum(self.values, 0) + 1e-12 * max(float(np.nanmax(self.values)), 1e-300))
        lo, hi = float(v.min()), float(v.max())
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
            return np.zeros(self.values.shape, dtype=np.int64)
        return np.minimum(((v - lo) / (hi - lo) * levels).astype(np.int64), levels - 1)


def losses_at(loss: Loss, X: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The printed loss of each of the (k, d) weight vectors over all rows of X."""
    total = np.zeros(len(weights))
    chunk = max(1, CHUNK_CELLS // max(len(weights), 1))
    with np.errstate(all="ignore"):
        for start in range(0, len(y), chunk):
            total += loss.summed(X[start:start + chunk] @ weights.T, y[start:start + chunk])
    return total


def loss_at(loss: Loss, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """The printed loss at one weight vector, evaluated as the surface evaluates its cells."""
    return float(losses_at(loss, X, y, np.asarray(w, dtype=np.float64)[None, :])[0])


def compute(loss: Loss, X: np.ndarray, y: np.ndarray, sl: Slice) -> Surface:
    """The loss at every cell centre of the slice's window."""
    a, b = np.meshgrid(*sl.window.centres())
    values = losses_at(loss, X, y, sl.weights(a.ravel(), b.ravel()))
    return Surface(sl, values.reshape(sl.window.height, sl.window.width))
