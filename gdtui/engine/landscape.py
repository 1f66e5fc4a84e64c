"""The loss surface over two weights, the third held fixed: the lesson's "bowl" made visible.

A `Slice` names the two weights that vary, the value the third is held at and the window; a
`Surface` holds the loss at every cell centre of a grid over that window, computed in one
vectorised pass (in row chunks, so memory stays bounded for large data sets).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .losses import Loss
from .raster import Frame

PAIRS = ((1, 2), (0, 1), (0, 2))
"""Weight pairs the view cycles through: (w1, w2) first, as the issue asks."""
NAMES = ("w0", "w1", "w2")
BANDS = 10
CHUNK_CELLS = 4_000_000
"""Rows x grid cells evaluated at once: about 32 MB of logits."""


@dataclass(frozen=True)
class Slice:
    """Which weights vary, the value of the one held fixed, and the window over the two."""

    axes: tuple[int, int]
    held: float
    frame: Frame
    """x is weight axes[0], y is weight axes[1]."""

    @property
    def held_axis(self) -> int:
        return 3 - sum(self.axes)

    def weights(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(k, 3) weight vectors with weight axes[0] = a, axes[1] = b and the third held."""
        w = np.empty((len(a), 3))
        w[:, self.held_axis] = self.held
        w[:, self.axes[0]] = a
        w[:, self.axes[1]] = b
        return w

    def describe(self) -> str:
        (x, y), f = self.axes, self.frame
        return (f"{NAMES[x]}→[{f.x_min:.3g},{f.x_max:.3g}] {NAMES[y]}↑[{f.y_min:.3g},{f.y_max:.3g}] "
                f"{NAMES[self.held_axis]}={self.held:.3g}")


def window(trajectory: np.ndarray, axes: tuple[int, int], width: int, height: int) -> Frame:
    """A window that holds the whole trajectory (k, 3) in the two axes, with room around it.

    Its edges are whole multiples of a round step (1, 2 or 5 times a power of ten), so that
    they read well and so that no point of the path sits on a cell edge by construction (a
    window computed from the path itself puts its extreme points on exact fractions of the
    width, where one rounding more or less moves them to the next cell)."""
    pts = trajectory[:, list(axes)]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, np.maximum(0.5, 0.25 * np.abs(pts[-1])))
    centre = (lo + hi) / 2
    edges = [_rounded_out(c - 0.75 * s, c + 0.75 * s) for c, s in zip(centre.tolist(), span.tolist())]
    (x_min, x_max), (y_min, y_max) = edges
    return Frame(x_min, x_max, y_min, y_max, max(width, 1), max(height, 1))


def _rounded_out(low: float, high: float) -> tuple[float, float]:
    """[low, high] widened to multiples of the round step nearest a tenth of its span."""
    raw = (high - low) / 10
    power = 10.0 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda s: abs(math.log(s / raw)))
    return math.floor(low / step) * step, math.ceil(high / step) * step


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
    """The printed loss of each of the (k, 3) weight vectors over all rows of X."""
    total = np.zeros(len(weights))
    chunk = max(1, CHUNK_CELLS // max(len(weights), 1))
    with np.errstate(all="ignore"):
        for start in range(0, len(y), chunk):
            total += loss.summed(X[start:start + chunk] @ weights.T, y[start:start + chunk])
    return total


def compute(loss: Loss, X: np.ndarray, y: np.ndarray, sl: Slice) -> Surface:
    """The loss at every cell centre of the slice's window."""
    a, b = np.meshgrid(*sl.frame.centres())
    values = losses_at(loss, X, y, sl.weights(a.ravel(), b.ravel()))
    return Surface(sl, values.reshape(sl.frame.height, sl.frame.width))
