"""The gradient check: the update direction beside a centred finite difference of the printed loss.

The lesson's readers asked whether the gradient in the code is the gradient of the printed loss;
this answers it with numbers. The finite difference evaluates the loss its own way (not through
the training kernels), so it checks them rather than repeating them. With a penalty, the update
direction includes the penalty's gradient, so the check is of the objective the trainer descends:
the printed loss plus the penalty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import penalties
from .losses import LOGIT_CLIP, Loss, Workspace


@dataclass(frozen=True)
class GradientCheck:
    """The update direction beside a centred finite difference of the printed loss."""

    direction: tuple[float, ...]
    """What the trainer steps along (before the optimizer), flattened row by row (k*d + j)."""
    analytic: tuple[float, ...]
    """The analytic gradient of the printed loss (plus the penalty, if any): gradient_factor times
    the loss's part of `direction`, plus the penalty's gradient."""
    numeric: tuple[float, ...]
    """(J(w + h e_i) - J(w - h e_i)) / 2h, J the printed loss (plus the penalty, if any)."""
    relative_error: tuple[float, ...]
    """|analytic - numeric| per component, relative to the largest component of either gradient
    (a per-component ratio would flag a correct gradient whose component is nearly zero)."""
    factor: float
    shape: tuple[int, ...] = ()
    """The weights' shape: (d,) or (K, d)."""
    penalty: str = "none"
    lam: float = 0.0
    penalty_gradient: tuple[float, ...] = ()
    """The penalty's part of `direction` (empty without a penalty)."""

    @property
    def max_error(self) -> float:
        return max(self.relative_error)


def gradient_check(loss: Loss, X: np.ndarray, y: np.ndarray, w: np.ndarray, h: float = 1e-6,
                   penalty: str = "none", lam: float = 0.0) -> GradientCheck:
    """Compare the analytic gradient with a centred finite difference of the printed loss, plus
    the `penalty` with strength `lam` when one is set (the update direction then includes its gradient)."""
    w = np.asarray(w, dtype=np.float64)
    _, direction = loss.evaluate(X, y, w, Workspace(len(y), w.shape))
    if penalty == "none":
        return compare_gradients(direction, loss.gradient_factor,
                                 numeric_gradient(lambda v: exact_value(loss, X, y, v), w, h))
    numeric = numeric_gradient(lambda v: exact_value(loss, X, y, v) + penalties.value(penalty, lam, v), w, h)
    return compare_gradients(direction, loss.gradient_factor, numeric, penalty, lam,
                             penalties.gradient(penalty, lam, w))


def compare_gradients(direction: np.ndarray, factor: float, numeric: np.ndarray, penalty: str = "none",
                      lam: float = 0.0, penalty_gradient: np.ndarray | None = None) -> GradientCheck:
    """The check of the loss's `direction` (whose printed-loss gradient is factor * direction),
    plus `penalty_gradient` if a penalty is set, against `numeric`."""
    shape = np.shape(direction)
    direction = np.asarray(direction, dtype=np.float64).ravel()  # (K rows: row by row)
    numeric = np.asarray(numeric, dtype=np.float64).ravel()
    analytic = factor * direction
    extra: tuple[float, ...] = ()
    if penalty_gradient is not None:
        part = np.asarray(penalty_gradient, dtype=np.float64).ravel()
        analytic, direction, extra = analytic + part, direction + part, tuple(part.tolist())
    scale = max(np.abs(analytic).max(), np.abs(numeric).max(), 1e-12)
    error = np.abs(analytic - numeric) / scale
    return GradientCheck(tuple(direction.tolist()), tuple(analytic.tolist()), tuple(numeric.tolist()),
                         tuple(error.tolist()), factor, tuple(shape), penalty, float(lam), extra)


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
    (or class scores) as elementwise products added column by column (no BLAS, whose summation
    order varies with the CPU), the rows' terms added exactly (`math.fsum`). A finite difference
    divides rounding by 2h, so the check's last digits would otherwise differ from one CPU to the next."""
    w = np.asarray(w, dtype=np.float64)
    if w.ndim == 2:
        return math.fsum(_class_terms(loss.name, _products(X, w.T), y.astype(np.int64)).tolist())
    z = _products(X, w)
    if loss.name == "sse":
        e = 1.0 / (1.0 + np.exp(-np.clip(z, -LOGIT_CLIP, LOGIT_CLIP))) - y
        terms = e * e
    elif loss.name == "bce":
        terms = np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))
    else:  # hinge
        terms = np.maximum(1.0 - (2.0 * y - 1.0) * z, 0.0)
    return math.fsum(terms.tolist())


def _products(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """X @ w, (d,) or (d, K), as products added column by column in a fixed order."""
    out = X[:, 0, None] * w[0] if w.ndim == 2 else X[:, 0] * w[0]
    for j in range(1, X.shape[1]):
        out = out + (X[:, j, None] * w[j] if w.ndim == 2 else X[:, j] * w[j])
    return out


def _class_terms(name: str, S: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Each row's term of the softmax cross-entropy or the multi-class hinge, from its scores S (n, K)."""
    rows = np.arange(len(classes))
    own = S[rows, classes]
    if name == "softmax":
        top = S.max(axis=1)
        return np.log(np.exp(S - top[:, None]).sum(axis=1)) + top - own
    margins = np.maximum(S - own[:, None] + 1.0, 0.0)
    margins[rows, classes] = 0.0
    return margins.sum(axis=1)
