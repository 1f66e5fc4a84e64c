"""Feature maps: the 2-D points -> the design matrix, the bias column first.

Each name is one column computed from a point (x1, x2):

| name   | column      |
|--------|-------------|
| `x1`   | x1          |
| `x2`   | x2          |
| `x1^2` | x1 * x1     |
| `x2^2` | x2 * x2     |
| `x1x2` | x1 * x2     |
| `sin1` | sin(x1)     |
| `sin2` | sin(x2)     |

The lesson's model is the features `x1,x2`: its rows (1, x1, x2) are built as they always were.
With `standardize`, every feature column is shifted by the training split's mean and divided by
its standard deviation (population, ddof 0; a constant column is only shifted), and the test
split gets the same numbers: the bias column stays 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LESSON = ("x1", "x2")

_COLUMNS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin1": lambda x1, x2: np.sin(x1),
    "sin2": lambda x1, x2: np.sin(x2),
}
"""How each feature column is computed from the point's coordinates."""


@dataclass(frozen=True, eq=False)
class Scaling:
    """The training split's statistics per feature column (not the bias)."""

    mean: np.ndarray
    """(d - 1,) mean of each feature column."""
    std: np.ndarray
    """(d - 1,) the divisor of each column: its standard deviation, or 1 where that is 0."""


def columns(points: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """(N, 2) points -> (N, 1 + len(features)) C-contiguous float64 rows (1, f1(x), f2(x), ...)."""
    out = np.empty((len(points), 1 + len(features)), dtype=np.float64)
    out[:, 0] = 1.0
    if tuple(features) == LESSON:
        out[:, 1:] = points
        return out
    x1, x2 = points[:, 0], points[:, 1]
    for k, name in enumerate(features, start=1):
        out[:, k] = _COLUMNS[name](x1, x2)
    return out


def scaling_of(X: np.ndarray) -> Scaling:
    """The statistics of the feature columns of a design matrix X (N, d)."""
    mean = X[:, 1:].mean(axis=0)
    std = X[:, 1:].std(axis=0)
    return Scaling(mean, np.where(std > 0, std, 1.0))


def scaled(X: np.ndarray, scaling: Scaling) -> np.ndarray:
    """X with its feature columns standardized by `scaling` (a new array; the bias stays 1)."""
    out = X.copy()
    out[:, 1:] -= scaling.mean
    out[:, 1:] /= scaling.std
    return out


def raw_weights(w: np.ndarray, scaling: Scaling) -> np.ndarray:
    """One row of weights on standardized columns (x − mean)/std, written on the raw columns:
    w0 − Σ w_j·mean_j/std_j, then w_j/std_j (the same score for every point)."""
    w = np.asarray(w, dtype=np.float64)
    scaled = w[1:] / scaling.std
    return np.concatenate([[w[0] - float(scaled @ scaling.mean)], scaled])
