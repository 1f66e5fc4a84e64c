"""The saturation verdict (`gdtui.engine.points.saturation_verdict`): which runs are worth telling
about, checked against plain counts (σ by `math`, the input scale by loops)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.points import saturation_verdict


def plain_counts(X, y, w):
    """(share, wrong share) of rows with σ(w·x) within 1e-6 of 0 or 1, and of those on the wrong side."""
    saturated = wrong = 0
    for row, label in zip(X, y):
        z = sum(a * b for a, b in zip(row, w))
        p = 1.0 / (1.0 + math.exp(-max(-700.0, min(700.0, z))))
        if p < 1e-6 or p > 1 - 1e-6:
            saturated += 1
            wrong += (p < 0.5) != (label < 0.5)
    return saturated / len(y), wrong / len(y)


def plain_scale(X):
    """The largest mean |x| over the feature columns (the bias column 0 left out)."""
    return max(sum(abs(row[j]) for row in X) / len(X) for j in range(1, len(X[0])))


def verdict_of(w, scale=None, **options):
    trainer = create_trainer(TrainConfig(seed=0, **options))
    data = trainer.data
    return saturation_verdict(trainer.config, data.X_train, data.y_train, np.asarray(w, dtype=float), scale), data


@pytest.fixture
def around_100(tmp_path):
    """Two clusters around (100, 100), four units apart: inputs large enough to keep bce saturated."""
    rng = np.random.default_rng(0)
    rows = ["x1,x2,label"]
    for k, name in enumerate(("cat", "dog")):
        for x1, x2 in rng.normal((100 + 4 * k, 100 + 3 * k), 2.0, (150, 2)):
            rows.append(f"{x1:.3f},{x2:.3f},{name}")
    path = tmp_path / "around100.csv"
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def test_sse_far_on_the_wrong_side_stalls_with_the_plain_shares():
    verdict, data = verdict_of((5.0, 3.0, 3.0))
    share, wrong = plain_counts(data.X_train.tolist(), data.y_train.tolist(), (5.0, 3.0, 3.0))
    assert verdict is not None and verdict.loss == "sse" and verdict.stalls
    assert (verdict.share, verdict.wrong_share) == (share, wrong)
    assert verdict.scale is None  # (blobs' inputs are small)


def test_saturated_on_the_right_side_or_not_at_all_is_no_verdict():
    assert verdict_of((-5.0, -3.0, -3.0))[0] is None
    assert verdict_of((0.0, 0.0, 0.0))[0] is None


@pytest.mark.parametrize("loss", ["bce", "hinge"])
def test_small_inputs_give_bce_and_the_hinge_no_verdict(loss):
    assert verdict_of((5.0, 3.0, 3.0), loss=loss)[0] is None


def test_large_inputs_give_bce_a_verdict_with_their_scale(around_100):
    w = (0.0, 0.1, 0.1)  # z around 20 for every row, both classes: half of them saturated on the wrong side
    verdict, data = verdict_of(w, dataset=around_100, loss="bce")
    share, wrong = plain_counts(data.X_train.tolist(), data.y_train.tolist(), w)
    assert share > 0.5 and wrong >= 0.1
    assert verdict is not None and verdict.loss == "bce" and not verdict.stalls
    assert (verdict.share, verdict.wrong_share) == (share, wrong)
    assert verdict.scale == pytest.approx(plain_scale(data.X_train.tolist()), rel=1e-12)
    assert verdict.scale > 20


def test_standardized_inputs_are_never_large(around_100):
    assert verdict_of((0.0, 0.1, 0.1), dataset=around_100, loss="bce", standardize=True)[0] is None


def test_the_callers_scale_is_the_one_judged():
    verdict, _ = verdict_of((5.0, 3.0, 3.0), scale=25.0, loss="bce")
    assert verdict is not None and verdict.scale == 25.0
    assert verdict_of((5.0, 3.0, 3.0), scale=19.0, loss="bce")[0] is None
    assert verdict_of((5.0, 3.0, 3.0), scale=25.0)[0].scale == 25.0  # (sse: the advice to standardize too)


def test_the_svm_has_no_probabilities_to_saturate():
    W = np.array([[0.0, 30.0, 30.0], [0.0, -30.0, -30.0], [0.0, 0.0, 0.0]])
    trainer = create_trainer(TrainConfig(seed=0, loss="svm", classes=3))
    data = trainer.data
    assert saturation_verdict(trainer.config, data.X_train, data.y_train, W, 1000.0) is None
    softmax = create_trainer(TrainConfig(seed=0, loss="softmax", classes=3))
    assert saturation_verdict(softmax.config, data.X_train, data.y_train, W, 1000.0) is not None
