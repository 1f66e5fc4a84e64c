"""The point inspector's readings and the saturation count, against the plain transcription."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.points import Parts, saturation

from plain_update import close, row_values


@pytest.mark.parametrize("loss", ["sse", "bce"])
def test_a_reading_is_z_p_the_prediction_and_the_share_of_g(loss):
    trainer = create_trainer(TrainConfig(seed=0, loss=loss))
    trainer.step_epoch()
    w = trainer.weights.tolist()
    X, y = trainer.data.X_train.tolist(), trainer.data.y_train.tolist()
    values = [row_values(loss, x, label, w) for x, label in zip(X, y)]
    g = [sum(v["part"][j] for v in values) for j in range(3)]
    gg = sum(c * c for c in g)
    parts = Parts(loss, trainer.data.X_train, trainer.data.y_train, w, in_g=True)
    total = parts.total()
    for index in (0, 7, 123, 499):
        reading, plain = parts.reading(index, total), values[index]
        assert reading.index == index and reading.label == y[index] and close(list(reading.x), X[index])
        assert close(reading.z, plain["z"]) and close(reading.p, plain["p"])
        assert reading.predicted == (1 if plain["p"] > 0.5 else 0)
        assert close(list(reading.part), plain["part"])
        assert close(reading.share, sum(a * b for a, b in zip(plain["part"], g)) / gg, rel=1e-7)
    shares = [parts.reading(k, total).share for k in range(len(y))]
    assert math.fsum(shares) == pytest.approx(1.0, abs=1e-9)  # the shares of all rows add up to g
    lengths = [sum(c * c for c in v["part"]) for v in values]
    assert parts.strongest() == lengths.index(max(lengths))


def test_a_test_row_has_no_share_of_g():
    trainer = create_trainer(TrainConfig(seed=0))
    train = Parts("sse", trainer.data.X_train, trainer.data.y_train, trainer.weights, in_g=True)
    test = Parts("sse", trainer.data.X_test, trainer.data.y_test, trainer.weights, in_g=False)
    assert test.reading(3, train.total()).share is None
    assert train.reading(3, np.zeros(3)).share is None  # (g = 0: no share to give)


def _plain_saturation(X, y, w):
    saturated = wrong = 0
    for x, label in zip(X, y):
        p = row_values("sse", x, label, w)["p"]
        low, high = p < 1e-6, p > 1 - 1e-6
        saturated += low or high
        wrong += (low and label == 1) or (high and label == 0)
    return saturated, wrong


def test_weights_far_on_the_wrong_side_saturate_and_stall_sse():
    trainer = create_trainer(TrainConfig(seed=0, init_weights=(5.0, 3.0, 3.0)))
    X, y = trainer.data.X_train.tolist(), trainer.data.y_train.tolist()
    found = saturation(trainer.data.X_train, trainer.data.y_train, trainer.weights)
    assert (found.saturated, found.wrong) == _plain_saturation(X, y, [5.0, 3.0, 3.0])
    assert found.rows == 500 and found.share > 0.5 and found.wrong_share > 0.5 and found.stalling


def test_a_well_trained_run_is_saturated_on_the_right_side_and_does_not_stall():
    trainer = create_trainer(TrainConfig(seed=0))
    trainer.run(100)
    found = saturation(trainer.data.X_train, trainer.data.y_train, trainer.weights)
    assert (found.saturated, found.wrong) == _plain_saturation(trainer.data.X_train.tolist(),
                                                               trainer.data.y_train.tolist(), trainer.weights.tolist())
    assert found.share > 0.5 and found.wrong == 0 and not found.stalling
    assert not saturation(trainer.data.X_train, trainer.data.y_train, np.zeros(3)).stalling  # (p = 0.5 everywhere)


def test_large_sets_are_sampled_evenly():
    X = np.column_stack([np.ones(50_000), np.linspace(-1, 1, 50_000), np.zeros(50_000)])
    y = (X[:, 1] > 0).astype(float)
    found = saturation(X, y, (0.0, -100.0, 0.0), sample=1000)  # every row beyond |x1| > 0.14 saturated, wrong
    assert found.rows == 1000 and found.wrong_share == pytest.approx(found.share, abs=0.002)
    assert 0.8 < found.share < 0.9
