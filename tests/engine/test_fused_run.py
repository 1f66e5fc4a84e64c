"""The fused full-batch path of `Trainer.run()` records exactly what stepping epoch by epoch records.

`run()` takes a fused path for full-batch runs without shuffling (bulk-written history rows, one
finiteness test per chunk). These tests run the same configuration twice, once through `run()`
and once through `step_epoch()` with the stopping logic written out, and require every recorded
array, the snapshot and the stop reason to be equal to the bit.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gdtui.engine import TrainConfig, Trainer, kernel as trainer_module
from gdtui.engine.config import OPTIMIZERS
from gdtui.engine.data import Dataset, load_dataset, split, with_bias
from gdtui.engine.losses import BLOCK_ROWS

WRONG_SIDE = (0.2, 0.3, 0.4)


@pytest.fixture(scope="module")
def lesson_data():
    return load_dataset(TrainConfig())


@pytest.fixture(scope="module")
def huge_data():
    rng = np.random.default_rng(0)
    points = np.r_[rng.normal(3.0, 1.0, (20, 2)), rng.normal(-3.0, 1.0, (20, 2))] * 1e150
    labels = np.r_[np.ones(20), np.zeros(20)]
    return split(points, labels, 0.5, "huge")


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 epochs, so that stops and divergence fall inside, at and across chunk edges."""
    monkeypatch.setattr(trainer_module, "CHUNK_EPOCHS", 7)


def step_epoch_by_batches(trainer: Trainer) -> bool:
    """An epoch through `step_batch` alone, which never takes the fused path."""
    while True:
        if not trainer.step_batch():
            return False
        if trainer.batch == 0:
            return True


def stepped_run(trainer: Trainer, epochs: int | None = None) -> str | None:
    """`run()` as it reads without the fused path: epochs of step_batch until a stop rule fires."""
    target = trainer.config.epochs if epochs is None else trainer.epoch + epochs
    while trainer.epoch < target:
        if not step_epoch_by_batches(trainer):
            return "diverged"
        reason = trainer.stop_reason
        if reason is not None and reason != "epochs":
            return reason
    return trainer.stop_reason


def assert_same(fused: Trainer, stepped: Trainer) -> None:
    a, b = fused.history, stepped.history
    assert len(a) == len(b)
    columns = {name: (getattr(a, name), getattr(b, name)) for name in ("weights", "directions", "steps", "losses",
                                                                        "alphas")}
    columns["train_accuracy"] = (fused.train_accuracy(), stepped.train_accuracy())
    for name, (left, right) in columns.items():
        np.testing.assert_array_equal(left, right, err_msg=name)
        # to the bit: equal values could still differ in the sign of a zero
        assert left.tobytes() == right.tobytes(), name
    for k in range(len(a)):
        rule_a, state_a = a.optimizer_at(k)
        rule_b, state_b = b.optimizer_at(k)
        assert rule_a == rule_b
        assert state_a.first.tobytes() == state_b.first.tobytes()
        assert state_a.second.tobytes() == state_b.second.tobytes()
        assert state_a.steps == state_b.steps
    assert repr(fused.snapshot()) == repr(stepped.snapshot())
    assert (fused.epoch, fused.batch, fused.diverged) == (stepped.epoch, stepped.batch, stepped.diverged)
    assert fused.weights.tobytes() == stepped.weights.tobytes()


def twins(data: Dataset, **options) -> tuple[Trainer, Trainer]:
    options.setdefault("init_weights", WRONG_SIDE)
    options.setdefault("seed", 0)
    return Trainer(data, TrainConfig(**options)), Trainer(data, TrainConfig(**options))


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("loss", ["sse", "bce"])
def test_fused_run_equals_stepping(lesson_data, small_chunks, loss, optimizer):
    fused, stepped = twins(lesson_data, loss=loss, optimizer=optimizer, epochs=30)
    assert fused.run() == stepped_run(stepped) == "epochs"
    assert_same(fused, stepped)


@pytest.mark.parametrize("options", [
    {"tol": 2.0, "epochs": 500},
    {"patience": 3, "alpha": 0.1, "epochs": 500, "loss": "bce"},
    {"patience": 5, "tol": 1e-12, "alpha": 10.0, "epochs": 500, "loss": "bce", "optimizer": "adam"},
    {"patience": 7, "init_weights": (0.0, 1e5, 1e5), "epochs": 500},
    {"tol": 0.5, "epochs": 500, "loss": "bce", "optimizer": "momentum"},
], ids=["tol", "patience", "adam-patience", "flat-patience", "bce-momentum-tol"])
def test_fused_run_stops_where_stepping_stops(lesson_data, small_chunks, options):
    fused, stepped = twins(lesson_data, **options)
    reason = fused.run()
    assert reason == stepped_run(stepped)
    assert reason in ("tol", "patience")
    assert_same(fused, stepped)
    # and a run continued afterwards (best loss and patience carried over) still agrees
    fused.configure(epochs=600)
    stepped.configure(epochs=600)
    assert fused.run() == stepped_run(stepped)
    assert_same(fused, stepped)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov"])
def test_fused_run_diverges_where_stepping_diverges(huge_data, small_chunks, optimizer):
    fused, stepped = twins(huge_data, loss="bce", alpha=1e6, optimizer=optimizer, init_weights=(0.0, -1.0, -1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fused.run() == stepped_run(stepped) == "diverged"
    assert_same(fused, stepped)


@pytest.mark.parametrize("optimizer", ["adagrad", "rmsprop", "adam"])
def test_an_overflowing_state_in_a_fused_run_is_divergence(optimizer):
    X = with_bias(np.array([(0.0, 0.0), (0.0, 0.0), (0.0, 1e160)]))
    y = np.array([0.0, 1.0, 0.0])
    data = Dataset("tiny", X, y, X.copy(), y.copy())
    fused, stepped = twins(data, optimizer=optimizer, alpha=1.0, init_weights=(0.0, 0.0, 0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fused.run() == stepped_run(stepped) == "diverged"
    assert fused.epoch == 0
    assert_same(fused, stepped)


def test_runs_in_pieces_and_after_changes_equal_stepping(lesson_data, small_chunks):
    fused, stepped = twins(lesson_data, epochs=100)
    for count, change in ((5, {"alpha": 0.05}), (9, {"optimizer": "nesterov"}), (14, {"batch_size": 64}),
                          (3, {"batch_size": None}), (20, {"optimizer": "gd", "loss": "bce"}), (30, {})):
        assert fused.run(count) == stepped_run(stepped, count)
        assert_same(fused, stepped)
        fused.configure(**change)
        stepped.configure(**change)
    # a half-finished mini-batch epoch is finished by stepping, then the run goes on fused
    fused.configure(batch_size=100)
    stepped.configure(batch_size=100)
    fused.run(1), stepped_run(stepped, 1)
    fused.step_batch(), stepped.step_batch()
    fused.step_epoch(), step_epoch_by_batches(stepped)
    fused.configure(batch_size=None)
    stepped.configure(batch_size=None)
    assert fused.run(10) == stepped_run(stepped, 10)
    assert_same(fused, stepped)


def test_fork_and_rewind_after_a_fused_run(lesson_data, small_chunks):
    fused, stepped = twins(lesson_data, optimizer="momentum", epochs=40)
    fused.run(), stepped_run(stepped)
    assert fused.fork(17) == stepped.fork(17) == 23
    assert repr(fused.snapshot_at(9)) == repr(stepped.snapshot_at(9))
    fused.run(), stepped_run(stepped)
    assert_same(fused, stepped)


def test_long_runs_cross_the_chunk_size(lesson_data):
    epochs = trainer_module.CHUNK_EPOCHS + 37
    fused, stepped = twins(lesson_data, epochs=epochs)
    assert fused.run() == stepped_run(stepped) == "epochs"
    assert_same(fused, stepped)


@pytest.mark.parametrize("loss", ["sse", "bce"])
def test_batches_longer_than_a_block_equal_stepping(loss):
    data = load_dataset(TrainConfig(samples=2 * BLOCK_ROWS + 2 * 1234))  # 1.x blocks of training rows
    assert len(data.y_train) > BLOCK_ROWS
    fused, stepped = twins(data, loss=loss, epochs=4, alpha=1e-4, seed=3, init_weights=None)
    assert fused.run() == stepped_run(stepped)
    assert_same(fused, stepped)


@pytest.mark.parametrize("options", [{}, {"loss": "bce", "optimizer": "rmsprop"}], ids=["sse-gd", "bce-rmsprop"])
def test_step_epoch_in_full_batch_mode_equals_stepping_batches(lesson_data, small_chunks, options):
    fused, stepped = twins(lesson_data, **options)
    for _ in range(9):
        assert fused.step_epoch() is step_epoch_by_batches(stepped) is True
    assert_same(fused, stepped)


def test_step_epoch_refuses_a_diverging_full_batch_epoch(huge_data):
    fused, stepped = twins(huge_data, loss="bce", alpha=1e6, init_weights=(0.0, -1.0, -1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        results = [fused.step_epoch() for _ in range(4)]
        expected = [step_epoch_by_batches(stepped) for _ in range(4)]
    assert results == expected and results[-1] is False
    assert fused.diverged and fused.stop_reason == "diverged"
    assert_same(fused, stepped)
