"""The "why" panel's text and the point line for every model beyond the lesson's: every number they
show, computed again by the plain transcription (tests/plain_models.py) from the inputs captured
before the step; and, in the app at 80x24, `y` and `i` with the arrows for softmax and svm."""

from __future__ import annotations

import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.explain import explain_update
from gdtui.ui.tables import number, signed
from gdtui.ui.point_mode import PointMode, point_lines
from gdtui.ui.why import Why, why_lines
from gdtui.ui.widgets.lines import text_of

from plain_models import design, flat, row_values, shares, update as plain

SMALL = (80, 24)
MODELS = {
    "hinge": dict(loss="hinge", alpha=0.001, optimizer="momentum"),
    "bce squares standardized": dict(loss="bce", dataset="circles", features=("x1", "x2", "x1^2", "x2^2"),
                                     standardize=True, alpha=0.1, optimizer="adam"),
    "softmax K=3 l2": dict(loss="softmax", classes=3, penalty="l2", lam=0.5, alpha=0.001, optimizer="adam"),
    "svm K=3 l1": dict(loss="svm", classes=3, penalty="l1", lam=0.3, alpha=0.001, batch_size=32, shuffle=True),
}


def vec(values) -> str:
    return "(" + ", ".join(number(v) for v in values) + ")"


def saturated_p(p: float, digits: int) -> str:
    """A probability as the panels write it: below 1e-6 (saturated: its digits are the CPU's) `<1e-6`."""
    return "<1e-6" if p < 1e-6 else f"{p:.{digits}g}"


def part_vec(values) -> str:
    """A row's part of g (P − Y)·x, a saturated P's share (under 1e-6 in size) written `≈0`."""
    return "(" + ", ".join("≈0" if 0 < abs(v) < 1e-6 else number(v) for v in values) + ")"


def _text(trainer, width: int = 76) -> str:
    data, cfg = trainer.data, trainer.config
    e = explain_update(trainer.last_update(), data.X_train, data.y_train, data.train_points, cfg.features, data.scaling)
    lines = why_lines(Why(e, "why", labels=data.shown_labels), width)
    assert all(len(text_of(line)) <= width for line in lines)
    return " ".join(text_of(line).strip() for line in lines)


@pytest.mark.parametrize("model", list(MODELS))
def test_the_panel_says_every_number_of_the_update(model):
    options = MODELS[model]
    trainer = create_trainer(TrainConfig(seed=2, momentum=0.9, **options))
    trainer.step_batch()
    state, w, alpha = trainer.optimizer_state, trainer.weights.tolist(), trainer.alpha_now
    first, second, steps = flat(state.first.tolist()), flat(state.second.tolist()), state.steps
    assert trainer.step_batch()
    cfg, data = trainer.config, trainer.data
    points = data.train_points.tolist()
    X = design(points, cfg.features, points if cfg.standardize else None)
    rows = trainer.last_batch_rows().tolist()
    y = data.y_train.tolist()
    expected = plain(cfg.loss, cfg.optimizer, [X[i] for i in rows], [y[i] for i in rows], rows, w, first, second,
                     steps, alpha, 0.9, cfg.penalty, cfg.lam)
    text = _text(trainer)
    top, row = expected["top"], expected["row"]
    assert f"training row {top}, label y = {y[top]:g}" in text
    names = [{"x1^2": "x1²", "x2^2": "x2²"}.get(f, f) for f in cfg.features]
    assert "x = (" + ", ".join(["1"] + names) + ")" in text
    assert "(1, " + ", ".join(number(v) for v in X[top][1:]) + ")" in text
    if cfg.standardize or cfg.features != ("x1", "x2"):
        assert f"point (x1, x2) = ({number(points[top][0])}, {number(points[top][1])})" in text
    K = len(w) if isinstance(w[0], list) else 1
    if K == 1:
        assert f"z = W·x = {number(row['z'])}" in text
        assert vec(row["part"]) in text and vec(expected["data_g"]) in text
    else:
        assert "scores s = W·x: " + ", ".join(f"{k}: {number(s)}" for k, s in enumerate(row["scores"])) in text
        for k in range(K):
            assert f"{k}: {part_vec(row['part'][k])}" in text
            assert f"{k}: {vec(expected['data_g'][k * 3:(k + 1) * 3])}" in text
    if cfg.loss == "hinge":
        assert f"margin 1 − t·z = {number(row['margin'])}" in text
    if cfg.loss == "softmax":
        assert "P = e^s / Σ e^s: " + ", ".join(f"{k}: {saturated_p(p, 4)}" for k, p in enumerate(row["P"])) in text
    if cfg.loss == "svm":
        others = [(k, m) for k, m in enumerate(row["margins"]) if k != int(y[top])]
        assert ", ".join(f"{k}: {number(m)}{' active' if m > 0 else ''}" for k, m in others) in text
    assert f"= {expected['loss']:.4g};" in text
    if cfg.penalty != "none":
        assert "never on the bias" in text
        for k in range(K):
            assert f"{k}: {vec(expected['penalty'][k * 3:(k + 1) * 3])}" in text
            assert f"{k}: {vec(expected['g'][k * 3:(k + 1) * 3])}" in text
    d = len(expected["before"]) // K
    for k in range(K):
        block = slice(k * d, (k + 1) * d)
        assert vec(expected["rule"]["step"][block]) in text
        assert f"{vec(expected['before'][block])} → {vec(expected['after'][block])}" in text
        if "m" in expected["rule"]:
            assert f"→ {vec(expected['rule']['m'][block])}" in text
    if cfg.features == ("x1", "x2"):
        assert "the class flips where z = 0" in text if K == 1 else "the largest one's class is predicted" in text
    else:
        w = expected["after"][3]
        assert "on the standardized columns" in text and f"{'-' if w < 0 else '+'} {abs(w):.4g}·x1²" in text


@pytest.mark.parametrize("model", ["hinge", "softmax K=3 l2", "svm K=3 l1", "bce squares standardized"])
def test_the_point_line_reads_the_point_and_fits_80_columns_in_two_lines(model):
    options = MODELS[model]
    trainer = create_trainer(TrainConfig(seed=2, **options))
    trainer.step_epoch()
    from gdtui.engine.points import Parts

    cfg, data = trainer.config, trainer.data
    w = trainer.weights.tolist()
    points = data.train_points.tolist()
    X = design(points, cfg.features, points if cfg.standardize else None)
    y = data.y_train.tolist()
    values = [row_values(cfg.loss, x, label, w) for x, label in zip(X, y)]
    from plain_models import penalty_part

    g = [a + b for a, b in zip([sum(flat(v["part"])[j] for v in values) for j in range(len(flat(w)))],
                               flat(penalty_part(cfg.penalty, cfg.lam, w)))]
    expected = shares(values, g)
    parts = Parts(cfg.loss, data.X_train, data.y_train, w, True, cfg.penalty, cfg.lam, data.train_points)
    for index in (3, 250):
        lines = point_lines(parts.reading(index, parts.direction()), "train", data.shown_labels, 78)
        text = " ".join(text_of(line) for line in lines)
        assert 1 <= len(lines) <= 2 and all(len(text_of(line)) <= 78 for line in lines)
        assert f"train row {index}  point ({number(points[index][0])}, {number(points[index][1])})" in text
        assert f"y {data.shown_labels[int(y[index])]}" in text and f"{number(100 * expected[index])}% of g" in text
        v = values[index]
        if "scores" in v:
            assert "s " + " ".join(number(s) for s in v["scores"]) in text
            predicted = max(range(3), key=lambda k: (v["scores"][k], -k))
            if "P" in v:
                assert "P " + " ".join(saturated_p(p, 3) for p in v["P"]) in text
        else:
            assert f"z {number(v['z'])}" in text
            predicted = int(v["z"] > 0)
            assert (f"margin 1−t·z {number(v['margin'])}" if "margin" in v else f"p {v['p']:.4g}") in text
        assert f"→ {data.shown_labels[predicted]}" in text


# ---- in the app ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["softmax", "svm"])
async def test_y_and_i_with_the_arrows_work_for_three_classes(make_app, loss):
    app = make_app(loss=loss, classes=3)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        trainer = app.session.trainer
        w, data = trainer.weights.tolist(), trainer.data
        X, y = data.X_train.tolist(), data.y_train.tolist()
        hardest = plain(loss, "gd", X, y, list(range(len(y))), w, [0.0] * 9, [0.0] * 9, 0, 0.01, 0.9)["top"]
        await pilot.press("space", "y")
        await pilot.pause()
        assert type(app.screen).__name__ == "WhyScreen"
        body = app.screen.query_one("#why-body")
        assert "one row per class" in body.text and "the latest update, epoch 2 (full batch)" in \
            app.screen.query_one("#why-box").border_title
        box = app.screen.query_one("#why-box")
        assert box.size.height <= SMALL[1] and body.size.height > box.size.height  # (it scrolls)
        await pilot.press("pagedown")
        await pilot.pause()
        assert box.scroll_y > 0
        await pilot.press("escape", "i")
        await pilot.pause()
        points = app.screen.points
        assert points.active and points.index == hardest  # (the row that pushed hardest in the last update)
        start = points.index
        X = data.train_points
        await pilot.press("right")
        assert X[points.index, 0] > X[start, 0]
        here = points.index
        await pilot.press("up")
        await pilot.pause()
        assert X[points.index, 1] > X[here, 1]
        line = app.screen.query_one("#point")
        assert line.text.startswith(f"train row {points.index}  point (") and len(line.lines) <= 2
        assert all(len(text) <= SMALL[0] - 2 for text in line.text.splitlines())


def test_signed_numbers_keep_their_sign_and_digits():
    assert [signed(v, 3) for v in (0.0, 1.23456, -0.000123456, 98765.4)] == ["0", "+1.23", "-0.000123", "+9.88e+04"]
    assert signed(-2.5, 2) == "-2.5"


@pytest.mark.parametrize("options, lesson_form", [(dict(penalty="l2", lam=0.1), True), (dict(loss="hinge"), False),
                                                  (dict(loss="bce", standardize=True), False)])
def test_the_point_is_read_apart_from_its_columns_only_where_they_differ(options, lesson_form):
    """The line model on the raw x1, x2 (any penalty) has no point apart from its row (1, x1, x2):
    sse and bce keep the lesson's point line; standardized columns are not the point."""
    trainer = create_trainer(TrainConfig(seed=2, **options))
    trainer.step_epoch()
    mode = PointMode()
    mode.enter(trainer, "train", trainer.weights, None)
    reading = mode.reading()
    x1, x2 = trainer.data.train_points[mode.index].tolist()
    assert (reading.point is None) == (not options.get("standardize", False))
    text = " ".join(text_of(line) for line in point_lines(reading, "train", trainer.data.shown_labels, 120))
    shown = f"x (1, {number(x1)}, {number(x2)})" if lesson_form else f"point ({number(x1)}, {number(x2)})"
    assert shown in text
