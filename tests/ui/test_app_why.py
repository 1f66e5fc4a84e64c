"""`y` (the last update written out) and `i` (the point inspector) in the app, at 80x24: every
number the panel and the point line show is computed again here by the plain transcription
(tests/plain_update.py) from the inputs captured before the step."""

from __future__ import annotations

import pytest
from textual import events

from gdtui.ui.tables import number

from plain_update import row_values, update as plain

SMALL = (80, 24)


def _inputs(app):
    trainer = app.session.trainer
    state = trainer.optimizer_state
    return (trainer.weights.tolist(), state.first.tolist(), state.second.tolist(), state.steps, trainer.alpha_now)


def vec(values) -> str:
    return "(" + ", ".join(number(v) for v in values) + ")"


def _panel(app) -> str:
    assert type(app.screen).__name__ == "WhyScreen"
    return app.screen.query_one("#why-body").text.replace("\n    ", " ").replace("\n  ", " ")


def _says_every_number(text: str, expected: dict, loss: str, rule: str) -> None:
    row = expected["row"]
    assert f"training row {expected['top']}, label y = {expected['label']:g}" in text
    assert f"(1, {number(expected['x'][1])}, {number(expected['x'][2])})" in text
    assert f"z = W·x = {number(row['z'])}" in text and f"= {row['p']:.4g}" in text
    assert f"e = p − y = {number(row['e'])}" in text
    if loss == "sse":
        assert f"{number(row['e'])} · {row['slope']:.4g} · x = {vec(row['part'])}" in text
        assert "∇(Σ e²) = 2·g" in text  # the factor 2 said plainly
    else:
        assert f"{number(row['e'])} · x = {vec(row['part'])}" in text and "g is exactly its gradient" in text
    assert f"= {vec(expected['g'])}" in text
    assert f"{expected['down']} pushed z down (p > y), {expected['up']} up (p < y), {expected['idle']} barely" in text
    assert f"= {expected['loss']:.4g};" in text
    out = expected["rule"]
    for name in ("v", "s", "m"):
        if name in out:
            assert f"→ {vec(out[name])}" in text, name
    if rule == "adam":
        assert f"1−β1ᵗ = {out['c1']:.4g}" in text and f"1−β2ᵗ = {out['c2']:.4g}" in text
    assert f"{vec(out['step'])}" in text
    assert f"W: {vec(expected['before'])} → {vec(expected['after'])}" in text
    slope = expected["slope"]
    assert f"= {number(expected['intercept'])} {'+' if slope >= 0 else '−'} {abs(slope):.4g}·x" in text


async def test_before_any_step_the_panel_says_there_is_none(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert "No step yet" in _panel(app)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "SoloScreen"


@pytest.mark.parametrize("loss, rule", [("sse", "gd"), ("bce", "momentum"), ("sse", "adam"), ("bce", "adam")])
async def test_a_full_batch_epoch_is_written_out_with_its_own_numbers(make_app, loss, rule):
    app = make_app(loss=loss, optimizer=rule)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        inputs = _inputs(app)
        await pilot.press("space", "y")
        await pilot.pause()
        data = app.session.trainer.data
        X, y = data.X_train.tolist(), data.y_train.tolist()
        expected = plain(loss, rule, X, y, list(range(len(y))), *inputs, 0.9)
        text = _panel(app)
        assert "the latest update, epoch 2 (full batch)" in app.screen.query_one("#why-box").border_title
        _says_every_number(text, expected, loss, rule)


@pytest.mark.parametrize("loss, rule", [("sse", "adam"), ("bce", "gd"), ("sse", "momentum")])
async def test_a_mini_batch_is_written_out_with_its_rows(make_app, loss, rule):
    app = make_app(loss=loss, optimizer=rule, batch_size=32)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space", "n", "n")
        inputs = _inputs(app)
        await pilot.press("n", "y")
        await pilot.pause()
        data = app.session.trainer.data
        rows = list(range(64, 96))  # the 3rd batch of the second epoch, in order
        expected = plain(loss, rule, [data.X_train[i].tolist() for i in rows], [float(data.y_train[i]) for i in rows],
                         rows, *inputs, 0.9)
        assert "epoch 2, batch 3/16" in app.screen.query_one("#why-box").border_title
        text = _panel(app)
        assert "the batch, 32 rows" in text
        _says_every_number(text, expected, loss, rule)


async def test_rewound_it_explains_the_epoch_shown_or_says_it_cannot(make_app):
    app = make_app(optimizer="nesterov")
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        inputs = _inputs(app)
        await pilot.press("space", "space", "left", "y")
        await pilot.pause()
        data = app.session.trainer.data
        X, y = data.X_train.tolist(), data.y_train.tolist()
        assert "the update that ended epoch 2" in app.screen.query_one("#why-box").border_title
        _says_every_number(_panel(app), plain("sse", "nesterov", X, y, list(range(len(y))), *inputs, 0.9), "sse",
                           "nesterov")
    app = make_app(batch_size=100)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space", "space", "left", "y")
        await pilot.pause()
        assert "explains only the latest update" in _panel(app)
        assert "the latest update, epoch 2, batch 5/5" in app.screen.query_one("#why-box").border_title


async def test_repeated_y_and_escape_close_the_panel_once(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space", "y")
        await pilot.pause()
        for name, char in (("y", "y"), ("y", "y"), ("escape", None), ("y", "y")):
            app.post_message(events.Key(name, char))
        await pilot.pause()
        await pilot.pause()
        # y closed it, the second y opened it again, escape closed it, the last y opened it
        assert type(app.screen).__name__ == "WhyScreen" and len(app.screen_stack) == 2


# ---- the point inspector ------------------------------------------------------------------------------


def _point(app) -> str:
    return app.screen.query_one("#point").text


async def test_point_mode_starts_at_the_row_that_pushed_hardest_and_reads_it(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        inputs = _inputs(app)
        await pilot.press("space", "i")
        await pilot.pause()
        data = app.session.trainer.data
        X, y = data.X_train.tolist(), data.y_train.tolist()
        top = plain("sse", "gd", X, y, list(range(len(y))), *inputs, 0.9)["top"]
        assert app.screen.points.index == top
        w = app.session.trainer.weights.tolist()
        values = [row_values("sse", x, label, w) for x, label in zip(X, y)]
        g = [sum(v["part"][j] for v in values) for j in range(3)]
        mine = values[top]
        share = sum(a * b for a, b in zip(mine["part"], g)) / sum(c * c for c in g)
        line = _point(app)
        assert line.startswith(f"train row {top}  x (1, {number(X[top][1])}, {number(X[top][2])})  y {y[top]:g}")
        assert f"z {number(mine['z'])}  p {mine['p']:.4g}  → {int(mine['p'] > 0.5)}" in line
        assert f"{number(100 * share)}% of g" in line
        grid = app.screen.query_one("#grid")
        assert "@" in "".join(grid.render_line(k).text for k in range(grid.size.height))


async def test_arrows_walk_the_points_and_escape_leaves(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space", "i")
        await pilot.pause()
        points = app.screen.points
        X = app.session.trainer.data.X_train
        start = points.index
        await pilot.press("right")
        assert X[points.index, 1] > X[start, 1] and app.session.viewing is None  # (→ picked; it did not rewind)
        here = points.index
        await pilot.press("up")
        assert X[points.index, 2] > X[here, 2]
        await pilot.press("l")
        assert "point mode needs the scatter" in app.screen.query_one("#notice").text and app.screen.left == "scatter"
        await pilot.press("space")  # other keys still work, and the line follows the new weights
        assert app.session.trainer.epoch == 2 and points.active
        await pilot.press("escape")
        assert not points.active and not app.screen.query_one("#point").display
        await pilot.press("left")
        assert app.session.viewing == 1  # out of point mode ← rewinds again


async def test_select_point_at_picks_the_point_nearest_a_cell(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space")
        screen = app.screen
        width, height = screen.query_one("#grid").size
        frame = screen.cells.frame(width, height)
        X = app.session.trainer.data.X_train
        target = 123
        col = int((X[target, 1] - frame.x_min) / (frame.x_max - frame.x_min) * width)
        row = int((frame.y_max - X[target, 2]) / (frame.y_max - frame.y_min) * height)
        assert screen.select_point_at(col, row)
        await pilot.pause()
        chosen = screen.points.index
        assert screen.points.active
        # the point chosen is in that cell or the nearest to its centre: never farther than the target
        cx, cy = frame.x_min + (col + 0.5) * (frame.x_max - frame.x_min) / width, \
            frame.y_max - (row + 0.5) * (frame.y_max - frame.y_min) / height
        sx, sy = width / (frame.x_max - frame.x_min), 2 * height / (frame.y_max - frame.y_min)

        def far(i):
            return ((X[i, 1] - cx) * sx) ** 2 + ((X[i, 2] - cy) * sy) ** 2

        assert far(chosen) <= far(target) and far(chosen) <= 0.5 ** 2 + 1.0 ** 2
        assert screen.select_point_at(-5, 999)  # outside the picture: the nearest point still, no crash
        await pilot.press("escape", "e")
        assert not screen.select_point_at(1, 1)  # the scatter is not shown


async def test_a_test_row_has_no_share_of_g(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space", "i", "t")
        await pilot.pause()
        assert _point(app).startswith("test row") and "not in g" in _point(app)


# ---- saturation ------------------------------------------------------------------------------------------


async def test_saturation_is_said_once_with_its_reason_and_what_to_try(make_app):
    app = make_app(init_weights=(5.0, 3.0, 3.0))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        notice = app.screen.query_one("#notice")
        said = notice.text.replace("\n", " ")
        assert said.startswith("saturated: 75% of the training rows") and "p(1−p)" in said
        assert "smaller alpha" in said and "bce" in said
        await pilot.press("space")
        assert "saturated" not in notice.text  # once, not on every redraw
        await pilot.press("space")
        assert "saturated" not in notice.text


async def test_saturation_is_not_said_for_bce_nor_for_a_run_saturated_on_the_right_side(make_app):
    """(-5, -3, -3) turns every z of (5, 3, 3) round: as saturated, but right nearly everywhere."""
    for options in (dict(init_weights=(5.0, 3.0, 3.0), loss="bce"), dict(init_weights=(-5.0, -3.0, -3.0))):
        app = make_app(**options)
        data = app.session.trainer.data
        seen = plain_saturation(data.X_train, data.y_train, options["init_weights"])
        assert seen["saturated"] > len(data.y_train) / 2  # (most are saturated: only the side differs)
        if options.get("loss") != "bce":
            assert seen["wrong"] < len(data.y_train) / 10
        async with app.run_test(size=SMALL) as pilot:
            for _ in range(3):
                await pilot.press("space")
                assert "saturated" not in app.screen.query_one("#notice").text


def plain_saturation(X, y, w) -> dict[str, int]:
    """Rows with p within 1e-6 of 0 or 1, and those of them on the wrong side, counted plainly."""
    import math

    saturated = wrong = 0
    for row, label in zip(X, y):
        z = sum(float(a) * b for a, b in zip(row, w))
        p = 1.0 / (1.0 + math.exp(-max(-700.0, min(700.0, z))))
        if p < 1e-6 or p > 1 - 1e-6:
            saturated += 1
            wrong += (p < 0.5) != (label < 0.5)
    return {"saturated": saturated, "wrong": wrong}


async def test_point_mode_survives_new_data_of_another_size(make_app):
    app = make_app(samples=1000)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space", "i", "end")
        app.solo.points.index = 499  # the last training row
        app.solo.session.load_data(samples=100)  # (what the data form does)
        app.solo._new_data()
        await pilot.press("t")  # the split changes too
        await pilot.pause()
        assert app.solo.points.split == "test" and 0 <= app.solo.points.index < 50
        assert _point(app).startswith("test row")


async def test_after_a_fork_from_a_mini_batch_epoch_it_says_the_inputs_are_not_at_hand(make_app):
    app = make_app(batch_size=100)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("space", "space", "left", "B", "y")  # B forks at epoch 1, a mini-batch epoch
        await pilot.pause()
        assert app.session.trainer.epoch == 1 and "not at hand" in _panel(app) and "forked" in _panel(app)
