"""The gradient check: the update direction beside a centred finite difference of the printed loss.

The lesson's readers asked whether the gradient in the code is the gradient of the printed loss;
this answers it with numbers. The finite difference evaluates the loss its own way (not through
the training kernels), so it checks them rather than repeating them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .losses import LOGIT_CLIP, Loss, Workspace


@dataclass(frozen=True)
class GradientCheck:
    """The update direction beside a centred finite difference of the printed loss."""

    direction: tuple[float, ...]
    """What the trainer steps along (before the optimizer)."""
    analytic: tuple[float, ...]
    """gradient_factor * direction: the analytic gradient of the printed loss (flattened, as `direction`)."""
    numeric: tuple[float, ...]
    """(L(w + h e_i) - L(w - h e_i)) / 2h."""
    relative_error: tuple[float, ...]
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
    direction = np.asarray(direction, dtype=np.float64).ravel()  # (K rows: row by row)
    numeric = np.asarray(numeric, dtype=np.float64).ravel()
    analytic = factor * direction
    scale = max(np.abs(analytic).max(), np.abs(numeric).max(), 1e-12)
    error = np.abs(analytic - numeric) / scale
    return GradientCheck(tuple(direction.tolist()), tuple(analytic.tolist()), tuple(numeric.tolist()),
                         tuple(error.tolist()), factor)


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
    if loss.name not in ("sse", "bce"):  # (the score losses: plain formulas already, see `multiclass`)
        return loss.value(X, y, w)
    z = X[:, 0] * w[0]
    for j in range(1, X.shape[1]):
        z = z + X[:, j] * w[j]
    if loss.name == "sse":
        e = 1.0 / (1.0 + np.exp(-np.clip(z, -LOGIT_CLIP, LOGIT_CLIP))) - y
        terms = e * e
    else:
        terms = np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))
    return math.fsum(terms.tolist())
