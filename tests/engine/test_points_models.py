"""The point inspector's readings and the saturation count for every model beyond the lesson's,
against the plain transcription (tests/plain_models.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.points import Parts, input_scale, saturation

from plain_models import flat, penalty_part, row_values, shares
from plain_update import close

MODELS = [dict(loss="hinge"), dict(loss="bce", dataset="circles", features=("x1", "x2", "x1^2", "x2^2"),
                                   standardize=True),
          dict(loss="softmax", classes=3, penalty="l2", lam=0.5), dict(loss="svm", classes=3, penalty="l1", lam=0.3)]


@pytest.mark.parametrize("options", MODELS, ids=lambda o: o["loss"])
def test_a_reading_is_the_scores_what_the_loss_makes_of_them_and_the_share_of_g(options):
    trainer = create_trainer(TrainConfig(seed=0, alpha=0.001, **options))
    trainer.step_epoch()
    cfg, data = trainer.config, trainer.data
    w = trainer.weights.tolist()
    X, y = data.X_train.tolist(), data.y_train.tolist()
    values = [row_values(cfg.loss, x, label, w) for x, label in zip(X, y)]
    data_g = [sum(flat(v["part"])[j] for v in values) for j in range(trainer.weights.size)]
    g = [a + b for a, b in zip(data_g, flat(penalty_part(cfg.penalty, cfg.lam, w)))]
    parts = Parts(cfg.loss, data.X_train, data.y_train, w, True, cfg.penalty, cfg.lam, data.train_points)
    direction = parts.direction()
    assert close(flat(direction.tolist()), g)
    expected = shares(values, g)
    for index in (0, 7, 123, 499):
        reading, plain = parts.reading(index, direction), values[index]
        assert reading.point == tuple(data.train_points[index]) and reading.label == y[index]
        assert close(flat(reading.part), flat(plain["part"]))
        assert close(reading.share, expected[index], rel=1e-7)
        if cfg.loss in ("softmax", "svm"):
            assert close(list(reading.z), plain["scores"])
            assert reading.predicted == max(range(3), key=lambda k: (plain["scores"][k], -k))
            if cfg.loss == "softmax":
                assert close(list(reading.p), plain["P"]) and reading.margin is None and reading.active is None
            else:
                assert close(list(reading.margin), plain["margins"]) and reading.p is None
                assert reading.active == tuple(k != int(y[index]) and m > 0 for k, m in enumerate(plain["margins"]))
        else:
            assert close(reading.z, plain["z"]) and reading.predicted == (1 if plain["z"] > 0 else 0)
            if cfg.loss == "hinge":
                assert close(reading.margin, plain["margin"]) and reading.p is None
                assert reading.active is (plain["margin"] > 0)
            else:
                assert close(reading.p, plain["p"]) and reading.active is None
    total = math.fsum(parts.reading(k, direction).share for k in range(len(y)))
    penalty_share = sum(a * b for a, b in zip(flat(penalty_part(cfg.penalty, cfg.lam, w)), g)) / sum(c * c for c in g)
    assert total + penalty_share == pytest.approx(1.0, abs=1e-9)  # the rows and the penalty make up g
    lengths = [sum(c * c for c in flat(v["part"])) for v in values]
    assert parts.strongest() == lengths.index(max(lengths))


@pytest.mark.parametrize("loss", ["hinge", "svm"])
def test_the_active_margins_are_the_ones_above_zero(loss):
    """Some rows inside the margin and some outside, so that `active` can be told from a constant."""
    trainer = create_trainer(TrainConfig(seed=0, alpha=0.001, loss=loss, classes=3 if loss == "svm" else 2))
    trainer.step_epoch()
    data, w = trainer.data, trainer.weights.tolist()
    parts = Parts(loss, data.X_train, data.y_train, w, True)
    seen = set()
    for index, (x, label) in enumerate(zip(data.X_train.tolist(), data.y_train.tolist())):
        active = parts.reading(index, parts.direction()).active
        plain = row_values(loss, x, label, w)
        if loss == "hinge":
            assert active is (plain["margin"] > 0)
            seen.add(active)
        else:
            expected = tuple(k != int(label) and m > 0 for k, m in enumerate(plain["margins"]))
            assert active == expected
            seen.add(sum(expected))
    assert len(seen) >= 2


def _plain_softmax_saturation(X, y, W):
    saturated = wrong = 0
    for x, label in zip(X, y):
        P = row_values("softmax", x, label, W)["P"]
        if max(P) > 1 - 1e-6:
            saturated += 1
            wrong += P.index(max(P)) != int(label)
    return saturated, wrong


def test_softmax_saturation_counts_rows_whose_P_is_one_class():
    trainer = create_trainer(TrainConfig(seed=0, loss="softmax", classes=3))
    trainer.step_epoch()  # (alpha 0.01 on blobs: the scores are far apart after one epoch)
    X, y = trainer.data.X_train.tolist(), trainer.data.y_train.tolist()
    found = saturation(trainer.data.X_train, trainer.data.y_train, trainer.weights)
    assert (found.saturated, found.wrong) == _plain_softmax_saturation(X, y, trainer.weights.tolist())
    assert found.saturated > 250 and found.wrong > 50


def test_the_input_scale_is_the_largest_mean_absolute_feature():
    trainer = create_trainer(TrainConfig(seed=0, features=("x1", "x2", "x1^2")))
    X = trainer.data.X_train.tolist()
    expected = max(sum(abs(row[j]) for row in X) / len(X) for j in (1, 2, 3))
    assert input_scale(trainer.data.X_train) == pytest.approx(expected, rel=1e-12)
    assert input_scale(np.ones((5, 1))) == 0.0  # (only the bias: no inputs)
