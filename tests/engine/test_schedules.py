"""Learning-rate schedules: the alpha of every epoch follows the formula, and training uses it.

The formulas are written out here again, each in its own way, as the oracle; the training check
runs the lesson's loop (transcribed in test_parity) with that per-epoch alpha.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gdtui.cli import main
from gdtui.engine import ConfigError, TrainConfig, create_trainer
from gdtui.engine.optim import RULES as OPTIMIZERS

from test_parity import lesson_data, loss_and_gradient


def expected_alpha(schedule: str, alpha: float, epoch: int, decay: float, every: int = 10) -> float:
    """The alpha of epoch `epoch` (1-based), straight from the schedule's definition."""
    t = epoch - 1
    if schedule == "step":
        return alpha * math.pow(decay, math.floor(t / every))
    if schedule == "exp":
        return alpha * math.pow(decay, t)
    if schedule == "inv":
        return alpha / (1.0 + decay * t)
    return alpha


CASES = [("constant", None, 1.0), ("step", None, 0.5), ("step", 0.8, 0.8), ("exp", None, 0.95),
         ("exp", 0.5, 0.5), ("inv", None, 0.1), ("inv", 1.0, 1.0)]


@pytest.mark.parametrize("schedule, decay, used", CASES)
@pytest.mark.parametrize("batch_size", [None, 64])
def test_history_records_the_formula_alpha_per_epoch(schedule, decay, used, batch_size):
    config = TrainConfig(schedule=schedule, decay=decay, decay_every=7, alpha=0.02, epochs=40, seed=3,
                         batch_size=batch_size)
    trainer = create_trainer(config)
    trainer.run()
    alphas = trainer.history.alphas[1:]
    want = [expected_alpha(schedule, 0.02, e, used, every=7) for e in range(1, 41)]
    np.testing.assert_allclose(alphas, want, rtol=1e-14)
    if schedule != "constant":
        assert alphas[-1] < alphas[0]  # it really decays


@pytest.mark.parametrize("schedule", ["step", "exp", "inv"])
@pytest.mark.parametrize("kind", ["sse", "bce"])
def test_training_follows_the_lesson_loop_with_the_scheduled_alpha(schedule, kind):
    decay = {"step": 0.5, "exp": 0.9, "inv": 0.3}[schedule]
    trainX, _, trainY, _ = lesson_data()
    trainer = create_trainer(TrainConfig(loss=kind, schedule=schedule, decay=decay, decay_every=3,
                                         epochs=30, seed=11))
    W = np.array([[trainer.weights[1]], [trainer.weights[2]], [trainer.weights[0]]])  # bias last
    losses = []
    for epoch in range(1, 31):
        loss, gradient = loss_and_gradient(kind, trainX, trainY, W)
        W += -expected_alpha(schedule, 0.01, epoch, decay, every=3) * gradient
        losses.append(loss)
    trainer.run()
    np.testing.assert_allclose(trainer.history.losses[1:], losses, rtol=1e-9)
    np.testing.assert_allclose(trainer.weights, [W[2, 0], W[0, 0], W[1, 0]], rtol=1e-9)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_fused_run_equals_stepping_under_a_schedule(optimizer):
    config = TrainConfig(optimizer=optimizer, schedule="exp", decay=0.97, epochs=60, seed=5, alpha=0.005)
    fused, stepped = create_trainer(config), create_trainer(config)
    fused.run()
    while stepped.epoch < 60:
        stepped.step_batch()  # the per-batch path, never the fused one
    for name in ("weights", "losses", "directions", "steps", "alphas"):
        assert np.array_equal(getattr(fused.history, name), getattr(stepped.history, name)), name
    assert fused.snapshot() == stepped.snapshot()


def test_mini_batches_of_one_epoch_share_its_alpha():
    trainer = create_trainer(TrainConfig(schedule="inv", decay=1.0, batch_size=100, epochs=5, seed=2))
    seen = []
    for _ in range(3 * trainer.batches_per_epoch):
        seen.append(trainer.alpha_now)
        trainer.step_batch()
    per_epoch = [seen[k * 5:(k + 1) * 5] for k in range(3)]
    assert per_epoch == [[0.01] * 5, [0.005] * 5, [0.01 / 3] * 5]


def test_the_schedule_can_change_live_and_counts_from_the_run_start():
    trainer = create_trainer(TrainConfig(epochs=50, seed=1))
    trainer.run(20)
    trainer.configure(schedule="step", decay=0.5, decay_every=10)
    assert trainer.alpha_now == 0.01 * 0.25  # t = 20: two decays already due
    assert trainer.snapshot().alpha == trainer.alpha_now
    trainer.step_epoch()
    assert trainer.history.alphas[-1] == 0.0025


@pytest.mark.parametrize("changes", [{"schedule": "cosine"}, {"schedule": "exp", "decay": 0.0},
                                     {"schedule": "exp", "decay": 1.5}, {"decay_every": 0},
                                     {"schedule": "inv", "decay": float("nan")},
                                     {"decay": 0.5}])  # (a decay without a schedule would do nothing)
def test_bad_schedule_settings_are_refused(changes):
    with pytest.raises(ConfigError):
        TrainConfig(**changes).validated()


def test_cli_reports_the_schedule_and_its_alphas(capsys):
    assert main(["train", "--schedule", "step", "--decay-every", "4", "--epochs", "9", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "[INFO] alpha schedule: step ×0.5 every 4" in out
    assert main(["train", "--schedule", "step", "--decay-every", "4", "--epochs", "9", "--seed", "0", "--json"]) == 0
    alphas = json.loads(capsys.readouterr().out)["alphas"]
    assert alphas == [expected_alpha("step", 0.01, e, 0.5, every=4) for e in range(1, 10)]


def test_cli_refuses_a_bad_decay_in_one_line(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["train", "--schedule", "exp", "--decay", "3"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == "gdtui: error: --decay must be a number in (0, 1] (got 3.0)"
