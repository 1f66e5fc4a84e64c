"""What the weights predict, and how often they are right: one definition for the whole program.

One weight row (d,): class 1 where the logit z = x·W is positive (sigmoid(z) > 0.5). K weight rows
(K, d): the class of the largest score x·W_k (the first on a tie). Every accuracy gdtui shows or
writes (the status line, the history, the CSV, the race table, breakpoints) is counted here, with
`losses.count_right`, the rule the training kernels count with while they train.
"""

from __future__ import annotations

import numpy as np

from .losses import BLOCK_ROWS, count_right

BULK_VALUES = 1 << 20
"""Logits held at once when many weight vectors are measured together (rows x vectors)."""


def predict(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The class of every row of X (n, d) under weights w (d,) or (K, d)."""
    with np.errstate(all="ignore"):
        if np.ndim(w) == 2:
            return np.argmax(X @ np.asarray(w).T, axis=1).astype(np.int64)
        return (X @ w > 0).astype(np.int64)


def count(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> int:
    """Rows of X (n, d) that weights w (d,) or (K, d) classify as y (n,) says, in cache-sized blocks."""
    if np.ndim(w) == 2:
        right = 0
        for start in range(0, len(y), BLOCK_ROWS):
            stop = min(len(y), start + BLOCK_ROWS)
            right += int(np.count_nonzero(predict(X[start:stop], w) == y[start:stop]))
        return right
    negated = -np.asarray(w, dtype=np.float64)
    size = min(len(y), BLOCK_ROWS)
    t, hit, truth = np.empty(size), np.empty(size, dtype=bool), np.empty(size, dtype=bool)
    right = 0
    with np.errstate(all="ignore"):
        for start in range(0, len(y), BLOCK_ROWS):
            stop = min(len(y), start + BLOCK_ROWS)
            k = stop - start
            np.dot(X[start:stop], negated, out=t[:k])
            right += count_right(t[:k], y[start:stop], hit[:k], truth[:k])
    return right


def accuracy(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Share of rows classified right (0 for no rows)."""
    return count(X, y, w) / len(y) if len(y) else 0.0


def accuracies(X: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`accuracy` of each of the (E, d) weight vectors (or (E, K, d) weight tables), E at a time
    as far as memory allows."""
    weights = np.asarray(weights, dtype=np.float64)
    out = np.zeros(len(weights))
    if not len(y):
        return out
    if weights.ndim == 3:
        for e, w in enumerate(weights):
            out[e] = accuracy(X, y, w)
        return out
    per_block = max(1, BULK_VALUES // len(y))
    truth = np.empty(len(y), dtype=bool)
    with np.errstate(all="ignore"):
        for start in range(0, len(weights), per_block):
            block = weights[start:start + per_block]
            t = X @ -block.T  # (n, E) negated logits
            out[start:start + len(block)] = count_right(t, y, np.empty(t.shape, dtype=bool), truth) / len(y)
    return out
