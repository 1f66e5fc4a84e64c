"""The history as CSV, checked against numbers computed here.

The test accuracy of each epoch is recomputed in plain Python, one point at a time, from the
weights the history recorded; the other columns must be the history's own values, to the bit.
"""

from __future__ import annotations

import csv
import io
import os

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine import export, predict
from gdtui.engine.export import HEADER, history_csv, write_history_csv
from gdtui.engine.predict import accuracies

COLUMNS = HEADER.split(",")


def parse(text):
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == COLUMNS
    return [[int(r[0])] + [float(v) for v in r[1:]] for r in rows[1:]]


def python_accuracy(w, X, y):
    """Share of rows with w0 + w1*x1 + w2*x2 > 0 matching label > 0.5, in Python floats."""
    w0, w1, w2 = (float(v) for v in w)
    right = sum(1 for (_, x1, x2), label in zip(X.tolist(), y.tolist())
                if (w0 + w1 * x1 + w2 * x2 > 0) == (label > 0.5))
    return right / len(y)


@pytest.mark.parametrize("options", [
    dict(),  # full batch: the fused path, accuracies measured when first read
    dict(optimizer="adam", batch_size=16, shuffle=True, schedule="exp"),
    dict(optimizer="momentum", batch_size=40, loss="bce", alpha=0.003),
])
def test_every_row_is_the_history_and_an_independent_test_accuracy(options):
    trainer = create_trainer(TrainConfig(samples=160, seed=5, epochs=25, **options))
    trainer.run()
    rows = parse(history_csv(trainer))
    h = trainer.history
    assert len(rows) == len(h) == 26
    assert [r[0] for r in rows] == list(range(26))
    X, y = trainer.data.X_test, trainer.data.y_test
    for k, (epoch, loss, w0, w1, w2, alpha, train, test) in enumerate(rows):
        assert loss == h.losses[k] and alpha == h.alphas[k] and train == trainer.train_accuracy()[k]
        assert [w0, w1, w2] == h.weights[k].tolist()
        assert test == python_accuracy(h.weights[k], X, y)
    assert rows[0][2:5] == trainer.history.weights[0].tolist()  # row 0: the initial weights
    assert rows[-1][7] == trainer.accuracy(trainer.weights, "test")
    if "schedule" in options:
        assert len({r[5] for r in rows}) > 20  # the decaying alpha of each epoch


def test_blocks_and_chunks_do_not_change_the_numbers(monkeypatch):
    trainer = create_trainer(TrainConfig(samples=300, seed=2, epochs=40, optimizer="rmsprop", batch_size=32))
    trainer.run()
    whole = history_csv(trainer)
    monkeypatch.setattr(export, "CHUNK_EPOCHS", 7)
    monkeypatch.setattr(predict, "BULK_VALUES", 5)  # blocks of a handful of logits, ragged at the ends
    assert history_csv(trainer) == whole
    X, y = trainer.data.X_test, trainer.data.y_test
    expected = [python_accuracy(w, X, y) for w in trainer.history.weights]
    assert accuracies(X, y, trainer.history.weights).tolist() == expected


def test_accuracies_on_random_points_match_a_per_epoch_loop():
    rng = np.random.default_rng(9)
    X = np.c_[np.ones(5000), rng.normal(size=(5000, 2))]
    y = (rng.random(5000) < 0.3).astype(float)
    W = rng.normal(size=(300, 3))
    W[0] = 0.0  # every logit exactly 0: no row counts as class 1
    loop = [float(np.mean(((W[e, 0] + W[e, 1] * X[:, 1]) + W[e, 2] * X[:, 2] > 0) == (y > 0.5))) for e in range(300)]
    assert accuracies(X, y, W).tolist() == loop
    assert loop[0] == float(np.mean(y <= 0.5))


def test_the_file_is_written_atomically(tmp_path, monkeypatch):
    trainer = create_trainer(TrainConfig(samples=100, seed=1, epochs=5))
    trainer.run()
    path = tmp_path / "history.csv"
    write_history_csv(trainer, path)
    assert path.read_text() == history_csv(trainer)
    path.write_text("old")

    def crash(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_history_csv(trainer, path)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]


def test_floats_are_written_in_full(tmp_path):
    trainer = create_trainer(TrainConfig(samples=100, seed=1, epochs=3, init_weights=(0.1, 1 / 3, 2.0 ** -1074)))
    trainer.run()
    first = history_csv(trainer).splitlines()[1].split(",")
    assert first[2:5] == ["0.1", repr(1 / 3), "5e-324"]


def test_a_new_history_file_never_replaces_one_nor_follows_a_link(tmp_path):
    trainer = create_trainer(TrainConfig(samples=50, seed=1, epochs=3))
    trainer.run()
    write_history_csv(trainer, tmp_path / "h.csv", new=True)
    assert (tmp_path / "h.csv").read_text() == history_csv(trainer)
    victim = tmp_path / "victim.csv"
    victim.write_text("precious")
    (tmp_path / "planted.csv").symlink_to(victim)
    for name in ("h.csv", "planted.csv"):
        with pytest.raises(FileExistsError):
            write_history_csv(trainer, tmp_path / name, new=True)
    assert victim.read_text() == "precious" and sorted(p.name for p in tmp_path.iterdir()) == \
        ["h.csv", "planted.csv", "victim.csv"]
