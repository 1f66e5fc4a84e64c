"""Penalties on the weights, never on the bias weights (column 0 of every row).

`l2`  value lam/2 * sum(w^2); adds lam * w to the update direction (torch.optim's
      `weight_decay=lam` on the non-bias weights).
`l1`  value lam * sum(|w|); adds lam * sign(w) to the update direction (0 where w is 0).

The trainer records the data loss and the penalty apart (both measured at the weights in force
before each update, the mean over an epoch's mini-batches): the penalty changes the direction,
never the meaning of the logged loss.
"""

from __future__ import annotations

import numpy as np


def _free(w: np.ndarray) -> np.ndarray:
    """The weights a penalty acts on: every entry but the bias (column 0), (d - 1,) or (K, d - 1)."""
    return w[..., 1:]


def value(kind: str, lam: float, w: np.ndarray) -> float:
    """The penalty at weights `w` (0 for `none`)."""
    if kind == "none":
        return 0.0
    free = _free(w)
    if kind == "l2":
        return float(lam / 2 * np.sum(free * free))
    return float(lam * np.sum(np.abs(free)))


def gradient(kind: str, lam: float, w: np.ndarray) -> np.ndarray:
    """The penalty's gradient at `w` (the weights' shape; 0 in the bias column)."""
    out = np.zeros(w.shape)
    if kind == "l2":
        out[..., 1:] = lam * _free(w)
    elif kind == "l1":
        out[..., 1:] = lam * np.sign(_free(w))
    return out


def penalized(kind: str, lam: float, w: np.ndarray, direction: np.ndarray) -> tuple[float, np.ndarray]:
    """(the penalty at `w`, `direction` plus its gradient)."""
    return value(kind, lam, w), direction + gradient(kind, lam, w)
