"""Rewind, fork and preview in the engine: exact restores, truncation, and nothing committed."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.config import OPTIMIZERS


def trained(epochs: int = 12, **options):
    trainer = create_trainer(TrainConfig(seed=3, **options))
    trainer.run(epochs)
    return trainer


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("batch_size", [None, 64])
def test_a_fork_continues_exactly_as_the_original_run_did(optimizer, batch_size):
    straight = trained(12, optimizer=optimizer, batch_size=batch_size, alpha=0.005)
    forked = trained(12, optimizer=optimizer, batch_size=batch_size, alpha=0.005)
    assert forked.fork(5) == 7
    assert len(forked.history) == 6 and forked.epoch == 5
    np.testing.assert_array_equal(forked.weights, straight.history.weights[5])
    forked.run(7)
    np.testing.assert_array_equal(forked.history.weights, straight.history.weights)
    np.testing.assert_array_equal(forked.history.losses, straight.history.losses)


def test_a_fork_keeps_the_current_settings_and_a_new_rule_starts_fresh():
    trainer = trained(10, optimizer="adam", alpha=0.01)
    trainer.configure(optimizer="momentum", alpha=0.02)
    trainer.fork(4)
    assert trainer.config.optimizer == "momentum" and trainer.config.alpha == 0.02
    assert trainer.snapshot().optimizer_state[0][2] == (0.0, 0.0, 0.0)


def test_fork_forgets_a_partial_epoch_and_the_divergence_verdict():
    trainer = trained(3, batch_size=50)
    trainer.step_batch()
    assert trainer.batch == 1
    assert trainer.fork(3) == 0
    assert trainer.batch == 0 and len(trainer.history) == 4
    np.testing.assert_array_equal(trainer.weights, trainer.history.weights[3])


def test_fork_recomputes_the_best_loss_for_patience():
    trainer = trained(30, patience=5)
    trainer.fork(10)
    losses = trainer.history.losses[1:]
    assert trainer.stop_reason is None
    # patience counts from the best of the remaining history, so 5 more epochs cannot trip it
    # while the loss keeps falling
    assert np.all(np.diff(losses) < 0)
    trainer.run(5)
    assert trainer.stop_reason is None


def test_fork_refuses_epochs_outside_the_history():
    trainer = trained(3)
    with pytest.raises(ValueError):
        trainer.fork(4)
    with pytest.raises(ValueError):
        trainer.fork(-1)


def test_snapshot_at_reads_the_recorded_epoch():
    trainer = trained(8, optimizer="momentum")
    for epoch in (0, 3, 8):
        snap = trainer.snapshot_at(epoch)
        assert snap.epoch == epoch
        assert snap.weights == tuple(trainer.history.weights[epoch])
        assert snap.loss == trainer.history.losses[epoch]
        assert snap.last_step == tuple(trainer.history.steps[epoch])
    np.testing.assert_allclose(np.subtract(trainer.snapshot_at(8).weights, trainer.snapshot_at(7).weights),
                               trainer.snapshot_at(8).last_step, rtol=0, atol=1e-15)
    live = trainer.snapshot()
    assert trainer.snapshot_at(8).weights == live.weights
    assert trainer.snapshot_at(8).optimizer_state == live.optimizer_state
    with pytest.raises(ValueError):
        trainer.snapshot_at(9)


@pytest.mark.parametrize("options", [dict(), dict(batch_size=32), dict(batch_size=32, shuffle=True),
                                     dict(optimizer="adam")])
def test_preview_commits_nothing_and_predicts_the_next_update(options):
    trainer = trained(4, **options)
    trainer.step_batch() if options.get("batch_size") else None
    before_w, before_hist = trainer.weights, trainer.history.weights.copy()
    before_state = trainer.snapshot()
    alpha = trainer.config.alpha
    ghosts = trainer.preview((alpha / 2, alpha, 2 * alpha))
    assert trainer.snapshot() == before_state
    np.testing.assert_array_equal(trainer.weights, before_w)
    np.testing.assert_array_equal(trainer.history.weights, before_hist)
    # the middle ghost is exactly where the real next update goes
    trainer.step_batch()
    assert ghosts[1] == tuple(trainer.weights)
    assert ghosts[0] != ghosts[2]


@pytest.mark.parametrize("batch_size", [32, None])
def test_preview_at_an_epoch_start_with_shuffling_uses_the_coming_draw(batch_size):
    trainer = trained(4, batch_size=batch_size, shuffle=True)
    assert trainer.batch == 0
    ghost = trainer.preview((trainer.config.alpha,))[0]
    trainer.step_batch()
    assert ghost == tuple(trainer.weights)
