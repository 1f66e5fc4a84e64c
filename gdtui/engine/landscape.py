"""The loss surface over two weights, the others held fixed: the lesson's "bowl" made visible.

The weights are taken flat, row by row (weight j of class row k is flat index k*d + j), so that a
slice spans any two of them, whatever the weights' shape. A `Slice` names the two weights that
vary, the values the others are held at, the window and the weights' shape; a `Surface` holds the
objective at every cell centre of a grid over that window, computed in one vectorised pass (in row
chunks, so memory stays bounded for large data sets): the printed data loss, plus the penalty the
update rule descends when one is set (never on the bias weights). `follow` decides when a run's
path needs a new window.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .losses import Loss
from .multiclass import ScoreLoss

BANDS = 10
CHUNK_CELLS = 4_000_000
"""Rows x grid cells evaluated at once for the lesson's losses: about 32 MB of logits."""
SCORE_CHUNK = 250_000
"""Rows x grid cells x class rows evaluated at once for the other losses: 2 MB per class's scores,
which stay in cache (1.4x faster than 4M for softmax, 2.5x for svm, measured)."""
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
    """Which two weights vary, the weights the others are held at, the window over the two, and
    the weights' shape (the flat index k*d + j of `axes` and `held` is weight j of row k)."""

    axes: tuple[int, int]
    held: tuple[float, ...]
    """Every weight as held, flat (the two of `axes` are replaced by the grid's values)."""
    window: Window
    """x is weight axes[0], y is weight axes[1]."""
    shape: tuple[int, ...] = ()
    """The weights' shape, (d,) or (K, d); () is one row of len(held)."""

    def weights(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(k, n) flat weight vectors with weight axes[0] = a, axes[1] = b and the others held."""
        w = np.tile(np.array(self.held), (len(a), 1))
        w[:, self.axes[0]] = a
        w[:, self.axes[1]] = b
        return w

    def weights_at(self, col: int, row: int) -> np.ndarray | None:
        """The weights (in their shape) at the centre of cell (col, row), whose value the surface
        holds at `values[row, col]`: the two of `axes` from the window, the others held; None
        outside it."""
        point = self.window.point(col, row)
        if point is None:
            return None
        return self.weights(np.array([point[0]]), np.array([point[1]]))[0].reshape(self.shape or (-1,))

    @property
    def held_axes(self) -> tuple[int, ...]:
        return tuple(i for i in range(len(self.held)) if i not in self.axes)


def default_pair(shape: tuple[int, ...]) -> tuple[int, int]:
    """The flat pair a landscape spans first: the first two weights that are not a bias (w1, w2
    for one row, w0.1, w0.2 for class rows), or (w0, w1) when one row has a single feature."""
    d = shape[-1]
    free = [i for i in range(math.prod(shape)) if i % d]
    return (free[0], free[1]) if len(free) >= 2 else (0, 1)


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
    """The slice to show for a run's `path` (k, *shape) whose last point is the current weights:
    the `previous` one while it still fits (the same pair, shape and size, the whole path inside
    the window, the held weights within tolerance), else a new window around the path."""
    shape = tuple(path.shape[1:])
    flat = path.reshape(len(path), -1)
    held = tuple(flat[-1].tolist())
    if previous is not None and previous.axes == axes and previous.shape == shape and (
            previous.window.width, previous.window.height) == (width, height):
        w = previous.window
        span = max(w.x_max - w.x_min, w.y_max - w.y_min)
        moved = max((abs(held[i] - previous.held[i]) for i in previous.held_axes), default=0.0)
        if w.holds(flat[:, list(axes)]) and moved <= HELD_TOLERANCE * span:
            return previous
    return Slice(axes, held, window(flat, axes, width, height), shape)


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


def penalty_factor(loss: Loss | ScoreLoss, penalty: str) -> float:
    """What the objective multiplies the penalty's value by: 0 without one, else the loss's
    `gradient_factor`, so that the penalty is in the printed loss's units (for sse the direction
    is the gradient of ½·SSE plus the penalty's, so the surface whose slope the rule follows is
    SSE + 2·penalty)."""
    return 0.0 if penalty == "none" else loss.gradient_factor


def objective_label(loss: Loss | ScoreLoss, penalty: str) -> str:
    """The objective written out: the loss's name, plus the penalty with its factor where that is
    not 1 (`bce`, `bce + l1`, `sse + 2·l2`)."""
    if penalty == "none":
        return loss.name
    factor = penalty_factor(loss, penalty)
    return f"{loss.name} + {penalty}" if factor == 1 else f"{loss.name} + {factor:g}·{penalty}"


def losses_at(loss: Loss | ScoreLoss, X: np.ndarray, y: np.ndarray, weights: np.ndarray, penalty: str = "none",
              lam: float = 0.0, every: int = 1) -> np.ndarray:
    """The objective at each of the (m, n) flat weight vectors (n = K*d for K class rows): the
    printed loss over all rows of X plus, with a penalty, its value times `penalty_factor`. With
    `every` > 1, the loss is estimated from every `every`-th row and scaled to all of them."""
    weights = np.asarray(weights, dtype=np.float64)
    sample_X, sample_y = X[::every], y[::every]
    if isinstance(loss, ScoreLoss):
        total = _score_losses(loss.name, sample_X, sample_y, weights)
    else:
        total = np.zeros(len(weights))
        chunk = max(1, CHUNK_CELLS // max(len(weights), 1))
        with np.errstate(all="ignore"):
            for start in range(0, len(sample_y), chunk):
                total += loss.summed(sample_X[start:start + chunk] @ weights.T, sample_y[start:start + chunk])
    if every > 1:
        total = total * (len(y) / len(sample_y))
    if penalty != "none":
        total = total + penalty_factor(loss, penalty) * _penalties(penalty, lam, weights, X.shape[1])
    return total


def _score_losses(name: str, X: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The losses of `gdtui.engine.multiclass` at each of the (m, K*d) flat weight vectors, all at
    once. For a chunk of rows, the scores of class k under every weight matrix are one (rows, m)
    array (one per class: reductions over a short last axis of K would be several times slower)."""
    m, d = len(weights), X.shape[1]
    K = weights.shape[1] // d
    per_class = weights.reshape(m, K, d)
    total = np.zeros(m)
    chunk = max(1, SCORE_CHUNK // max(m * K, 1))
    with np.errstate(all="ignore"):
        for start in range(0, len(y), chunk):
            rows_X, rows_y = X[start:start + chunk], y[start:start + chunk]
            S = [rows_X @ per_class[:, k, :].T for k in range(K)]
            if name == "hinge":
                t = (2.0 * rows_y - 1.0)[:, None]
                total += np.sum(np.maximum(1.0 - t * S[0], 0.0), axis=0)
                continue
            mine = [(rows_y == k)[:, None] for k in range(K)]
            own = S[0]  # the score of each row's own class, (rows, m)
            for k in range(1, K):
                own = np.where(mine[k], S[k], own)
            if name == "softmax":
                top = functools.reduce(np.maximum, S)
                spread = np.log(sum(np.exp(s - top) for s in S))
                total += np.sum(spread - (own - top), axis=0)
            else:  # svm: the margins of the other classes
                margins = (np.where(mine[k], 0.0, np.maximum(S[k] - own + 1.0, 0.0)) for k in range(K))
                total += np.sum(sum(margins), axis=0)
    return total


def _penalties(kind: str, lam: float, weights: np.ndarray, d: int) -> np.ndarray:
    """`gdtui.engine.penalties.value` of each of the (m, n) flat weight vectors (rows of d, the
    bias of each row free), all at once."""
    free = weights.reshape(len(weights), -1, d)[:, :, 1:]
    if kind == "l2":
        return lam / 2 * np.sum(free * free, axis=(1, 2))
    return lam * np.sum(np.abs(free), axis=(1, 2))


def loss_at(loss: Loss | ScoreLoss, X: np.ndarray, y: np.ndarray, w: np.ndarray, penalty: str = "none",
            lam: float = 0.0) -> float:
    """The objective at one set of weights (any shape), evaluated as the surface evaluates its cells."""
    return float(losses_at(loss, X, y, np.asarray(w, dtype=np.float64).reshape(1, -1), penalty, lam)[0])


def compute(loss: Loss | ScoreLoss, X: np.ndarray, y: np.ndarray, sl: Slice, penalty: str = "none", lam: float = 0.0,
            every: int = 1) -> Surface:
    """The objective at every cell centre of the slice's window (see `losses_at`)."""
    a, b = np.meshgrid(*sl.window.centres())
    values = losses_at(loss, X, y, sl.weights(a.ravel(), b.ravel()), penalty, lam, every)
    return Surface(sl, values.reshape(sl.window.height, sl.window.width))
