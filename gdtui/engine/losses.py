"""Loss values and update directions of one sigmoid unit, p = sigmoid(X @ w).

`sse`  loss = sum((p - y)^2), the lesson's printed loss. Its update direction
       X^T((p - y) * p * (1 - p)) is the exact gradient of ½·SSE, i.e. half the gradient of
       the printed value: the lesson's factor 2 is absorbed into alpha.
`bce`  loss = sum(softplus(z) - y*z), summed binary cross-entropy written on the logits z so
       that it never takes log(0); its gradient is exactly X^T(p - y).

How the arithmetic is laid out, for speed (the values are those of the formulas above, to the bit):
- every vector lives in a preallocated `Workspace` and every ufunc writes with `out=`, so a step
  allocates almost nothing; small batches are bound by the ~0.3-1 µs each NumPy call costs, so the
  kernels below make as few calls as the formulas allow;
- the kernels take the NEGATED weights: X @ (-w) is exactly -(X @ w) (negation commutes with
  rounding), which is the -z the sigmoid needs, and saves one call per evaluation;
- logits are clipped to ±700 (exp() is 10-100x slower beyond, and the sigmoid is already 0 or 1);
  where most logits of a long batch saturate the sigmoid (the lesson's alpha on large data does
  that), exp() is taken only for the others: the saturated rows' values are known exactly;
- a batch of more than `BLOCK_ROWS` rows is evaluated block by block, so that every intermediate
  vector stays in the CPU cache; the blocks' sums are added in a fixed order, so the result does
  not depend on the machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LOGIT_CLIP = 700.0
"""Logits beyond ±700 are clipped: exp() is then 10-100x slower and the sigmoid is already 0 or 1."""
BLOCK_ROWS = 16_384
"""Batches longer than this are evaluated in blocks of this many rows (about 130 KB per vector)."""
SATURATION_ROWS = 4096
"""From this many rows on, the sigmoid skips exp() where the logits saturate it, if most do."""

# 0-d arrays: as ufunc operands they cost less per call than Python floats, with the same values
_ONE = np.array(1.0)
_ZERO = np.array(0.0)
_HALF = np.array(0.5)
_LOW = np.array(-LOGIT_CLIP)
_HIGH = np.array(LOGIT_CLIP)
_SATURATED = np.array(-37.0)
"""exp(-37) < 2**-53: for -z <= -37, 1 + exp(-z) rounds to exactly 1 and the sigmoid is exactly 1."""
_P_HIGH = np.divide(_ONE, np.add(np.exp(_HIGH), _ONE))
"""The sigmoid at a logit clipped to -700, computed as the kernels compute it."""
_SATURATED_P = np.array([1.0, float(_P_HIGH)])

_dot, _exp, _add, _subtract, _multiply, _divide = np.dot, np.exp, np.add, np.subtract, np.multiply, np.divide
_minimum, _maximum, _negative, _greater, _equal = np.minimum, np.maximum, np.negative, np.greater, np.equal


class Workspace:
    """Scratch vectors for batches of up to `rows` rows, so a step allocates almost nothing.

    After `Loss.evaluate`, `correct` holds how many rows sigmoid(X @ w) > 0.5 classified right.
    """

    def __init__(self, rows: int) -> None:
        self.rows = rows
        size = max(1, min(rows, BLOCK_ROWS))
        self.t = np.empty(size)
        self.p = np.empty(size)
        self.e = np.empty(size)
        self.a = np.empty(size)
        self.hit = np.empty(size, dtype=bool)
        self.truth = np.empty(size, dtype=bool)
        self.negated = np.empty(3)
        self.part = np.empty(3)
        self.correct = 0


def sigmoid(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) into `out`, the lesson's formula, with logits clipped to ±LOGIT_CLIP."""
    _negative(z, out=out)
    _minimum(out, _HIGH, out=out)  # clipping -z to ±700 is clipping z, negated: both are exact
    _maximum(out, _LOW, out=out)
    _exp(out, out)
    _add(out, _ONE, out)
    return _divide(_ONE, out, out)


def sigmoid_of_negated(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """p = 1 / (1 + exp(t)) for t = -z, with t clipped to ±LOGIT_CLIP (t may be overwritten).

    On long vectors whose logits mostly saturate the sigmoid, exp() (the costliest step by far)
    is taken only where it matters, and the result is still exactly the formula's: where t >= 700
    the clip makes p the constant 1 / (1 + e^700), and where t <= -37, exp(t) < 2**-53 so that
    1 + exp(t) rounds to exactly 1 and p is exactly 1. Other rows (NaN too) take the formula.
    """
    if len(t) >= SATURATION_ROWS:
        sample = t[::64]
        if np.count_nonzero((sample >= _HIGH) | (sample <= _SATURATED)) > 0.75 * len(sample):
            high = np.greater_equal(t, _HIGH)
            np.take(_SATURATED_P, high.view(np.uint8), out=p)  # 1, or the constant where t >= 700
            low = np.less_equal(t, _SATURATED)
            np.logical_or(high, low, out=low)
            rows = np.flatnonzero(np.logical_not(low, out=low))
            u = t[rows]  # all within (-37, 700) or NaN: the clip would change nothing
            _exp(u, u)
            _add(u, _ONE, u)
            _divide(_ONE, u, u)
            p[rows] = u
            return p
    _minimum(t, _HIGH, out=t)
    _maximum(t, _LOW, out=t)
    _exp(t, t)
    _add(t, _ONE, t)
    return _divide(_ONE, t, p)


def sse_rows(X, y, negated_w, t, p, e, direction):
    """The sse loss over rows X (n, 3), y (n,) at weights -`negated_w`; the update direction is
    written into `direction` (3,). t, p, e are (n,) scratch vectors; p ends as the sigmoid."""
    _dot(X, negated_w, t)  # t = -z
    sigmoid_of_negated(t, p)
    _subtract(p, y, e)
    loss = _dot(e, e)
    _subtract(_ONE, p, t)  # t is free now: (1 - p) * p * e
    _multiply(t, p, t)
    _multiply(t, e, t)
    _dot(t, X, direction)
    return loss


def bce_rows(X, y, negated_w, t, p, e, a, direction):
    """As `sse_rows` for the summed binary cross-entropy; needs one more scratch vector `a`."""
    _dot(X, negated_w, t)  # t = -z
    _minimum(t, _HIGH, out=p)
    _maximum(p, _LOW, out=p)
    _exp(p, p)
    _add(p, _ONE, p)
    _divide(_ONE, p, p)
    # -[y log p + (1-y) log(1-p)] = log(1 + e^z) - y z = max(z, 0) - y z + log1p(e^-|z|), summed per
    # row: two separate sums (of log(1 + e^z) and of y z) would cancel and lose the small losses.
    _negative(t, e)  # e = z
    _maximum(e, _ZERO, out=a)
    _multiply(y, e, e)
    _subtract(a, e, a)
    np.absolute(t, t)
    _negative(t, t)
    _exp(t, t)
    np.log1p(t, t)
    _add(a, t, a)
    loss = np.add.reduce(a)
    _subtract(p, y, e)
    _dot(e, X, direction)
    return loss


@dataclass(frozen=True)
class Loss:
    """A loss: its name, what it says on screen, and how its update direction relates to it."""

    name: str
    formula: str
    """The printed loss, as a formula."""
    direction_formula: str
    """The update direction the trainer uses, as a formula."""
    gradient_factor: float
    """d(printed loss)/dw = gradient_factor * direction."""

    def evaluate(self, X: np.ndarray, y: np.ndarray, w: np.ndarray, work: Workspace) -> tuple[float, np.ndarray]:
        """Loss at `w` and the update direction, for rows X (n, 3), labels y (n,), weights w (3,).
        Also counts the rows classified right into `work.correct`."""
        direction = np.empty(3)
        _negative(w, work.negated)
        loss = self.kernel(X, y, work.negated, work, direction, count=True)
        return float(loss), direction

    def kernel(self, X: np.ndarray, y: np.ndarray, negated_w: np.ndarray, work: Workspace,
               direction: np.ndarray, count: bool = False):
        """The loss at weights -`negated_w`, the direction written into `direction`; with `count`,
        the rows classified right into `work.correct`. Long batches go block by block."""
        n = len(y)
        rows = self.rows
        if n <= BLOCK_ROWS:
            loss = rows(X, y, negated_w, work, n, direction)
            if count:
                work.correct = _count_correct(work.p[:n], y, work, n)
            return loss
        loss = 0.0
        correct = 0
        part = work.part
        for start in range(0, n, BLOCK_ROWS):
            stop = min(n, start + BLOCK_ROWS)
            yb = y[start:stop]
            loss += rows(X[start:stop], yb, negated_w, work, stop - start, direction if start == 0 else part)
            if start:
                _add(direction, part, direction)
            if count:
                correct += _count_correct(work.p[: stop - start], yb, work, stop - start)
        work.correct = correct
        return loss

    def rows(self, X, y, negated_w, work: Workspace, n: int, direction):
        """One block of at most BLOCK_ROWS rows (see `sse_rows`, `bce_rows`)."""
        if n == len(work.t):
            t, p, e, a = work.t, work.p, work.e, work.a
        else:
            t, p, e, a = work.t[:n], work.p[:n], work.e[:n], work.a[:n]
        if self.name == "sse":
            return sse_rows(X, y, negated_w, t, p, e, direction)
        return bce_rows(X, y, negated_w, t, p, e, a, direction)

    def value(self, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
        """The printed loss at `w` (allocates; for checks and displays, not the hot loop)."""
        return float(self.summed(X @ w, y))

    def summed(self, z: np.ndarray, y: np.ndarray) -> np.ndarray | float:
        """The printed loss from logits z: (n,) -> a number, or (n, k) -> (k,) losses of k weight
        vectors at once (the loss landscape evaluates a whole grid this way)."""
        y = y.reshape((-1,) + (1,) * (z.ndim - 1))
        if self.name == "sse":
            e = 1.0 / (1.0 + np.exp(-np.clip(z, -LOGIT_CLIP, LOGIT_CLIP))) - y
            return np.sum(e * e, axis=0)
        return np.sum(np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z))), axis=0)


LOSSES: dict[str, Loss] = {
    "sse": Loss("sse", "sum((p - y)^2)", "X^T((p - y) p (1 - p))", 2.0),
    "bce": Loss("bce", "sum(-y log p - (1 - y) log(1 - p))", "X^T(p - y)", 1.0),
}


@dataclass(frozen=True)
class GradientCheck:
    """The update direction beside a centred finite difference of the printed loss."""

    direction: tuple[float, float, float]
    """What the trainer steps along (before the optimizer)."""
    analytic: tuple[float, float, float]
    """gradient_factor * direction: the analytic gradient of the printed loss."""
    numeric: tuple[float, float, float]
    """(L(w + h e_i) - L(w - h e_i)) / 2h."""
    relative_error: tuple[float, float, float]
    """|analytic - numeric| per component, relative to the largest component of either gradient
    (a per-component ratio would flag a correct gradient whose component is nearly zero)."""
    factor: float

    @property
    def max_error(self) -> float:
        return max(self.relative_error)


def gradient_check(loss: Loss, X: np.ndarray, y: np.ndarray, w: np.ndarray, h: float = 1e-6) -> GradientCheck:
    """Compare the analytic gradient with a centred finite difference of the printed loss."""
    w = np.asarray(w, dtype=np.float64)
    _, direction = loss.evaluate(X, y, w, Workspace(len(y)))
    return compare_gradients(direction, loss.gradient_factor, numeric_gradient(lambda v: exact_value(loss, X, y, v), w, h))


def compare_gradients(direction: np.ndarray, factor: float, numeric: np.ndarray) -> GradientCheck:
    """The check of `direction` (whose printed-loss gradient is factor * direction) against `numeric`."""
    analytic = factor * np.asarray(direction, dtype=np.float64)
    scale = max(np.abs(analytic).max(), np.abs(numeric).max(), 1e-12)
    error = np.abs(analytic - numeric) / scale
    return GradientCheck(tuple(np.asarray(direction, dtype=np.float64).tolist()), tuple(analytic.tolist()),
                         tuple(np.asarray(numeric, dtype=np.float64).tolist()), tuple(error.tolist()), factor)


def numeric_gradient(value, w: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """(value(w + h e_i) - value(w - h e_i)) / 2h for every component i of `w`."""
    w = np.asarray(w, dtype=np.float64)
    numeric = np.empty(w.shape)
    for i in np.ndindex(w.shape):
        step = np.zeros(w.shape)
        step[i] = h
        numeric[i] = (value(w + step) - value(w - step)) / (2 * h)
    return numeric


def exact_value(loss: Loss, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """The printed loss at `w` with as little machine-dependent rounding as NumPy allows: the logits
    as elementwise products added column by column (no BLAS, whose summation order varies with
    the CPU), the rows' terms added exactly (`math.fsum`). A finite difference divides rounding
    by 2h, so the check's last digits would otherwise differ from one CPU to the next."""
    z = X[:, 0] * w[0]
    for j in range(1, X.shape[1]):
        z = z + X[:, j] * w[j]
    if loss.name == "sse":
        e = 1.0 / (1.0 + np.exp(-np.clip(z, -LOGIT_CLIP, LOGIT_CLIP))) - y
        terms = e * e
    else:
        terms = np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))
    return math.fsum(terms.tolist())


def _count_correct(p: np.ndarray, y: np.ndarray, work: Workspace, n: int) -> int:
    hit, truth = work.hit[:n], work.truth[:n]
    _greater(p, _HALF, hit)
    _greater(y, _HALF, truth)
    _equal(hit, truth, hit)
    return int(np.count_nonzero(hit))


def predicted_right(X: np.ndarray, y: np.ndarray, negated_w: np.ndarray, work: Workspace) -> int:
    """Rows that sigmoid(X @ w) > 0.5 classifies right, w = -`negated_w`, with exactly the
    arithmetic of the kernels (so that it agrees with the count `Loss.evaluate` makes)."""
    n = len(y)
    correct = 0
    for start in range(0, n, BLOCK_ROWS):
        stop = min(n, start + BLOCK_ROWS)
        t, p = work.t[: stop - start], work.p[: stop - start]
        _dot(X[start:stop], negated_w, t)
        sigmoid_of_negated(t, p)
        correct += _count_correct(p, y[start:stop], work, stop - start)
    return correct
