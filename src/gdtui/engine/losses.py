"""Loss values and update directions of one sigmoid unit, p = sigmoid(X @ w).

`sse`  loss = sum((p - y)^2), the lesson's printed loss. Its update direction
       X^T((p - y) * p * (1 - p)) is the exact gradient of ½·SSE, i.e. half the gradient of
       the printed value: the lesson's factor 2 is absorbed into alpha.
`bce`  loss = sum(softplus(z) - y*z), summed binary cross-entropy written on the logits z so
       that it never takes log(0); its gradient is exactly X^T(p - y).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOGIT_CLIP = 700.0
"""Logits beyond ±700 are clipped: exp() is then 10-100x slower and the sigmoid is already 0 or 1."""


class Workspace:
    """Scratch vectors for one batch length, so a step allocates almost nothing."""

    def __init__(self, rows: int) -> None:
        self.z = np.empty(rows)
        self.p = np.empty(rows)
        self.e = np.empty(rows)


def sigmoid(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) into `out`, the lesson's formula, with logits clipped to ±LOGIT_CLIP."""
    np.clip(z, -LOGIT_CLIP, LOGIT_CLIP, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.divide(1.0, out, out=out)


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
        """Loss at `w` and the update direction, for rows X (n, 3), labels y (n,), weights w (3,)."""
        z, p, e = work.z[: len(y)], work.p[: len(y)], work.e[: len(y)]
        np.matmul(X, w, out=z)
        sigmoid(z, out=p)
        np.subtract(p, y, out=e)
        if self.name == "sse":
            loss = float(np.dot(e, e))
            np.subtract(1.0, p, out=z)  # z is free now: reuse it for p * (1 - p) * e
            z *= p
            z *= e
            return loss, z @ X
        loss = _summed_bce(z, y)
        return loss, e @ X

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


def _summed_bce(z: np.ndarray, y: np.ndarray) -> float:
    # -[y log p + (1-y) log(1-p)] = log(1 + e^z) - y z = max(z, 0) - y z + log1p(e^-|z|), summed per
    # row: two separate sums (of log(1 + e^z) and of y z) would cancel and lose the small losses.
    return float(np.sum(np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))))


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
    analytic = loss.gradient_factor * direction
    numeric = np.empty(3)
    for i in range(3):
        step = np.zeros(3)
        step[i] = h
        numeric[i] = (loss.value(X, y, w + step) - loss.value(X, y, w - step)) / (2 * h)
    scale = max(np.abs(analytic).max(), np.abs(numeric).max(), 1e-12)
    error = np.abs(analytic - numeric) / scale
    return GradientCheck(tuple(direction.tolist()), tuple(analytic.tolist()), tuple(numeric.tolist()),
                         tuple(error.tolist()), loss.gradient_factor)
