"""The training history as CSV: one row per recorded epoch, row 0 the initial state.

Columns: epoch, loss, (penalty,) w0, w1, w2, ..., alpha, train_accuracy, test_accuracy: one
column per weight, w0..w{d-1} for one row of weights, w{k}_{j} (class k, column j) for K rows;
`penalty` only when a penalty is set. `loss`, `penalty`, `alpha` and `train_accuracy` are the
history's (measured during the epoch, as the lesson logs them); the weights are those after the
epoch and `test_accuracy` is measured with them. Floats are written in full (they read back to
the same bits); an infinite loss reads `inf`.
"""

from __future__ import annotations

import os
from typing import Iterator

from .atomic import write_atomic, write_new
from .predict import accuracies
from .trainer import Trainer

HEADER = "epoch,loss,w0,w1,w2,alpha,train_accuracy,test_accuracy"
"""The lesson's model's header."""


def header(shape: tuple[int, ...], penalty: bool) -> str:
    """The header line for weights of `shape`, with a penalty column or not."""
    if len(shape) == 1:
        names = [f"w{j}" for j in range(shape[0])]
    else:
        names = [f"w{k}_{j}" for k in range(shape[0]) for j in range(shape[1])]
    return ",".join(["epoch", "loss"] + (["penalty"] if penalty else []) + names
                    + ["alpha", "train_accuracy", "test_accuracy"])
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
    with_penalty = trainer.config.penalty != "none"
    yield header(h.shape, with_penalty) + "\n"
    if h.shape != (3,) or with_penalty:
        yield from _general_rows(trainer, with_penalty)
        return
    for start in range(0, len(h), CHUNK_EPOCHS):
        stop = min(len(h), start + CHUNK_EPOCHS)
        test = accuracies(data.X_test, data.y_test, weights[start:stop])
        yield "".join(
            f"{start + i},{loss!r},{w[0]!r},{w[1]!r},{w[2]!r},{alpha!r},{right!r},{held_out!r}\n"
            for i, (loss, w, alpha, right, held_out) in enumerate(zip(
                losses[start:stop].tolist(), weights[start:stop].tolist(), alphas[start:stop].tolist(),
                train[start:stop].tolist(), test.tolist())))


def _general_rows(trainer: Trainer, with_penalty: bool) -> Iterator[str]:
    """The rows for any shape of weights (one column per weight), a chunk at a time."""
    h, data = trainer.history, trainer.data
    train = trainer.train_accuracy()
    for start in range(0, len(h), CHUNK_EPOCHS):
        stop = min(len(h), start + CHUNK_EPOCHS)
        test = accuracies(data.X_test, data.y_test, h.weights[start:stop])
        flat = h.weights[start:stop].reshape(stop - start, -1).tolist()
        lines = []
        for i, (loss, penalty, w, alpha, right, held_out) in enumerate(zip(
                h.losses[start:stop].tolist(), h.penalties[start:stop].tolist(), flat, h.alphas[start:stop].tolist(),
                train[start:stop].tolist(), test.tolist())):
            cells = [str(start + i), repr(loss)] + ([repr(penalty)] if with_penalty else []) + [repr(v) for v in w]
            lines.append(",".join(cells + [repr(alpha), repr(right), repr(held_out)]) + "\n")
        yield "".join(lines)
