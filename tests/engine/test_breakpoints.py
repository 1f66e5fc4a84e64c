"""Breakpoints fire after the first epoch on which their rule holds, found here from a plain run."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import ConfigError, TrainConfig, create_trainer
from gdtui.engine.breakpoints import Breakpoints, Watch

CONFIG = TrainConfig(epochs=400, seed=4, alpha=0.001)


def reference():
    """A straight run of 300 epochs: the per-epoch values each rule looks at."""
    trainer = create_trainer(CONFIG)
    trainer.run(300)
    h = trainer.history
    X, y = trainer.data.X_test, trainer.data.y_test
    test_acc = [float(np.mean((X @ w > 0) == (y == 1))) for w in h.weights]
    norms = np.sqrt((np.asarray(h.directions) ** 2).sum(axis=1))
    return np.array(h.losses), np.array(test_acc), norms


def first(condition) -> int:
    hits = [e for e in range(1, len(condition)) if condition[e]]
    assert hits, "the reference run never meets the rule: pick another threshold"
    return hits[0]


def run_until_break(points: Breakpoints, start: int = 0):
    trainer = create_trainer(CONFIG)
    trainer.run(start) if start else None
    watch = Watch(points, trainer)
    while trainer.epoch < 300:
        trainer.step_epoch()
        fired = watch.check(trainer)
        if fired:
            return trainer.epoch, fired
    return None, None


def test_loss_below_fires_on_the_first_epoch_under_the_threshold():
    losses, _, _ = reference()
    threshold = float(np.quantile(losses[1:], 0.3))
    epoch, words = run_until_break(Breakpoints(loss_below=threshold))
    assert epoch == first(losses < threshold)
    assert words.startswith("loss ") and f"at epoch {epoch}" in words


def test_test_accuracy_fires_when_reached():
    _, accuracy, _ = reference()
    target = float(np.unique(accuracy[1:])[-2])  # a level reached after a while, not at once
    epoch, words = run_until_break(Breakpoints(test_accuracy=target))
    assert epoch == first(accuracy >= target)
    assert "test accuracy" in words


def test_gradient_norm_fires_when_small():
    _, _, norms = reference()
    threshold = float(np.quantile(norms[1:], 0.5))
    epoch, words = run_until_break(Breakpoints(gradient_below=threshold))
    assert epoch == first(norms < threshold)
    assert words.startswith("|g| ")


def test_more_epochs_counts_from_where_it_was_armed():
    epoch, words = run_until_break(Breakpoints(more_epochs=17), start=40)
    assert epoch == 57
    assert words == "17 more epochs done (epoch 57)"


def test_patience_counts_epochs_without_a_new_best_since_arming():
    trainer = create_trainer(TrainConfig(epochs=100, seed=0, alpha=0.5, loss="bce", dataset="moons"))  # jumpy
    trainer.run(30)
    losses = list(trainer.history.losses)
    start_best = losses[-1]
    watch = Watch(Breakpoints(patience=3), trainer)
    fired = None
    while fired is None and trainer.epoch < 100:
        trainer.step_epoch()
        fired = watch.check(trainer)
    assert fired is not None
    after = np.array(trainer.history.losses[31:])
    best, best_epoch, expected = start_best, 30, None
    for k, loss in enumerate(after, start=31):
        if loss < best:
            best, best_epoch = loss, k
        if k - best_epoch >= 3:
            expected = k
            break
    assert trainer.epoch == expected


def test_the_first_rule_in_order_wins_when_several_hold():
    epoch, words = run_until_break(Breakpoints(loss_below=1e9, more_epochs=1))
    assert epoch == 1 and words.startswith("loss ")


def test_nothing_fires_mid_epoch_or_before_a_step():
    trainer = create_trainer(TrainConfig(batch_size=100, seed=1))
    watch = Watch(Breakpoints(loss_below=1e9), trainer)
    assert watch.check(trainer) is None
    trainer.step_batch()
    assert watch.check(trainer) is None


@pytest.mark.parametrize("points", [Breakpoints(loss_below=-1), Breakpoints(test_accuracy=1.5),
                                    Breakpoints(gradient_below=float("inf")), Breakpoints(patience=0),
                                    Breakpoints(more_epochs=2.5)])
def test_out_of_range_rules_are_refused(points):
    with pytest.raises(ConfigError):
        points.validated()


def test_describe_lists_the_rules_set():
    from gdtui.describe import breakpoints as describe

    assert describe(Breakpoints()) == "none" and not Breakpoints().any
    words = describe(Breakpoints(loss_below=0.5, test_accuracy=0.9, more_epochs=10))
    assert words == "loss < 0.5, test acc ≥ 90%, 10 more epochs"


def test_run_stops_on_the_epoch_that_fires_and_says_which():
    trainer = create_trainer(CONFIG)
    watch = Watch(Breakpoints(more_epochs=30), trainer)
    assert watch.run(trainer, 12) is None and trainer.epoch == 12
    assert watch.run(trainer, 100) == "breakpoint" and trainer.epoch == 30
    assert watch.fired == "30 more epochs done (epoch 30)"
    assert Breakpoints(more_epochs=30).run_length(100) == 100 and Breakpoints(more_epochs=300).run_length(100) == 300
