"""Pure-NumPy geometry for drawing: points binned into character cells and long series reduced to
a few points per column (what the model predicts on the same grid is `gdtui.engine.decision`'s).

Row 0 of every grid is the TOP of the picture (largest y), so a grid can be printed as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdtui.engine.landscape import Window, rounded_out


@dataclass(frozen=True)
class Frame(Window):
    """The data window a grid of `width` x `height` cells shows (x right, y up; row 0 at the top)."""

    @classmethod
    def around(cls, points: np.ndarray, width: int, height: int, margin: float = 0.05) -> "Frame":
        """A window holding every point of (N, 2) `points` with a small margin, its edges widened
        to round steps (so that the axes read well)."""
        lo, hi = points.min(axis=0), points.max(axis=0)
        pad = np.maximum((hi - lo) * margin, 1e-9)
        (x_min, x_max), (y_min, y_max) = (rounded_out(a, b, steps=8) for a, b in zip((lo - pad).tolist(),
                                                                                      (hi + pad).tolist()))
        return cls(x_min, x_max, y_min, y_max, max(width, 1), max(height, 1))

    def cells(self, points: np.ndarray) -> np.ndarray:
        """Flat cell index (row * width + col) of each (N, 2) point."""
        col = ((points[:, 0] - self.x_min) / (self.x_max - self.x_min) * self.width).astype(np.int64)
        row = ((self.y_max - points[:, 1]) / (self.y_max - self.y_min) * self.height).astype(np.int64)
        np.clip(col, 0, self.width - 1, out=col)
        np.clip(row, 0, self.height - 1, out=row)
        return row * self.width + col


def class_counts(points: np.ndarray, labels: np.ndarray, frame: Frame, classes: int = 2) -> np.ndarray:
    """(classes, height, width) number of points of each class 0..classes-1 in each cell (bincount, no loops)."""
    cells = frame.cells(points) + labels.astype(np.int64) * (frame.width * frame.height)
    counts = np.bincount(cells, minlength=classes * frame.width * frame.height)
    return counts.reshape(classes, frame.height, frame.width)


def occupied(points: np.ndarray, frame: Frame) -> np.ndarray:
    """(height, width) True where at least one of `points` falls."""
    grid = np.zeros(frame.width * frame.height, dtype=bool)
    grid[frame.cells(points)] = True
    return grid.reshape(frame.height, frame.width)


def reduce_series(values: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) with at most ~2 points per column: the min and max of each column's bucket, in order.

    x is 1-based epoch numbers. Short series come back whole.
    """
    n = len(values)
    x = np.arange(1, n + 1, dtype=np.float64)
    if n <= 2 * columns:
        return x, np.asarray(values, dtype=np.float64)
    edges = np.linspace(0, n, columns + 1).astype(np.int64)
    lows = np.minimum.reduceat(values, edges[:-1])
    highs = np.maximum.reduceat(values, edges[:-1])
    centre = (x[edges[:-1]] + x[edges[1:] - 1]) / 2
    xs = np.repeat(centre, 2)
    ys = np.empty(2 * columns)
    ys[0::2], ys[1::2] = highs, lows
    # the last point is always the current value, so the line ends where the run is
    xs[-1], ys[-1] = x[-1], values[-1]
    return xs, ys
