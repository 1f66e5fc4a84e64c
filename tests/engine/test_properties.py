"""Property tests: whatever the (finite) data, hyperparameters and stepping, the trainer never raises and
never records a non-finite value; when a step cannot be taken it says `diverged` and keeps finite weights."""

from __future__ import annotations

import math
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdtui.engine import TrainConfig, Trainer
from gdtui.engine.config import BINARY_LOSSES as LOSSES, OPTIMIZERS  # (one weight row: 3 initial weights)
from gdtui.engine.data import Dataset, with_bias

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

coordinates = st.one_of(
    st.floats(min_value=-20.0, max_value=20.0),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e300, -1e300, 1e150, -1e150, 1.7976931348623157e308, -1.7976931348623157e308,
                     5e-324, 0.0, 1e-300]),
)
alphas = st.one_of(st.floats(min_value=0.0, max_value=1e6, exclude_min=True), st.sampled_from([1e-300, 1e6, 1.0]))
init_values = st.one_of(st.floats(min_value=-1e6, max_value=1e6), st.sampled_from([-1e6, 1e6, 0.0]))


@st.composite
def datasets(draw):
    n = draw(st.integers(min_value=2, max_value=12))
    points = np.array(draw(st.lists(st.tuples(coordinates, coordinates), min_size=n, max_size=n)), dtype=float)
    labels = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    labels[0], labels[1] = 0, 1  # both classes present
    order = draw(st.permutations(range(n)))
    points, y = points[list(order)], np.array(labels, dtype=float)[list(order)]
    X = with_bias(points)
    return Dataset("property", X, y, X.copy(), y.copy())


@st.composite
def configs(draw, n_rows):
    return TrainConfig(
        loss=draw(st.sampled_from(LOSSES)),
        optimizer=draw(st.sampled_from(OPTIMIZERS)),
        alpha=draw(alphas),
        momentum=draw(st.floats(min_value=0.0, max_value=1.0, exclude_max=True)),
        batch_size=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=n_rows + 2))),
        shuffle=draw(st.booleans()),
        epochs=draw(st.integers(min_value=1, max_value=20)),
        seed=draw(st.integers(min_value=0, max_value=2**32 - 1)),
        init_weights=draw(st.tuples(init_values, init_values, init_values)),
    )


actions = st.one_of(
    st.just(("batch",)),
    st.just(("epoch",)),
    st.tuples(st.just("alpha"), alphas),
    st.tuples(st.just("optimizer"), st.sampled_from(OPTIMIZERS)),
    st.tuples(st.just("loss"), st.sampled_from(LOSSES)),
)


def finite_tuple(values):
    return all(math.isfinite(v) for v in values)


def initial_loss_is_representable(trainer):
    """Row 0 holds the loss at the initial weights over ALL training rows. The sse sum is at most N; a bce
    sum can genuinely exceed the largest double (huge coordinates), and then row 0 is inf by necessity."""
    with np.errstate(all="ignore"):
        z = trainer.data.X_train @ trainer.history.weights[0]
        total = np.abs(z).sum()
    if trainer.config.loss == "sse":  # bounded by N, unless a logit itself is undefined (inf - inf)
        return bool(np.isfinite(z).all())
    return bool(np.isfinite(total) and total < 1e307)


def check_recorded_values(trainer, initial_row=True):
    assert np.all(np.isfinite(trainer.weights))
    h = trainer.history
    first = 0 if initial_row else 1
    for name in ("weights", "directions", "steps", "losses"):
        assert np.all(np.isfinite(getattr(h, name)[first:])), name
    assert np.all(np.isfinite(trainer.train_accuracy()[first:]))
    assert np.all(np.isfinite(h.weights))
    snap = trainer.snapshot()
    assert finite_tuple(snap.weights) and finite_tuple(snap.direction) and finite_tuple(snap.last_step)
    # (the norm itself may exceed the largest double when a component is near it: no finiteness claim)
    assert snap.direction_norm >= max(abs(d) for d in snap.direction)
    if initial_row or h.losses.size > 1:
        assert math.isfinite(snap.loss)
    assert 0.0 <= snap.train_accuracy <= 1.0 and 0.0 <= snap.test_accuracy <= 1.0
    for entry in snap.optimizer_state:
        assert finite_tuple(entry[-1]), entry


@SETTINGS
@given(data=st.data())
def test_stepping_never_raises_and_never_records_a_non_finite_value(data):
    dataset = data.draw(datasets())
    config = data.draw(configs(len(dataset.y_train)))
    plan = data.draw(st.lists(actions, min_size=1, max_size=8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unguarded overflow / invalid operation counts as raising
        trainer = Trainer(dataset, config)
        initial_row = initial_loss_is_representable(trainer)
        check_recorded_values(trainer, initial_row)
        for action in plan:
            if action[0] in ("batch", "epoch"):
                epoch, batch = trainer.epoch, trainer.batch
                ok = trainer.step_batch() if action[0] == "batch" else trainer.step_epoch()
                assert ok is (not trainer.diverged)
                if ok:
                    assert trainer.stop_reason != "diverged"
                    if action[0] == "epoch":
                        assert trainer.epoch == epoch + 1 and trainer.batch == 0
                    else:  # (the next mini-batch of this epoch, or the first of the next)
                        assert (trainer.epoch, trainer.batch) in ((epoch, batch + 1), (epoch + 1, 0))
                else:
                    assert trainer.stop_reason == "diverged"
                    assert np.all(np.isfinite(trainer.weights))
            else:
                trainer.configure(**{action[0]: action[1]})
                assert not trainer.diverged
            check_recorded_values(trainer, initial_row)


@SETTINGS
@given(data=st.data())
def test_run_ends_with_a_known_reason_and_finite_weights(data):
    dataset = data.draw(datasets())
    config = data.draw(configs(len(dataset.y_train)))
    config = config.with_changes(tol=data.draw(st.one_of(st.none(), st.floats(min_value=1e-6, max_value=10.0))),
                                 patience=data.draw(st.one_of(st.none(), st.integers(1, 5))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer = Trainer(dataset, config)
        reason = trainer.run()
    assert reason in ("epochs", "tol", "patience", "diverged")
    assert reason == trainer.stop_reason
    assert np.all(np.isfinite(trainer.weights))
    assert trainer.epoch <= config.epochs
    if reason == "epochs":
        assert trainer.epoch == config.epochs
    if reason != "diverged":
        assert trainer.batch == 0
    check_recorded_values(trainer, initial_loss_is_representable(trainer))


@settings(max_examples=50, deadline=None)
@given(
    points=st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5)), min_size=4, max_size=30),
    loss=st.sampled_from(LOSSES),
    optimizer=st.sampled_from(OPTIMIZERS),
    batch_size=st.one_of(st.none(), st.integers(1, 8)),
    seed=st.integers(0, 2**32 - 1),
)
def test_ordinary_data_never_diverges_with_a_small_alpha(points, loss, optimizer, batch_size, seed):
    pts = np.array(points, dtype=float)
    y = (pts[:, 0] + pts[:, 1] > 0).astype(float)
    y[0], y[1] = 0.0, 1.0
    X = with_bias(pts)
    trainer = Trainer(Dataset("small", X, y, X, y),
                      TrainConfig(loss=loss, optimizer=optimizer, alpha=0.01, batch_size=batch_size,
                                  epochs=5, seed=seed, shuffle=True))
    assert trainer.run() == "epochs"
    assert not trainer.diverged
    check_recorded_values(trainer)
