"""The readouts for every model shape against plain-NumPy transcriptions written here: the gradient
check (with its penalty) against an independent finite difference, the evaluation's confusion
matrix against a count of (true, argmax) pairs, and what a snapshot says about the model."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.ui.readouts import Evaluations, gradient_check_at

H = 1e-6


def plain_loss(kind: str, X, y, W) -> float:
    """The printed loss, transcribed from its formula (rows summed)."""
    if kind in ("softmax", "svm"):
        S = X @ W.T
        own = S[np.arange(len(y)), y.astype(int)]
        if kind == "softmax":
            return float(np.sum(np.log(np.sum(np.exp(S), axis=1)) - own))
        margins = np.maximum(0.0, S - own[:, None] + 1.0)
        return float(np.sum(margins) - len(y))  # (each row's own margin is exactly 1)
    z = X @ W
    if kind == "sse":
        return float(np.sum((1 / (1 + np.exp(-z)) - y) ** 2))
    if kind == "bce":
        p = 1 / (1 + np.exp(-z))
        return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return float(np.sum(np.maximum(0.0, 1 - (2 * y - 1) * z)))  # hinge


def plain_penalty(kind: str, lam: float, W) -> float:
    free = np.asarray(W)[..., 1:]
    return {"none": 0.0, "l2": lam / 2 * float(np.sum(free ** 2)), "l1": lam * float(np.sum(np.abs(free)))}[kind]


def plain_difference(value, W) -> np.ndarray:
    """The centred difference of `value` at W, component by component, flattened row by row."""
    W = np.asarray(W, dtype=np.float64)
    out = []
    for i in range(W.size):
        e = np.zeros(W.size)
        e[i] = H
        e = e.reshape(W.shape)
        out.append((value(W + e) - value(W - e)) / (2 * H))
    return np.array(out)


MODELS = [
    dict(loss="bce", dataset="circles", features=("x1", "x2", "x1^2", "x2^2"), penalty="l2", lam=0.5),
    dict(loss="sse", penalty="l1", lam=2.0),
    dict(loss="hinge", features=("x1", "x2", "x1x2")),
    dict(loss="softmax", classes=3, penalty="l2", lam=1.0),
    dict(loss="svm", classes=4, features=("x1", "x2", "sin1"), penalty="l1", lam=0.3),
]


@pytest.mark.parametrize("options", MODELS)
def test_the_gradient_check_is_of_the_loss_plus_the_penalty(options):
    trainer = create_trainer(TrainConfig(seed=4, alpha=0.001, samples=200, **options))
    trainer.run(3)
    W = trainer.weights
    X, y = trainer.data.X_train, trainer.data.y_train
    kind, lam = trainer.config.penalty, trainer.config.lam
    check = gradient_check_at(trainer, W)
    expected = plain_difference(lambda v: plain_loss(trainer.config.loss, X, y, v) + plain_penalty(kind, lam, v), W)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(check.numeric, expected, rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(check.analytic, expected, rtol=0, atol=1e-6 * scale)
    assert check.max_error < 1e-6
    assert check.shape == W.shape and len(check.direction) == W.size
    assert (check.penalty, check.lam) == (kind, lam)
    # what the trainer steps along at these weights (full batch): the direction the inspector shows
    _, direction, *_ = trainer.next_update()
    np.testing.assert_array_equal(np.reshape(check.direction, W.shape), direction)


def test_without_a_penalty_the_check_is_of_the_printed_loss():
    trainer = create_trainer(TrainConfig(seed=2, loss="softmax", classes=3, samples=200))
    trainer.run(2)
    W = trainer.weights
    X, y = trainer.data.X_train, trainer.data.y_train
    check = gradient_check_at(trainer, W)
    expected = plain_difference(lambda v: plain_loss("softmax", X, y, v), W)
    np.testing.assert_allclose(check.numeric, expected, rtol=0, atol=1e-6 * np.abs(expected).max())
    assert check.penalty == "none" and check.penalty_gradient == ()


@pytest.mark.parametrize("options", [dict(loss="softmax", classes=3), dict(loss="svm", classes=6),
                                     dict(loss="bce", features=("x1", "x2", "x1^2"))])
def test_the_evaluation_counts_true_and_argmax_pairs(options):
    trainer = create_trainer(TrainConfig(seed=1, alpha=0.001, **options))
    trainer.run(5)
    W = trainer.weights
    for split, X, y in (("test", trainer.data.X_test, trainer.data.y_test),
                        ("train", trainer.data.X_train, trainer.data.y_train)):
        report = Evaluations().report(trainer, split, trainer.epoch, W)
        scores = X @ W.T if W.ndim == 2 else np.stack([np.zeros(len(y)), X @ W], axis=1)
        predicted = np.argmax(scores, axis=1)  # (one score: class 1 where z > 0, the first on a tie)
        K = trainer.data.classes
        counts = np.zeros((K, K), dtype=int)
        for t, p in zip(y.astype(int), predicted):
            counts[t, p] += 1
        np.testing.assert_array_equal(np.array(report.confusion), counts)
        assert report.accuracy == pytest.approx(np.trace(counts) / len(y))
        assert [row[0] for row in report.rows[:K]] == list(trainer.data.labels)


def test_a_snapshot_says_what_model_it_is():
    trainer = create_trainer(TrainConfig(seed=0, loss="svm", classes=4, features=("x1", "x2", "x1x2"),
                                         standardize=True, penalty="l2", lam=0.25))
    trainer.run(2)
    snap = trainer.snapshot()
    assert (snap.features, snap.standardize, snap.penalty, snap.lam) == (("x1", "x2", "x1x2"), True, "l2", 0.25)
    assert snap.class_names == ("0", "1", "2", "3") and snap.classes == 4 and snap.rows == 4
    assert trainer.snapshot_at(1).class_names == snap.class_names
    lesson = create_trainer(TrainConfig(seed=0)).snapshot()
    assert (lesson.features, lesson.standardize, lesson.penalty, lesson.lam, lesson.rows) == (
        ("x1", "x2"), False, "none", 0.0, 1)
