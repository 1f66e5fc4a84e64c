"""The training history as CSV: one row per recorded epoch, row 0 the initial state.

Columns: epoch, loss, w0, w1, w2, alpha, train_accuracy, test_accuracy. `loss`, `alpha` and
`train_accuracy` are the history's (measured during the epoch, as the lesson logs them);
`w0..w2` are the weights after the epoch and `test_accuracy` is measured with those weights.
Floats are written in full (they read back to the same bits); an infinite loss reads `inf`.
"""

from __future__ import annotations

import os
from typing import Iterator

from .atomic import write_atomic, write_new
from .predict import accuracies
from .trainer import Trainer

HEADER = "epoch,loss,w0,w1,w2,alpha,train_accuracy,test_accuracy"
CHUNK_EPOCHS = 4096
"""Epochs formatted (and measured) at a time."""


def history_csv(trainer: Trainer) -> str:
    """The whole CSV text."""
    return "".join(history_csv_chunks(trainer))


def write_history_csv(trainer: Trainer, path: str | os.PathLike, new: bool = False) -> None:
    """Write the CSV to `path` atomically, a chunk of epochs at a time (OSError if it cannot).
    `new`: create the file, never replace one nor write through a link (FileExistsError if the
    name is taken; see `atomic.write_new`)."""
    (write_new if new else write_atomic)(path, history_csv_chunks(trainer))


def history_csv_chunks(trainer: Trainer) -> Iterator[str]:
    """The CSV text in pieces: the header line, then `CHUNK_EPOCHS` rows at a time."""
    h = trainer.history
    weights, losses, alphas, train = h.weights, h.losses, h.alphas, trainer.train_accuracy()
    data = trainer.data
    yield HEADER + "\n"
    for start in range(0, len(h), CHUNK_EPOCHS):
        stop = min(len(h), start + CHUNK_EPOCHS)
        test = accuracies(data.X_test, data.y_test, weights[start:stop])
        yield "".join(
            f"{start + i},{loss!r},{w[0]!r},{w[1]!r},{w[2]!r},{alpha!r},{right!r},{held_out!r}\n"
            for i, (loss, w, alpha, right, held_out) in enumerate(zip(
                losses[start:stop].tolist(), weights[start:stop].tolist(), alphas[start:stop].tolist(),
                train[start:stop].tolist(), test.tolist())))
