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
_minimum, _maximum, _negative, _greater, _less, _equal = (np.minimum, np.maximum, np.negative, np.greater, np.less,
                                                       np.equal)


class Workspace:
    """Scratch vectors for batches of up to `rows` rows, so a step allocates almost nothing.

    After `Loss.evaluate`, `correct` holds how many rows the weights classified right (`count_right`).
    """

    def __init__(self, rows: int, width: int = 3) -> None:
        self.rows = rows
        size = max(1, min(rows, BLOCK_ROWS))
        self.t = np.empty(size)
        self.p = np.empty(size)
        self.e = np.empty(size)
        self.a = np.empty(size)
        self.hit = np.empty(size, dtype=bool)
        self.truth = np.empty(size, dtype=bool)
        self.negated = np.empty(width)
        self.part = np.empty(width)
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
    """The sse loss over rows X (n, d), y (n,) at weights -`negated_w`; the update direction is
    written into `direction` (d,). t, p, e are (n,) scratch vectors; p ends as the sigmoid."""
    _dot(X, negated_w, t)  # t = -z
    return sse_from_negated_logits(X, y, t, p, e, direction)


def sse_from_negated_logits(X, y, t, p, e, direction):
    """`sse_rows` once t = -z is known (t is overwritten)."""
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
    return bce_from_negated_logits(X, y, t, p, e, a, direction)


def bce_from_negated_logits(X, y, t, p, e, a, direction):
    """`bce_rows` once t = -z is known (t is overwritten)."""
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
        """Loss at `w` and the update direction, for rows X (n, d), labels y (n,), weights w (d,).
        Also counts the rows classified right into `work.correct`."""
        direction = np.empty(w.shape)
        _negative(w, work.negated)
        loss = self.kernel(X, y, work.negated, work, direction, count=True)
        return float(loss), direction

    def kernel(self, X: np.ndarray, y: np.ndarray, negated_w: np.ndarray, work: Workspace,
               direction: np.ndarray, count: bool = False):
        """The loss at weights -`negated_w`, the direction written into `direction`; with `count`,
        the rows classified right into `work.correct`. Long batches go block by block."""
        n = len(y)
        if n <= BLOCK_ROWS:
            return self.rows(X, y, negated_w, work, n, direction, count)
        loss = 0.0
        correct = 0
        part = work.part
        for start in range(0, n, BLOCK_ROWS):
            stop = min(n, start + BLOCK_ROWS)
            loss += self.rows(X[start:stop], y[start:stop], negated_w, work, stop - start,
                              direction if start == 0 else part, count)
            if start:
                _add(direction, part, direction)
            correct += work.correct
        work.correct = correct
        return loss

    def rows(self, X, y, negated_w, work: Workspace, n: int, direction, count: bool = False):
        """One block of at most BLOCK_ROWS rows (see `sse_rows`, `bce_rows`)."""
        if n == len(work.t):
            t, p, e, a = work.t, work.p, work.e, work.a
        else:
            t, p, e, a = work.t[:n], work.p[:n], work.e[:n], work.a[:n]
        _dot(X, negated_w, t)  # t = -z
        if count:
            work.correct = count_right(t, y, work.hit[:n], work.truth[:n])
        if self.name == "sse":
            return sse_from_negated_logits(X, y, t, p, e, direction)
        return bce_from_negated_logits(X, y, t, p, e, a, direction)

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


def count_right(t: np.ndarray, y: np.ndarray, hit: np.ndarray, truth: np.ndarray):
    """Rows classified right, from their NEGATED logits t = -z: class 1 is z > 0 (sigmoid > 0.5).
    The one counting rule of gdtui. t is (n,), or (n, E) for E weight vectors at once (then the
    count per column comes back); hit is a boolean scratch array of t's shape, truth one of y's."""
    _less(t, _ZERO, hit)
    _greater(y, _HALF, truth)
    _equal(hit, truth if t.ndim == 1 else truth[:, None], hit)
    return int(np.count_nonzero(hit)) if t.ndim == 1 else np.count_nonzero(hit, axis=0)
