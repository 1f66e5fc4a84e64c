"""The training history as CSV: one row per recorded epoch, row 0 the initial state.

Columns: epoch, loss, w0, w1, w2, alpha, train_accuracy, test_accuracy. `loss`, `alpha` and
`train_accuracy` are the history's (measured during the epoch, as the lesson logs them);
`w0..w2` are the weights after the epoch and `test_accuracy` is measured with those weights.
Floats are written in full (they read back to the same bits); an infinite loss reads `inf`.
"""

from __future__ import annotations

import os
from typing import Iterator

import numpy as np

from .atomic import write_atomic
from .trainer import Trainer

HEADER = "epoch,loss,w0,w1,w2,alpha,train_accuracy,test_accuracy"
CHUNK_EPOCHS = 4096
"""Epochs formatted (and measured) at a time."""
BLOCK_VALUES = 1 << 20
"""Logits held at once while measuring accuracies (rows x epochs): bounds the memory used."""


def history_csv(trainer: Trainer) -> str:
    """The whole CSV text."""
    return "".join(history_csv_chunks(trainer))


def write_history_csv(trainer: Trainer, path: str | os.PathLike) -> None:
    """Write the CSV to `path` atomically, a chunk of epochs at a time (OSError if it cannot)."""
    write_atomic(path, history_csv_chunks(trainer))


def history_csv_chunks(trainer: Trainer) -> Iterator[str]:
    """The CSV text in pieces: the header line, then `CHUNK_EPOCHS` rows at a time."""
    h = trainer.history
    weights, losses, alphas, train = h.weights, h.losses, h.alphas, h.train_accuracy
    data = trainer.data
    yield HEADER + "\n"
    for start in range(0, len(h), CHUNK_EPOCHS):
        stop = min(len(h), start + CHUNK_EPOCHS)
        test = accuracies(weights[start:stop], data.X_test, data.y_test)
        yield "".join(
            f"{start + i},{loss!r},{w[0]!r},{w[1]!r},{w[2]!r},{alpha!r},{right!r},{held_out!r}\n"
            for i, (loss, w, alpha, right, held_out) in enumerate(zip(
                losses[start:stop].tolist(), weights[start:stop].tolist(), alphas[start:stop].tolist(),
                train[start:stop].tolist(), test.tolist())))


def accuracies(weights: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Accuracy of each weight vector on the rows X (M, 3), bias column first, labels y (M,).

    weights: (E, 3). A row counts as class 1 where w0 + w1*x1 + w2*x2 > 0 (sigmoid > 0.5),
    evaluated in that order. Works in blocks of at most `BLOCK_VALUES` logits. Returns (E,).
    """
    weights = np.asarray(weights, dtype=np.float64).reshape(-1, 3)
    positive = y > 0.5
    ones = _count_positive_logits(weights, X[positive, 1], X[positive, 2])
    zeros = _count_positive_logits(weights, X[~positive, 1], X[~positive, 2])
    right = ones + (np.count_nonzero(~positive) - zeros)
    return right / len(y) if len(y) else np.zeros(len(weights))


def _count_positive_logits(weights: np.ndarray, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """(E,) how many points (x1, x2) have a positive logit under each weight vector."""
    count = np.zeros(len(weights), dtype=np.int64)
    if not len(x1) or not len(weights):
        return count
    epochs = max(1, min(len(weights), 1024, BLOCK_VALUES))
    rows = max(1, BLOCK_VALUES // epochs)
    z = np.empty((min(rows, len(x1)), epochs))
    part = np.empty_like(z)
    hit = np.empty(z.shape, dtype=bool)
    for e0 in range(0, len(weights), epochs):
        w = weights[e0:e0 + epochs]
        m = len(w)
        for r0 in range(0, len(x1), rows):
            a, b = x1[r0:r0 + rows, None], x2[r0:r0 + rows, None]
            zb, pb, hb = z[:len(a), :m], part[:len(a), :m], hit[:len(a), :m]
            with np.errstate(all="ignore"):
                np.multiply(a, w[:, 1], out=zb)
                np.add(w[:, 0], zb, out=zb)  # w0 + w1*x1
                np.multiply(b, w[:, 2], out=pb)
                np.add(zb, pb, out=zb)  # (w0 + w1*x1) + w2*x2
            np.greater(zb, 0.0, out=hb)
            count[e0:e0 + m] += np.count_nonzero(hb, axis=0)
    return count
