"""The trainer: stopping rules, divergence, stepping granularity, history, seeds, reset, configure, snapshots."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest

from gdtui.engine import ConfigError, Snapshot, TrainConfig, Trainer, create_trainer
from gdtui.engine.data import Dataset, load_dataset, split, with_bias
from gdtui.engine.history import History
from gdtui.engine.optim import OptState

WRONG_SIDE = (0.2, 0.3, 0.4)


@pytest.fixture(scope="module")
def lesson_data():
    return load_dataset(TrainConfig())


def make(data, **changes):
    changes.setdefault("init_weights", WRONG_SIDE)
    changes.setdefault("seed", 0)
    return Trainer(data, TrainConfig(**changes))


def ref_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def ref_sse(X, y, w):
    return float(np.sum((ref_sigmoid(X @ w) - y) ** 2))


def ref_sse_direction(X, y, w):
    p = ref_sigmoid(X @ w)
    return X.T @ ((p - y) * p * (1.0 - p))


def all_finite(trainer):
    h = trainer.history
    return all(np.isfinite(a).all() for a in (h.weights, h.directions, h.steps, h.losses, trainer.train_accuracy()))


# ---- stopping rules ------------------------------------------------------------------------------


def first_below(losses, tol):
    return next((k for k in range(1, len(losses)) if losses[k] < tol), None)


def patience_stop(losses, patience):
    """Independent reading of 'stop after `patience` epochs without a new best loss'."""
    best, best_epoch = math.inf, 0
    for k in range(1, len(losses)):
        if losses[k] < best:
            best, best_epoch = losses[k], k
        if k - best_epoch >= patience:
            return k
    return None


@pytest.mark.parametrize("batch_size", [None, 32])
def test_tol_stops_on_the_first_epoch_whose_loss_is_below_tol(lesson_data, batch_size):
    free = make(lesson_data, batch_size=batch_size)
    free.run()
    tol = 1.0 if batch_size is None else 0.2
    expected = first_below(free.history.losses, tol)
    assert expected is not None and 2 < expected < 100  # the rule has to fire mid-run to be tested

    stopped = make(lesson_data, batch_size=batch_size, tol=tol)
    assert stopped.run() == "tol"
    assert stopped.epoch == expected
    assert stopped.stop_reason == "tol"
    assert stopped.snapshot().stop_reason == "tol"
    losses = stopped.history.losses
    assert losses[-1] < tol and np.all(losses[1:-1] >= tol)
    np.testing.assert_array_equal(losses, free.history.losses[: expected + 1])


def test_tol_is_checked_epoch_by_epoch(lesson_data):
    free = make(lesson_data)
    free.run()
    tol = 1.0
    expected = first_below(free.history.losses, tol)
    trainer = make(lesson_data, tol=tol)
    reasons = []
    while trainer.stop_reason is None:
        trainer.step_epoch()
        reasons.append(trainer.stop_reason)
    assert len(reasons) == expected
    assert reasons[:-1] == [None] * (expected - 1) and reasons[-1] == "tol"


def test_tol_ignores_the_initial_loss(lesson_data):
    # a tol above the initial loss still trains one epoch (the rule reads epoch losses only)
    trainer = make(lesson_data, tol=1e9)
    assert trainer.stop_reason is None
    assert trainer.run() == "tol"
    assert trainer.epoch == 1


@pytest.mark.parametrize("patience", [1, 3, 5, 10])
def test_patience_stops_at_the_right_epoch(lesson_data, patience):
    # bce with alpha 0.1 overshoots: epoch 2 is far worse than epoch 1 and the loss takes ~16 epochs to recover
    free = make(lesson_data, loss="bce", alpha=0.1)
    free.run()
    expected = patience_stop(free.history.losses, patience)
    assert expected is not None and expected < 100
    assert expected == 1 + patience  # epoch 1 stays the best for longer than any of these patiences

    trainer = make(lesson_data, loss="bce", alpha=0.1, patience=patience)
    assert trainer.run() == "patience"
    assert trainer.epoch == expected
    np.testing.assert_array_equal(trainer.history.losses, free.history.losses[: expected + 1])


def test_patience_does_not_fire_when_the_loss_keeps_improving(lesson_data):
    free = make(lesson_data)
    free.run()
    assert np.all(np.diff(free.history.losses[1:]) < 0)
    trainer = make(lesson_data, patience=1)
    assert trainer.run() == "epochs"
    assert trainer.epoch == 100


def test_patience_counts_from_the_latest_best(lesson_data):
    # ten improving epochs, then an overshooting alpha: the count starts at the latest best, not at epoch 1
    trainer = make(lesson_data, loss="bce", alpha=0.001, patience=5)
    assert trainer.run(10) is None
    assert np.all(np.diff(trainer.history.losses[1:]) < 0)
    trainer.configure(alpha=5.0)
    assert trainer.run() == "patience"
    # epoch 11's loss is measured before its (overshooting) update, so 11 is still a new best: 11 + 5
    assert trainer.epoch == 16
    assert patience_stop(trainer.history.losses, 5) == 16
    losses = trainer.history.losses
    assert losses[11] < losses[10] and np.all(losses[12:] > losses[11])


def test_patience_on_a_flat_loss(lesson_data):
    # saturated sigmoid: p (1 - p) == 0 (to ~1e-300) for every row, the sse loss never changes
    trainer = make(lesson_data, init_weights=(0.0, 1e5, 1e5), patience=7)
    assert trainer.run() == "patience"
    assert trainer.epoch == 8
    assert len(set(trainer.history.losses[1:].tolist())) == 1


def test_epochs_limit(lesson_data):
    trainer = make(lesson_data, epochs=7)
    assert trainer.stop_reason is None
    assert trainer.run() == "epochs"
    assert trainer.epoch == 7 and len(trainer.history) == 8
    assert trainer.stop_reason == "epochs"
    assert trainer.run() == "epochs"  # nothing more to do
    assert trainer.epoch == 7


def test_run_with_a_count_runs_that_many_epochs(lesson_data):
    trainer = make(lesson_data)
    assert trainer.run(3) is None
    assert trainer.epoch == 3
    assert trainer.run(4) is None
    assert trainer.epoch == 7
    reference = make(lesson_data)
    for _ in range(7):
        reference.step_epoch()
    np.testing.assert_array_equal(trainer.weights, reference.weights)


def test_run_with_a_count_still_stops_on_tol(lesson_data):
    free = make(lesson_data)
    free.run()
    expected = first_below(free.history.losses, 1.0)
    trainer = make(lesson_data, tol=1.0)
    assert trainer.run(expected + 20) == "tol"
    assert trainer.epoch == expected


# ---- divergence --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huge_data():
    """Two separable clusters at coordinates ~1e150 (too big for alpha 1e6 with bce)."""
    rng = np.random.default_rng(0)
    points = np.r_[rng.normal(3.0, 1.0, (20, 2)), rng.normal(-3.0, 1.0, (20, 2))] * 1e150
    labels = np.r_[np.ones(20), np.zeros(20)]
    return split(points, labels, 0.5, "huge")


def test_divergence_keeps_the_last_finite_weights(huge_data):
    trainer = make(huge_data, loss="bce", alpha=1e6, init_weights=(0.0, -1.0, -1.0))
    assert trainer.run() == "diverged"
    assert trainer.diverged
    assert trainer.stop_reason == "diverged"
    assert trainer.epoch >= 1  # one enormous but finite step was taken first
    w = trainer.weights
    assert np.all(np.isfinite(w))
    assert np.abs(w).max() > 1e100
    np.testing.assert_array_equal(w, trainer.history.weights[-1])
    assert all_finite(trainer)
    snap = trainer.snapshot()
    assert snap.stop_reason == "diverged"
    assert all(math.isfinite(v) for v in snap.weights + snap.direction + snap.last_step)
    assert math.isfinite(snap.loss)


def test_a_refused_step_changes_nothing(huge_data):
    trainer = make(huge_data, loss="bce", alpha=1e6, optimizer="momentum", init_weights=(0.0, -1.0, -1.0))
    trainer.run()
    assert trainer.diverged
    before = (trainer.weights, trainer.epoch, trainer.batch, len(trainer.history), trainer.snapshot())
    assert trainer.step_batch() is False
    assert trainer.step_epoch() is False
    after = (trainer.weights, trainer.epoch, trainer.batch, len(trainer.history), trainer.snapshot())
    np.testing.assert_array_equal(before[0], after[0])
    assert before[1:] == after[1:]


def test_divergence_mid_epoch_keeps_the_weights_of_the_last_good_batch(huge_data):
    trainer = make(huge_data, loss="bce", alpha=1e6, optimizer="momentum", batch_size=4,
                   init_weights=(0.0, -1.0, -1.0))
    seen = [trainer.weights]
    while trainer.step_batch():
        seen.append(trainer.weights)
        assert len(seen) < 100
    assert trainer.diverged and trainer.stop_reason == "diverged"
    np.testing.assert_array_equal(trainer.weights, seen[-1])
    assert np.all(np.isfinite(trainer.weights))
    assert all_finite(trainer)
    assert trainer.history.losses.size == trainer.epoch + 1


def test_configure_clears_the_diverged_verdict(huge_data):
    trainer = make(huge_data, loss="bce", alpha=1e6, init_weights=(0.0, -1.0, -1.0))
    trainer.run()
    assert trainer.diverged
    trainer.configure(alpha=1e-3)
    assert not trainer.diverged
    assert trainer.stop_reason is None
    w = trainer.weights
    # from those weights the logits are ~1e308: the next step is refused again, honestly
    assert trainer.step_epoch() is False
    assert trainer.stop_reason == "diverged"
    np.testing.assert_array_equal(trainer.weights, w)


def test_csv_with_huge_coordinates_diverges_cleanly(tmp_path):
    rng = np.random.default_rng(3)
    rows = []
    for label, centre in (("a", 2.0), ("b", -2.0)):
        for x1, x2 in rng.normal(centre, 1.0, (15, 2)) * 1e200:
            rows.append(f"{float(x1)!r},{float(x2)!r},{label}")
    path = tmp_path / "huge.csv"
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    trainer = create_trainer(TrainConfig(dataset=str(path), loss="bce", alpha=1e6, init_weights=(0.0, 1.0, 1.0),
                                         seed=0, epochs=50))
    reason = trainer.run()
    assert reason == "diverged"
    assert np.all(np.isfinite(trainer.weights))
    assert all_finite(trainer)


def tiny_dataset(points, labels):
    X = with_bias(np.array(points, dtype=float))
    y = np.array(labels, dtype=float)
    return Dataset("tiny", X, y, X.copy(), y.copy())


@pytest.mark.parametrize("optimizer", ["adagrad", "rmsprop", "adam"])
def test_an_overflowing_optimizer_state_is_divergence(optimizer):
    # |g| ~ 6e158 is finite, g*g is not: the adaptive rule's memory would become inf and its steps 0 forever
    data = tiny_dataset([(0.0, 0.0), (0.0, 0.0), (0.0, 1e160)], [0, 1, 0])
    trainer = Trainer(data, TrainConfig(optimizer=optimizer, alpha=1.0, init_weights=(0.0, 0.0, 0.0), seed=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert trainer.step_epoch() is False
    assert trainer.stop_reason == "diverged"
    np.testing.assert_array_equal(trainer.weights, np.zeros(3))
    for entry in trainer.snapshot().optimizer_state:
        assert entry[-1] == (0.0, 0.0, 0.0)  # the refused update left no trace in the state


def test_a_diverged_shuffled_run_stays_stopped_until_configured():
    # one row has a logit of +inf; with shuffling a retry would start a NEW permutation and might step on
    data = tiny_dataset([(0.0, 0.0)] * 3 + [(0.0, 2.0**1023)] + [(0.0, 0.0)] * 2, [0, 0, 0, 1, 0, 0])
    trainer = Trainer(data, TrainConfig(loss="bce", alpha=1.0, batch_size=1, shuffle=True, seed=0,
                                        init_weights=(0.0, 0.0, 2.0)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(7):
            if not trainer.step_batch():
                break
        assert trainer.diverged
        # (repr: the initial row's loss is nan here, the sum over rows with an infinite logit)
        before = (trainer.weights.tolist(), trainer.epoch, trainer.batch, len(trainer.history),
                  repr(trainer.snapshot()))
        for _ in range(10):
            assert trainer.step_batch() is False
            assert trainer.step_epoch() is False
        after = (trainer.weights.tolist(), trainer.epoch, trainer.batch, len(trainer.history),
                 repr(trainer.snapshot()))
    assert before == after
    assert trainer.stop_reason == "diverged"
    trainer.configure(alpha=0.5)
    assert trainer.stop_reason is None


def test_an_overflowing_epoch_record_is_divergence():
    # each batch direction (1, 1e308, 0) is finite; their sum over the epoch is not
    data = tiny_dataset([(1e308, 0.0), (1e308, 0.0), (0.0, 0.0), (0.0, 1.0)], [0, 0, 1, 1])
    trainer = Trainer(data, TrainConfig(loss="bce", alpha=1e-320, batch_size=1, init_weights=(0.0, 1.0, 0.0),
                                        seed=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert trainer.step_batch() is True
        assert trainer.step_batch() is False
    assert trainer.stop_reason == "diverged"
    assert (trainer.epoch, trainer.batch) == (0, 1)
    assert np.all(np.isfinite(trainer.weights))


def test_the_epoch_loss_is_the_mean_even_when_the_sum_would_overflow():
    # batch losses 1e308, 1e308, log 2, log 2: their sum is inf, their mean 5e307
    data = tiny_dataset([(1e302, 0.0), (1e302, 0.0), (0.0, 0.0), (0.0, 1.0)], [0, 0, 1, 1])
    trainer = Trainer(data, TrainConfig(loss="bce", alpha=1e-320, batch_size=1, init_weights=(0.0, 1e6, 0.0),
                                        seed=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert trainer.step_epoch() is True
    assert not trainer.diverged
    expected = 1e308 / 4 + 1e308 / 4 + math.log(2) / 4 + math.log(2) / 4
    assert trainer.history.losses[1] == pytest.approx(expected, rel=1e-12)
    assert np.all(np.isfinite(trainer.history.directions)) and np.all(np.isfinite(trainer.history.steps))


# ---- stepping granularity ------------------------------------------------------------------------


def test_step_batch_counts_batches_and_closes_epochs(lesson_data):
    trainer = make(lesson_data, batch_size=32)
    assert trainer.batches_per_epoch == 16  # 500 rows: 15 of 32 and one of 20
    assert trainer.snapshot().batches_per_epoch == 16
    X, y = lesson_data.X_train, lesson_data.y_train
    batch_losses, directions = [], []
    for k in range(1, 17):
        w = trainer.weights
        assert trainer.step_batch() is True
        rows = trainer.last_batch_rows()
        expected_rows = np.arange(32 * (k - 1), min(500, 32 * k))
        np.testing.assert_array_equal(rows, expected_rows)
        batch_losses.append(ref_sse(X[rows], y[rows], w))
        directions.append(ref_sse_direction(X[rows], y[rows], w))
        np.testing.assert_allclose(trainer.snapshot().direction, directions[-1], rtol=1e-10)
        np.testing.assert_allclose(trainer.weights, w - 0.01 * directions[-1], rtol=1e-12, atol=1e-15)
        if k < 16:
            assert (trainer.epoch, trainer.batch, len(trainer.history)) == (0, k, 1)
            assert trainer.snapshot().batch == k
        else:
            assert (trainer.epoch, trainer.batch, len(trainer.history)) == (1, 0, 2)
    assert len(rows) == 20
    hist = trainer.history
    assert hist.losses[1] == pytest.approx(np.mean(batch_losses), rel=1e-12)
    np.testing.assert_allclose(hist.directions[1], np.sum(directions, axis=0), rtol=1e-10)
    np.testing.assert_allclose(hist.steps[1], hist.weights[1] - hist.weights[0], rtol=1e-15, atol=0)


def test_step_epoch_mid_epoch_finishes_the_epoch(lesson_data):
    trainer = make(lesson_data, batch_size=32)
    for _ in range(5):
        trainer.step_batch()
    assert trainer.step_epoch() is True
    assert (trainer.epoch, trainer.batch, len(trainer.history)) == (1, 0, 2)
    whole = make(lesson_data, batch_size=32)
    whole.step_epoch()
    np.testing.assert_array_equal(trainer.weights, whole.weights)
    np.testing.assert_array_equal(trainer.history.losses, whole.history.losses)
    # and at a boundary step_epoch does a whole epoch of 16 batches
    trainer.step_epoch()
    assert trainer.epoch == 2
    for _ in range(16):
        whole.step_batch()
    np.testing.assert_array_equal(trainer.weights, whole.weights)


def test_full_batch_step_batch_is_an_epoch(lesson_data):
    trainer = make(lesson_data)
    assert trainer.batches_per_epoch == 1
    assert trainer.step_batch() is True
    assert (trainer.epoch, trainer.batch) == (1, 0)
    np.testing.assert_array_equal(trainer.last_batch_rows(), np.arange(500))


def test_batch_larger_than_the_data_is_one_batch(lesson_data):
    trainer = make(lesson_data, batch_size=10_000)
    assert trainer.batch_rows == 500 and trainer.batches_per_epoch == 1
    full = make(lesson_data)
    trainer.step_epoch()
    full.step_epoch()
    np.testing.assert_array_equal(trainer.weights, full.weights)


def test_a_new_batch_size_applies_from_the_next_epoch(lesson_data):
    trainer = make(lesson_data, batch_size=32)
    for _ in range(5):
        trainer.step_batch()
    trainer.configure(batch_size=100)
    assert trainer.snapshot().batch_size == 100
    # the epoch under way keeps its 16 batches of 32 rows ...
    assert trainer.snapshot().batches_per_epoch == 16
    for k in range(6, 16):
        trainer.step_batch()
        assert trainer.batch == k and trainer.snapshot().batches_per_epoch == 16
        assert len(trainer.last_batch_rows()) == 32
    trainer.step_batch()
    assert (trainer.epoch, trainer.batch) == (1, 0)
    # ... and the next one has 5 of 100
    assert trainer.batches_per_epoch == 5
    for k in range(1, 6):
        trainer.step_batch()
        assert len(trainer.last_batch_rows()) == 100
    assert (trainer.epoch, trainer.batch) == (2, 0)


# ---- history ----------------------------------------------------------------------------------


def test_history_arrays_have_one_row_per_epoch_and_are_read_only(lesson_data):
    trainer = make(lesson_data, epochs=12)
    trainer.run()
    h = trainer.history
    assert len(h) == 13
    assert h.weights.shape == (13, 3) and h.directions.shape == (13, 3) and h.steps.shape == (13, 3)
    assert h.losses.shape == (13,) and trainer.train_accuracy().shape == (13,)
    for array in (h.weights, h.directions, h.steps, h.losses, trainer.train_accuracy()):
        assert not array.flags.writeable
        with pytest.raises(ValueError):
            array[0] = 1.0
    np.testing.assert_array_equal(h.weights[0], WRONG_SIDE)
    np.testing.assert_array_equal(h.directions[0], np.zeros(3))
    np.testing.assert_array_equal(h.steps[0], np.zeros(3))
    X, y = lesson_data.X_train, lesson_data.y_train
    assert h.losses[0] == pytest.approx(ref_sse(X, y, np.array(WRONG_SIDE)), rel=1e-12)
    np.testing.assert_allclose(h.steps[1:], np.diff(h.weights, axis=0), rtol=1e-15, atol=0)
    np.testing.assert_allclose(h.steps[1:], -0.01 * h.directions[1:], rtol=1e-12)
    # full batch: the accuracy of epoch k is measured with the weights in force during it
    expected_acc = [np.mean((ref_sigmoid(X @ w) > 0.5) == (y == 1)) for w in h.weights[:-1]]
    np.testing.assert_allclose(trainer.train_accuracy()[1:], expected_acc, rtol=0, atol=0)
    np.testing.assert_array_equal(trainer.weights, h.weights[-1])


def append(h, weights, direction, step, loss, accuracy, state, optimizer, alpha):
    """One row through the history's block interface, as the trainer records an epoch."""
    row = h.reserve(1)
    row.weights[0], row.directions[0], row.steps[0], row.losses[0] = weights, direction, step, loss
    row.accuracy[0], row.state[0], row.alphas[0] = accuracy, state.pack(), alpha
    h.commit(1, optimizer)


def test_history_grows_past_its_initial_capacity():
    h = History((3,), capacity=2)
    rows = [(np.full(3, k), np.full(3, -k), np.full(3, 2 * k), float(k) / 3, k / 100,
             OptState(np.full(3, k + 0.5), np.full(3, k + 0.25), k), "adam" if k % 2 else "gd", k / 10)
            for k in range(11)]
    for row in rows:
        append(h, *row)
    assert len(h) == 11
    np.testing.assert_array_equal(h.weights, [r[0] for r in rows])
    np.testing.assert_array_equal(h.directions, [r[1] for r in rows])
    np.testing.assert_array_equal(h.steps, [r[2] for r in rows])
    np.testing.assert_array_equal(h.losses, [r[3] for r in rows])
    np.testing.assert_array_equal(h.recorded_accuracy, [r[4] for r in rows])
    np.testing.assert_array_equal(h.alphas, [r[7] for r in rows])
    for k in (0, 3, 10):
        rule, state = h.optimizer_at(k)
        assert rule == rows[k][6]
        np.testing.assert_array_equal(state.first, rows[k][5].first)
        np.testing.assert_array_equal(state.second, rows[k][5].second)
        assert state.steps == k
    h.truncate(4)
    assert len(h) == 4 and h.losses.shape == (4,)
    with pytest.raises(IndexError):
        h.optimizer_at(4)
    append(h, np.zeros(3), np.zeros(3), np.zeros(3), 9.5, 0.5, OptState.zeros((3,)), "nesterov", 0.3)
    assert h.losses[-1] == 9.5 and len(h) == 5 and h.optimizer_at(4)[0] == "nesterov"


def test_trainer_history_grows_when_the_epoch_limit_is_raised(lesson_data):
    short = make(lesson_data, epochs=3)
    short.run()
    short.configure(epochs=300)
    assert short.run() == "epochs"
    long = make(lesson_data, epochs=300)
    long.run()
    assert len(short.history) == 301
    np.testing.assert_array_equal(short.history.losses, long.history.losses)
    np.testing.assert_array_equal(short.history.weights, long.history.weights)


# ---- seeds ------------------------------------------------------------------------------------


def test_the_seed_fixes_the_initial_weights(lesson_data):
    a = Trainer(lesson_data, TrainConfig(seed=5))
    b = Trainer(lesson_data, TrainConfig(seed=5))
    c = Trainer(lesson_data, TrainConfig(seed=6))
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)
    # a standard-normal draw, like the lesson's np.random.randn(3, 1)
    np.testing.assert_array_equal(a.weights, np.random.default_rng(5).standard_normal(3))


def test_a_missing_seed_is_drawn_and_reported(lesson_data):
    a = Trainer(lesson_data, TrainConfig())
    assert isinstance(a.config.seed, int) and 0 <= a.config.seed < 2**32
    b = Trainer(lesson_data, TrainConfig(seed=a.config.seed))
    np.testing.assert_array_equal(a.weights, b.weights)


def test_init_weights_override_the_seed(lesson_data):
    a = make(lesson_data, seed=1)
    b = make(lesson_data, seed=2)
    np.testing.assert_array_equal(a.weights, WRONG_SIDE)
    np.testing.assert_array_equal(b.weights, WRONG_SIDE)
    # without shuffling the seed changes nothing else
    a.run(10)
    b.run(10)
    np.testing.assert_array_equal(a.history.weights, b.history.weights)


def test_shuffle_with_the_same_seed_is_reproducible_and_different_seeds_differ(lesson_data):
    runs = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        t = make(lesson_data, batch_size=32, shuffle=True, seed=seed)
        t.run(5)
        runs[name] = t.history
    np.testing.assert_array_equal(runs["a"].weights, runs["b"].weights)
    np.testing.assert_array_equal(runs["a"].losses, runs["b"].losses)
    assert not np.array_equal(runs["a"].weights, runs["c"].weights)
    unshuffled = make(lesson_data, batch_size=32, seed=7)
    unshuffled.run(5)
    assert not np.array_equal(runs["a"].weights, unshuffled.history.weights)


def test_shuffled_epochs_visit_every_row_once_in_a_new_order(lesson_data):
    trainer = make(lesson_data, batch_size=32, shuffle=True, seed=3)
    X, y = lesson_data.X_train, lesson_data.y_train
    orders = []
    for _ in range(2):
        seen, losses = [], []
        for _ in range(16):
            w = trainer.weights
            trainer.step_batch()
            rows = trainer.last_batch_rows()
            seen.append(rows)
            losses.append(ref_sse(X[rows], y[rows], w))
        order = np.concatenate(seen)
        np.testing.assert_array_equal(np.sort(order), np.arange(500))
        assert not np.array_equal(order, np.arange(500))
        assert trainer.history.losses[-1] == pytest.approx(np.mean(losses), rel=1e-12)
        orders.append(order)
    assert not np.array_equal(orders[0], orders[1])


# ---- reset ------------------------------------------------------------------------------------


def test_reset_draws_fresh_weights_and_forgets_everything(lesson_data):
    trainer = Trainer(lesson_data, TrainConfig(seed=9, optimizer="adam"))
    first = trainer.weights
    trainer.run(4)
    trainer.step_batch()
    trainer.reset()
    rng = np.random.default_rng(9)
    rng.standard_normal(3)
    np.testing.assert_array_equal(trainer.weights, rng.standard_normal(3))  # the next draw, not the first
    assert not np.array_equal(trainer.weights, first)
    assert (trainer.epoch, trainer.batch, len(trainer.history)) == (0, 0, 1)
    np.testing.assert_array_equal(trainer.history.weights[0], trainer.weights)
    assert trainer.stop_reason is None
    for entry in trainer.snapshot().optimizer_state:
        assert entry[-1] == (0.0, 0.0, 0.0)
    X, y = lesson_data.X_train, lesson_data.y_train
    assert trainer.history.losses[0] == pytest.approx(ref_sse(X, y, trainer.weights), rel=1e-12)


def test_reset_to_given_weights(lesson_data):
    trainer = make(lesson_data)
    trainer.run(3)
    trainer.reset(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(trainer.weights, [1.0, 2.0, 3.0])
    fresh = make(lesson_data, init_weights=(1.0, 2.0, 3.0))
    trainer.run(3)
    fresh.run(3)
    np.testing.assert_array_equal(trainer.history.weights, fresh.history.weights)


def test_reset_clears_divergence(huge_data):
    trainer = make(huge_data, loss="bce", alpha=1e6, init_weights=(0.0, -1.0, -1.0))
    trainer.run()
    assert trainer.diverged
    trainer.reset(np.zeros(3))
    assert not trainer.diverged and trainer.stop_reason is None


# ---- configure --------------------------------------------------------------------------------

BAD_CHANGES = [
    {"alpha": 0.0}, {"alpha": -0.1}, {"alpha": 2e6}, {"alpha": float("nan")}, {"alpha": float("inf")},
    {"alpha": True}, {"momentum": 1.0}, {"momentum": -0.1}, {"batch_size": 0}, {"batch_size": 2.5},
    {"optimizer": "sgd"}, {"loss": "mse"}, {"epochs": 0}, {"tol": 0.0}, {"tol": -1.0},
    {"patience": 0}, {"shuffle": "yes"}, {"alpha": 0.5, "momentum": 1.5},
]


@pytest.mark.parametrize("changes", BAD_CHANGES, ids=[str(c) for c in BAD_CHANGES])
def test_configure_rejects_bad_values_and_changes_nothing(lesson_data, changes):
    trainer = make(lesson_data, optimizer="adam", batch_size=32)
    for _ in range(20):
        trainer.step_batch()
    config, weights, snap, rows = trainer.config, trainer.weights, trainer.snapshot(), len(trainer.history)
    with pytest.raises(ConfigError):
        trainer.configure(**changes)
    assert trainer.config == config
    np.testing.assert_array_equal(trainer.weights, weights)
    assert trainer.snapshot() == snap
    assert len(trainer.history) == rows
    # and training continues exactly as an untouched twin
    twin = make(lesson_data, optimizer="adam", batch_size=32)
    for _ in range(20):
        twin.step_batch()
    trainer.step_epoch()
    twin.step_epoch()
    np.testing.assert_array_equal(trainer.weights, twin.weights)


@pytest.mark.parametrize("changes", [{"seed": 3}, {"init_weights": (0.0, 0.0, 0.0)}, {"dataset": "moons"},
                                     {"samples": 50}, {"test_size": 0.2}])
def test_configure_refuses_what_fixes_the_data_or_the_start(lesson_data, changes):
    trainer = make(lesson_data)
    config = trainer.config
    with pytest.raises(ValueError):
        trainer.configure(**changes)
    assert trainer.config == config


def test_a_rejected_configure_keeps_the_diverged_verdict(huge_data):
    trainer = make(huge_data, loss="bce", alpha=1e6, init_weights=(0.0, -1.0, -1.0))
    trainer.run()
    with pytest.raises(ConfigError):
        trainer.configure(alpha=-1.0)
    assert trainer.diverged


def test_configure_applies_valid_changes(lesson_data):
    trainer = make(lesson_data)
    trainer.configure(alpha=0.05, momentum=0.5, optimizer="nesterov", loss="bce", tol=0.5, patience=4, epochs=9)
    cfg = trainer.config
    assert (cfg.alpha, cfg.momentum, cfg.optimizer, cfg.loss, cfg.tol, cfg.patience, cfg.epochs) == \
        (0.05, 0.5, "nesterov", "bce", 0.5, 4, 9)
    snap = trainer.snapshot()
    assert (snap.alpha, snap.momentum, snap.optimizer, snap.loss_name) == (0.05, 0.5, "nesterov", "bce")


def test_changing_the_loss_changes_the_update(lesson_data):
    trainer = make(lesson_data)
    trainer.step_epoch()
    trainer.configure(loss="bce")
    w = trainer.weights
    trainer.step_epoch()
    X, y = lesson_data.X_train, lesson_data.y_train
    np.testing.assert_allclose(trainer.weights, w - 0.01 * X.T @ (ref_sigmoid(X @ w) - y), rtol=1e-12)


# ---- snapshots ---------------------------------------------------------------------------------


def test_snapshot_holds_plain_values(lesson_data):
    trainer = make(lesson_data, optimizer="adam", batch_size=32)
    for _ in range(3):
        trainer.step_batch()
    snap = trainer.snapshot()
    assert isinstance(snap, Snapshot)
    for name in ("epoch", "batch", "batches_per_epoch"):
        assert type(getattr(snap, name)) is int
    for name in ("loss", "train_accuracy", "test_accuracy", "alpha", "momentum"):
        assert type(getattr(snap, name)) is float, name
    for name in ("weights", "last_step", "direction"):
        value = getattr(snap, name)
        assert type(value) is tuple and len(value) == 3 and all(type(v) is float for v in value), name
    assert isinstance(snap.optimizer_state, tuple) and len(snap.optimizer_state) == 2
    for entry in snap.optimizer_state:
        assert type(entry) is tuple and all(type(part) is str for part in entry[:-1])
        assert type(entry[-1]) is tuple and len(entry[-1]) == 3 and all(type(v) is float for v in entry[-1])
    for value in dataclasses.astuple(snap):
        assert not isinstance(value, np.ndarray)
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.epoch = 5  # type: ignore[misc]


def test_snapshot_values_describe_the_trainer(lesson_data):
    trainer = make(lesson_data)
    trainer.run(4)
    snap = trainer.snapshot()
    X, y = lesson_data.X_train, lesson_data.y_train
    Xt, yt = lesson_data.X_test, lesson_data.y_test
    w = trainer.weights
    assert snap.weights == tuple(w.tolist())
    assert snap.epoch == 4 and snap.batch == 0
    assert snap.loss == trainer.history.losses[-1]
    # full batch: the last update's step is the epoch's change of the weights (up to rounding)
    np.testing.assert_allclose(snap.last_step, trainer.history.steps[-1], rtol=1e-12, atol=0)
    assert snap.direction == tuple(trainer.history.directions[-1].tolist())
    assert snap.direction_norm == pytest.approx(float(np.linalg.norm(trainer.history.directions[-1])), rel=1e-14)
    assert snap.train_accuracy == np.mean((ref_sigmoid(X @ w) > 0.5) == (y == 1))
    assert snap.test_accuracy == np.mean((ref_sigmoid(Xt @ w) > 0.5) == (yt == 1))
    assert snap.stop_reason is None
    assert snap.optimizer_state == ()  # plain gd keeps no state
    # a snapshot does not follow the trainer
    trainer.step_epoch()
    assert snap.epoch == 4 and snap.weights == tuple(w.tolist())
    assert trainer.snapshot().weights != snap.weights


def test_weights_are_a_copy(lesson_data):
    trainer = make(lesson_data)
    w = trainer.weights
    w[:] = 99.0
    np.testing.assert_array_equal(trainer.weights, WRONG_SIDE)


def test_predict_and_accuracy(lesson_data):
    trainer = make(lesson_data)
    trainer.run()
    w = trainer.weights
    Xt, yt = lesson_data.X_test, lesson_data.y_test
    expected = (ref_sigmoid(Xt @ w) > 0.5).astype(int)
    np.testing.assert_array_equal(trainer.predict(w, "test"), expected)
    assert trainer.accuracy(w, "test") == np.mean(expected == yt)
    assert trainer.accuracy(w, "test") > 0.95
    assert trainer.accuracy(np.array(WRONG_SIDE), "test") < 0.05


def test_row_zero_is_on_the_scale_of_the_epoch_losses_in_mini_batch_mode():
    from gdtui.engine import TrainConfig, create_trainer

    trainer = create_trainer(TrainConfig(seed=5, batch_size=32))
    X, y, w = trainer.data.X_train, trainer.data.y_train, trainer.weights
    per_batch = []
    for start in range(0, len(y), 32):
        p = 1.0 / (1.0 + np.exp(-(X[start:start + 32] @ w)))
        per_batch.append(np.sum((p - y[start:start + 32]) ** 2))
    assert trainer.history.losses[0] == pytest.approx(np.mean(per_batch), rel=1e-12)


@pytest.mark.parametrize("loss, seed", [("sse", 0), ("sse", 2), ("bce", 0)])  # (sse 0, 2: a plain sum differed)
def test_row_0_and_a_full_batch_epoch_1_measure_the_same_weights_to_the_bit(loss, seed):
    trainer = create_trainer(TrainConfig(loss=loss, seed=seed, epochs=5))
    trainer.step_epoch()
    losses = trainer.history.losses
    assert losses[0] == losses[1]  # epoch 1's loss is taken at the initial weights too
