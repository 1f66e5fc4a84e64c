"""The numbers of the "why" panel for every model beyond the lesson's (the hinge, feature maps with
standardizing, softmax and svm with K = 3, the penalties), full batch and shuffled mini-batches,
with gd, momentum and adam, against the plain transcription of tests/plain_models.py."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.explain import explain_update
from gdtui.engine.explain_models import ClassRow, HingeRow
from gdtui.engine.session import from_document, to_document

from plain_models import design, flat, update as plain
from plain_update import close

SQUARES = ("x1", "x2", "x1^2", "x2^2")
MODELS = {
    "hinge": dict(loss="hinge", alpha=0.001),
    "bce squares standardized": dict(loss="bce", dataset="circles", features=SQUARES, standardize=True, alpha=0.01),
    "softmax K=3 l2": dict(loss="softmax", classes=3, penalty="l2", lam=0.5, alpha=0.001),
    "svm K=3 l1": dict(loss="svm", classes=3, penalty="l1", lam=0.3, alpha=0.001),
}


def _capture(trainer):
    state = trainer.optimizer_state
    return (trainer.weights.tolist(), flat(state.first.tolist()), flat(state.second.tolist()), state.steps,
            trainer.alpha_now)


def _explained(trainer):
    data, cfg = trainer.data, trainer.config
    return explain_update(trainer.last_update(), data.X_train, data.y_train, data.train_points, cfg.features,
                          data.scaling)


def _plain_rows(trainer):
    """The training rows' design matrix computed plainly from the raw points (checked against the engine's)."""
    data, cfg = trainer.data, trainer.config
    points = data.train_points.tolist()
    X = design(points, cfg.features, points if cfg.standardize else None)
    assert close(X, data.X_train.tolist())
    return X


def _check(trainer, e, expected, loss) -> None:
    assert e.example.index == expected["top"]
    assert close(list(e.example.x), expected["x"]) and e.example.y == expected["label"]
    row = expected["row"]
    if loss == "hinge":
        assert isinstance(e.example, HingeRow)
        assert close(e.example.z, row["z"]) and e.example.t == row["t"] and close(e.example.margin, row["margin"])
        assert e.example.active == (row["margin"] > 0)
    elif loss in ("softmax", "svm"):
        assert isinstance(e.example, ClassRow)
        assert close(list(e.example.scores), row["scores"])
        if loss == "softmax":
            assert close(list(e.example.probabilities), row["P"]) and e.example.active is None
        else:
            assert close(list(e.example.margins), row["margins"])
            assert e.example.active == tuple(k != e.example.y and m > 0 for k, m in enumerate(row["margins"]))
        assert close(list(e.example.coefficients), row["R"])
    else:
        for name in ("z", "p", "e"):
            assert close(getattr(e.example, name), row[name]), name
    assert close(flat(e.example.part), flat(row["part"]))
    assert close(flat(e.data_g), expected["data_g"]) and close(flat(e.g), expected["g"])
    if e.penalty is None:
        assert not any(expected["penalty"])
    else:
        assert close(flat(e.penalty.part), expected["penalty"])
        assert all(e.penalty.part[k][0] == 0 for k in range(len(e.penalty.part)))  # (never on the bias)
    assert close(e.loss_value, expected["loss"])
    shown = {line.symbol: line for line in e.lines}
    rule = expected["rule"]
    assert close(flat(shown["step"].value), rule["step"])
    for name in ("v", "m"):
        if name in rule:
            assert close(flat(shown[name].value), rule[name]), name
    assert close(flat(e.before), expected["before"]) and close(flat(e.after), expected["after"])
    np.testing.assert_allclose(trainer.weights.ravel(), expected["after"], rtol=1e-9, atol=1e-12)
    _check_pushes(e, expected, loss)


def _check_pushes(e, expected, loss) -> None:
    R = [v["R"] for v in expected["values"]]
    if loss in ("softmax", "svm"):
        sizes = [max(abs(r) for r in rk) for rk in R]
        idle = sum(1 for s in sizes if s <= 1e-6 * max(sizes)) if loss == "softmax" else \
            sum(1 for rk in R if not any(rk))
        wrong = sum(1 for v, label in zip(expected["values"], expected["labels"])
                    if max(range(len(v["scores"])), key=lambda k: (v["scores"][k], -k)) != label)
        active = sum(1 for v in expected["values"] for k, m in enumerate(v.get("margins", ())) if m > 0)
        assert (e.pushes.pushing, e.pushes.idle, e.pushes.wrong, e.pushes.active) == \
            (len(R) - idle, idle, wrong, active)
    elif loss == "hinge":
        assert (e.pushes.down, e.pushes.up, e.pushes.idle) == (sum(r[0] > 0 for r in R), sum(r[0] < 0 for r in R),
                                                               sum(r[0] == 0 for r in R))


def _step_and_check(trainer, stepper, X, y, rows_of_update, loss, rule, mu):
    w, first, second, steps, alpha = _capture(trainer)
    assert stepper()
    rows = rows_of_update()
    cfg = trainer.config
    expected = plain(loss, rule, [X[i] for i in rows], [y[i] for i in rows], rows, w, first, second, steps, alpha, mu,
                     cfg.penalty, cfg.lam)
    expected["labels"] = [y[i] for i in rows]
    e = _explained(trainer)
    _check(trainer, e, expected, loss)
    return e


@pytest.mark.parametrize("rule", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("model", list(MODELS))
def test_full_batch_updates_of_every_model_are_written_out(model, rule):
    options = MODELS[model]
    trainer = create_trainer(TrainConfig(seed=3, optimizer=rule, momentum=0.8, **options))
    X, y = _plain_rows(trainer), trainer.data.y_train.tolist()
    every = list(range(len(y)))
    for _ in range(3):
        e = _step_and_check(trainer, trainer.step_epoch, X, y, lambda: every, options["loss"], rule, 0.8)
    assert e.rows == len(y) and trainer.last_update().batches == 1


@pytest.mark.parametrize("rule", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("model", list(MODELS))
def test_shuffled_mini_batches_of_every_model_use_their_own_rows(model, rule):
    options = MODELS[model]
    trainer = create_trainer(TrainConfig(seed=5, optimizer=rule, batch_size=32, shuffle=True, momentum=0.5,
                                         **options))
    X, y = _plain_rows(trainer), trainer.data.y_train.tolist()
    for _ in range(18):  # into the second epoch (15 batches of 32 and one of 20 per epoch)
        e = _step_and_check(trainer, trainer.step_batch, X, y, lambda: trainer.last_batch_rows().tolist(),
                            options["loss"], rule, 0.5)
    assert e.rows == 32 and (trainer.last_update().epoch, trainer.last_update().batch) == (2, 2)


def test_the_raw_point_and_the_boundary_on_raw_coordinates_when_standardized():
    trainer = create_trainer(TrainConfig(seed=0, loss="bce", standardize=True, alpha=0.1))
    trainer.step_epoch()
    e = _explained(trainer)
    data = trainer.data
    assert e.standardized and e.point == tuple(data.train_points[e.example.index])
    w0, w1, w2 = e.boundary_weights
    points = data.train_points.tolist()
    mean = [sum(p[j] for p in points) / len(points) for j in (0, 1)]
    std = [(sum((p[j] - mean[j]) ** 2 for p in points) / len(points)) ** 0.5 for j in (0, 1)]
    a0, a1, a2 = e.after
    assert close([w0, w1, w2], [a0 - a1 * mean[0] / std[0] - a2 * mean[1] / std[1], a1 / std[0], a2 / std[1]])
    # the same score at every raw point as the standardized weights give
    for (p1, p2), x in zip(points[:20], data.X_train.tolist()):
        assert close(w0 + w1 * p1 + w2 * p2, a0 * x[0] + a1 * x[1] + a2 * x[2], rel=1e-7)
    assert e.boundary.kind == "line" and close(e.boundary.slope, -w1 / w2)


@pytest.mark.parametrize("model", [dict(loss="softmax", classes=3), dict(features=SQUARES, loss="bce")])
def test_no_boundary_line_beyond_one_score_on_x1_x2(model):
    trainer = create_trainer(TrainConfig(seed=0, **model))
    trainer.step_epoch()
    e = _explained(trainer)
    assert e.boundary is None and e.boundary_weights is None
    assert (e.point is not None) == ("features" in model)  # (on x1, x2 the row's columns are the point)


@pytest.mark.parametrize("model", list(MODELS))
def test_a_recorded_epoch_of_every_model_is_read_back_from_the_history(model):
    options = MODELS[model]
    trainer = create_trainer(TrainConfig(seed=4, optimizer="adam", **options))
    kept = []
    for _ in range(3):
        trainer.step_epoch()
        kept.append(trainer.last_update())
    read = trainer.last_update(2)
    assert read is not kept[1] and (read.loss, read.penalty, read.state.steps) == (options["loss"],
                                                                                  options.get("penalty", "none"), 1)
    assert read.lam == pytest.approx(options.get("lam", 0.0), rel=1e-12)
    np.testing.assert_array_equal(read.weights, kept[1].weights)
    resumed = from_document(to_document(trainer))
    again = resumed.last_update()
    assert again is not None and again.epoch == 3 and again.penalty == options.get("penalty", "none")


def test_a_penalty_changed_since_is_read_from_the_record():
    """The history does not say which penalty an epoch had: its recorded value gives its strength,
    and the reading is accepted only if it reproduces the recorded update."""
    trainer = create_trainer(TrainConfig(seed=1, loss="softmax", classes=3, penalty="l1", lam=0.2))
    trainer.step_epoch()
    trainer.step_epoch()
    trainer.configure(penalty="l2", lam=0.7)
    trainer.step_epoch()
    first, second = trainer.last_update(2), trainer.last_update(3)
    assert (first.penalty, second.penalty) == ("l1", "l2")
    assert first.lam == pytest.approx(0.2, rel=1e-12) and second.lam == 0.7
    trainer.configure(penalty="none", lam=0.0)
    trainer.step_epoch()
    assert trainer.last_update(3).penalty == "l2" and trainer.last_update(4).penalty == "none"
