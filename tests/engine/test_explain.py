"""The numbers of the "why" panel (`gdtui.engine.explain` from the trainer's record of its latest
update) against a plain transcription of the lesson's update (tests/plain_update.py): sse and bce,
full batch and mini-batches (shuffled too), and every update rule."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.explain import explain_update
from gdtui.engine.session import from_document, to_document

from plain_update import close, update as plain

RULE_CASES = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


def _step_and_capture(trainer, stepper):
    """Step once, capturing from outside what the update starts from."""
    w, state, alpha = trainer.weights.tolist(), trainer.optimizer_state, trainer.alpha_now
    first, second, steps = state.first.tolist(), state.second.tolist(), state.steps
    assert stepper()
    return w, first, second, steps, alpha


def _check(trainer, expected) -> None:
    e = explain_update(trainer.last_update(), trainer.data.X_train, trainer.data.y_train)
    assert e.example.index == expected["top"]
    assert close(list(e.example.x), expected["x"]) and e.example.y == expected["label"]
    row = expected["row"]
    for name in ("z", "p", "e", "slope"):
        assert close(getattr(e.example, name), row[name]), name
    assert close(list(e.example.part), row["part"])
    assert close(list(e.g), expected["g"])
    assert (e.pushes.down, e.pushes.up, e.pushes.idle) == (expected["down"], expected["up"], expected["idle"])
    assert close(e.loss_value, expected["loss"])
    rule = expected["rule"]
    shown = {line.symbol: line for line in e.lines}
    assert close(list(shown["step"].value), rule["step"])
    for name in ("v", "s", "m"):
        if name in rule:
            assert close(list(shown[name].value), rule[name]), name
    if "c1" in rule:
        assert close(shown["1−β1ᵗ"].value, rule["c1"]) and close(shown["1−β2ᵗ"].value, rule["c2"])
    assert close(list(e.before), expected["before"]) and close(list(e.after), expected["after"])
    assert close(e.boundary.intercept, expected["intercept"]) and close(e.boundary.slope, expected["slope"])
    # and the update the panel writes out is the one the trainer took
    np.testing.assert_allclose(trainer.weights, expected["after"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("rule", RULE_CASES)
@pytest.mark.parametrize("loss", ["sse", "bce"])
def test_full_batch_updates_are_written_out_with_their_own_numbers(loss, rule):
    trainer = create_trainer(TrainConfig(seed=3, loss=loss, optimizer=rule, alpha=0.01, momentum=0.9))
    X, y = trainer.data.X_train.tolist(), trainer.data.y_train.tolist()
    for _ in range(3):  # (the rules' memories are not zero from the second update on)
        w, first, second, steps, alpha = _step_and_capture(trainer, trainer.step_epoch)
        _check(trainer, plain(loss, rule, X, y, list(range(len(y))), w, first, second, steps, alpha, 0.9))
    assert trainer.last_update().epoch == 3 and trainer.last_update().batches == 1


@pytest.mark.parametrize("rule", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("loss", ["sse", "bce"])
def test_mini_batch_updates_use_their_own_rows(loss, rule):
    trainer = create_trainer(TrainConfig(seed=1, loss=loss, optimizer=rule, batch_size=32, momentum=0.5))
    X, y = trainer.data.X_train.tolist(), trainer.data.y_train.tolist()
    for k in range(20):  # into the second epoch (16 batches of 32 and one of 20 per epoch)
        w, first, second, steps, alpha = _step_and_capture(trainer, trainer.step_batch)
        start = (k % 16) * 32
        rows = list(range(start, min(start + 32, len(y))))
        _check(trainer, plain(loss, rule, [X[i] for i in rows], [y[i] for i in rows], rows, w, first, second,
                              steps, alpha, 0.5))
    assert (trainer.last_update().epoch, trainer.last_update().batch) == (2, 4)


def test_shuffled_batches_name_the_training_rows_they_used():
    trainer = create_trainer(TrainConfig(seed=2, batch_size=8, shuffle=True, optimizer="nesterov"))
    X, y = trainer.data.X_train.tolist(), trainer.data.y_train.tolist()
    for _ in range(5):
        w, first, second, steps, alpha = _step_and_capture(trainer, trainer.step_batch)
        rows = trainer.last_batch_rows().tolist()
        assert sorted(rows) != list(range(rows[0], rows[0] + 8))  # (really shuffled)
        _check(trainer, plain("sse", "nesterov", [X[i] for i in rows], [y[i] for i in rows], rows, w, first,
                              second, steps, alpha, 0.9))


def test_a_schedule_and_a_change_of_alpha_explain_the_alpha_that_was_used():
    trainer = create_trainer(TrainConfig(seed=0, schedule="exp", decay=0.5))
    for _ in range(3):
        trainer.step_epoch()
    used = trainer.last_update().alpha
    assert used == pytest.approx(0.01 * 0.25)
    trainer.configure(alpha=0.5, loss="bce", optimizer="adam")  # after the update: it explains the one taken
    last = trainer.last_update()
    assert (last.alpha, last.loss, last.rule) == (used, "sse", "gd")


def test_a_long_fused_run_records_its_last_update():
    trainer = create_trainer(TrainConfig(seed=0, optimizer="adam", epochs=50))
    trainer.run()
    last = trainer.last_update()
    assert (last.epoch, last.batch, last.state.steps) == (50, 1, 49)
    np.testing.assert_array_equal(last.weights, trainer.history.weights[49])
    e = explain_update(last, trainer.data.X_train, trainer.data.y_train)
    np.testing.assert_allclose(e.after, trainer.weights, rtol=1e-9)


def test_nothing_to_explain_before_any_update_and_after_a_reset():
    trainer = create_trainer(TrainConfig(seed=0))
    assert trainer.last_update() is None
    trainer.step_epoch()
    trainer.reset()
    assert trainer.last_update() is None


@pytest.mark.parametrize("rule", ["gd", "momentum", "adam"])
def test_a_recorded_full_batch_epoch_is_read_back_from_the_history(rule):
    trainer = create_trainer(TrainConfig(seed=4, optimizer=rule, loss="bce"))
    X, y = trainer.data.X_train.tolist(), trainer.data.y_train.tolist()
    captured = []
    for _ in range(4):
        captured.append(_step_and_capture(trainer, trainer.step_epoch))
    w, first, second, steps, alpha = captured[1]  # epoch 2
    expected = plain("bce", rule, X, y, list(range(len(y))), w, first, second, steps, alpha, 0.9)
    e = explain_update(trainer.last_update(2), trainer.data.X_train, trainer.data.y_train)
    assert e.example.index == expected["top"]
    assert close(list(e.g), expected["g"]) and close(list(e.after), expected["after"])
    assert close(list(e.lines[-1].value), expected["rule"]["step"])


def test_the_history_is_not_read_back_where_it_cannot_be():
    trainer = create_trainer(TrainConfig(seed=0, batch_size=64))
    trainer.step_epoch()
    trainer.step_epoch()
    assert trainer.last_update(1) is None  # a mini-batch epoch: its last batch's start is not kept
    assert trainer.last_update(0) is None
    assert trainer.last_update(2) is not None  # (the latest, from the record)


def test_a_changed_rule_between_epochs_is_read_back_from_a_fresh_memory():
    trainer = create_trainer(TrainConfig(seed=0, optimizer="adam"))
    trainer.step_epoch()
    trainer.configure(optimizer="gd")
    trainer.step_epoch()
    trainer.configure(optimizer="adam")  # the same rule as epoch 1 again, with a fresh memory
    trainer.step_epoch()
    trainer.step_epoch()
    read = trainer.last_update(3)
    assert read is not None and read.rule == "adam" and read.state.steps == 0
    assert trainer.last_update(2).rule == "gd"


def test_a_resumed_session_explains_a_full_batch_epoch_and_says_so_otherwise():
    trainer = create_trainer(TrainConfig(seed=0, optimizer="momentum"))
    for _ in range(3):
        trainer.step_epoch()
    resumed = from_document(to_document(trainer))
    read, kept = resumed.last_update(), trainer.last_update()
    assert read is not None and read.epoch == 3
    np.testing.assert_allclose(read.weights, kept.weights, rtol=0, atol=0)
    np.testing.assert_allclose(read.state.first, kept.state.first, rtol=0, atol=0)
    batches = create_trainer(TrainConfig(seed=0, batch_size=100))
    batches.step_batch()
    assert from_document(to_document(batches)).last_update() is None


def test_a_fork_explains_the_epoch_it_continues_from():
    trainer = create_trainer(TrainConfig(seed=0))
    captured = [_step_and_capture(trainer, trainer.step_epoch) for _ in range(4)]
    trainer.fork(2)
    w = captured[1][0]
    assert trainer.last_update().epoch == 2
    np.testing.assert_array_equal(trainer.last_update().weights, w)


@pytest.mark.parametrize("model", [dict(loss="hinge"), dict(penalty="l2", lam=0.1), dict(features=("x1", "x2", "x1^2")),
                                   dict(loss="softmax", classes=3)])
def test_every_model_keeps_its_last_update(model):
    """Beyond the lesson's model too (tests/engine/test_explain_models.py checks the numbers)."""
    trainer = create_trainer(TrainConfig(seed=0, **model))
    trainer.step_epoch()
    trainer.step_epoch()
    assert trainer.config != TrainConfig(seed=0)
    assert trainer.last_update().epoch == 2 and trainer.last_update(1).epoch == 1
