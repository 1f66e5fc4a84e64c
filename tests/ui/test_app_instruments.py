"""Pilot tests of the teaching instruments: rewind and fork, the landscape, the gradient inspector
and the next-step preview."""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

from gdtui.ui.screens.inspector import GradientInspector



def plain(renderable) -> str:
    console = Console(width=300, file=io.StringIO(), record=True)
    console.print(renderable)
    return console.export_text()


def sse(X, y, w):
    p = 1 / (1 + np.exp(-(X @ w)))
    return float(np.sum((p - y) ** 2))


async def test_rewind_shows_the_exact_recorded_weights(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*["space"] * 6)
        recorded = app.session.trainer.history.weights.copy()
        await pilot.press("left", "left", "left_square_bracket")
        await pilot.pause()
        assert app.session.viewing == 3
        assert app.solo.query_one('#grid').picture.weights == tuple(recorded[3])
        assert app.solo.query_one('#loss').chart.marked == 3
        assert app.solo.query_one('#status').text.startswith("rewound to epoch 3 of 6")
        np.testing.assert_array_equal(app.session.trainer.weights, recorded[6])  # looking changes nothing
        await pilot.press("right", "right_square_bracket")
        assert app.session.viewing == 5
        await pilot.press("right")
        assert app.session.viewing is None
        await pilot.press("left", "end")
        assert app.session.viewing is None


async def test_rewind_stops_at_epoch_zero(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "left", "left", "left")
        assert app.session.viewing == 0
        assert app.solo.query_one('#grid').picture.weights == tuple(app.session.trainer.history.weights[0])


async def test_a_step_while_rewound_forks_and_truncates(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*["space"] * 6)
        w2 = app.session.trainer.history.weights[2].copy()
        await pilot.press(*["left"] * 4)
        assert app.session.viewing == 2
        await pilot.press("space")
        await pilot.pause()
        assert app.session.viewing is None
        assert app.session.trainer.epoch == 3 and len(app.session.trainer.history) == 4
        np.testing.assert_array_equal(app.session.trainer.history.weights[2], w2)
        assert "4 later epochs were discarded" in app.solo.query_one('#notice').text


async def test_changing_alpha_while_rewound_forks_with_the_new_alpha(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*["space"] * 4, "left", "left", "plus")
        assert app.session.viewing is None and app.session.trainer.epoch == 2
        assert app.session.trainer.config.alpha == 0.02
        await pilot.press("space")
        assert app.session.trainer.history.alphas[3] == 0.02


async def test_a_refused_change_while_rewound_keeps_the_history(make_app, size):
    app = make_app(alpha=1e6)
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "left", "plus")
        assert app.session.viewing == 1 and app.session.trainer.epoch == 2


@pytest.mark.parametrize("loss", ["sse", "bce"])
async def test_landscape_value_at_the_current_point_is_the_current_loss(make_app, loss, size):
    app = make_app(loss=loss)
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "space", "l")
        await pilot.pause()
        await pilot.pause()
        view = app.solo.query_one('#grid')
        assert view.display and type(view.picture).__name__ == "Landscape"
        X, y, w = app.session.trainer.data.X_train, app.session.trainer.data.y_train, app.session.trainer.weights
        expected = sse(X, y, w) if loss == "sse" else float(np.sum(np.logaddexp(0, X @ w) - y * (X @ w)))
        assert app.solo.landscape_value == pytest.approx(expected, rel=1e-10)
        surface = app.solo.surfaces.surface
        assert surface is not None and surface.values.shape == (view.size.height, view.size.width)
        assert surface.slice.axes == (1, 2) and surface.slice.held == tuple(w.tolist())
        # the window holds the whole path, and the path ends at the current point
        f = surface.slice.window
        path = app.session.trainer.history.weights
        assert (f.x_min <= path[:, 1].min()) and (path[:, 1].max() <= f.x_max)
        np.testing.assert_array_equal(view.picture.path[-1], w)


async def test_landscape_is_computed_only_when_its_slice_changes(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("l")
        await pilot.pause()
        await pilot.pause()
        first = app.solo.surfaces.surface
        await pilot.press("t", "L")  # redraws that change neither the slice nor the window
        assert app.solo.surfaces.surface is first
        await pilot.press("w", "w")  # (the chooser, then its next pair)
        await pilot.pause()
        assert app.solo.surfaces.surface is not first and app.solo.surfaces.surface.slice.axes == (0, 1)


async def test_w_w_steps_through_the_pairs_and_l_closes(make_app, size):
    """`w` opens the chooser; `w` in it takes the next pair, so `w w` steps as the old cycle did."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("w")
        await pilot.pause()
        assert type(app.screen).__name__ == "PairChooser" and app.solo.left == "scatter"
        await pilot.press("w")
        await pilot.pause()
        await pilot.pause()
        assert app.screen is app.solo and app.solo.left == "landscape"
        assert app.solo.surfaces.surface.slice.axes == (0, 1)
        await pilot.press("w", "w")
        await pilot.pause()
        assert app.solo.surfaces.surface.slice.axes == (0, 2)
        await pilot.press("w", "w")
        await pilot.pause()
        assert app.solo.surfaces.surface.slice.axes == (1, 2)
        await pilot.press("l")
        assert not (app.solo.left == 'landscape') and type(app.solo.query_one('#grid').picture).__name__ == "Scatter"


async def test_inspector_agrees_for_bce(make_app, size):
    app = make_app(loss="bce")
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "g")
        await pilot.pause()
        assert isinstance(app.screen, GradientInspector)
        assert app.solo.inspection.max_error < 1e-6
        assert app.solo.inspection.factor == 1
        text = plain(app.screen.content)
        assert "is exactly ∇L" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, GradientInspector)


async def test_inspector_shows_the_factor_for_sse(make_app, size):
    app = make_app(loss="sse")
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "g")
        await pilot.pause()
        check = app.solo.inspection
        assert check.factor == 2
        np.testing.assert_allclose(check.analytic, 2 * np.array(check.direction))
        np.testing.assert_allclose(check.numeric, check.analytic, rtol=1e-6)
        text = plain(app.screen.content)
        assert "NOT the gradient of the printed loss" in text and "∇L = 2·g" in text


async def test_preview_draws_three_ghosts_and_commits_nothing(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space")
        before = app.session.trainer.snapshot()
        history = app.session.trainer.history.weights.copy()
        await pilot.press("v")
        await pilot.pause()
        ghosts = app.solo.query_one('#grid').picture.ghosts
        assert len(ghosts) == 3 and len(set(ghosts)) == 3
        assert app.session.trainer.snapshot() == before
        np.testing.assert_array_equal(app.session.trainer.history.weights, history)
        # the alpha ghost is where the next real step lands
        await pilot.press("v", "space")
        assert tuple(app.session.trainer.weights) == ghosts[1]


@pytest.mark.parametrize("loss", ["sse", "bce"])
def test_the_inspector_reads_the_same_when_the_losses_move_by_round_off(loss):
    """Another CPU rounds the loss differently in its last bits; a finite difference divides that
    by 2h. The inspector shows relative errors as decade bands, so its text must not change when
    every loss value moves by 1e-12 relative, nor when each evaluation moves by an ulp or so."""
    from gdtui.engine import TrainConfig, create_trainer
    from gdtui.engine.gradcheck import compare_gradients, exact_value, numeric_gradient
    from gdtui.engine.losses import LOSSES, Workspace
    from gdtui.ui.screens.inspector import explain

    trainer = create_trainer(TrainConfig(seed=0, loss=loss))
    trainer.run(2)
    X, y, w, rule = trainer.data.X_train, trainer.data.y_train, trainer.weights, LOSSES[loss]
    _, direction = rule.evaluate(X, y, w, Workspace(len(y)))

    def shown(value) -> str:
        check = compare_gradients(direction, rule.gradient_factor, numeric_gradient(value, w))
        return plain(explain(check, rule, 2, mini_batch=False))

    exact = shown(lambda v: exact_value(rule, X, y, v))
    scaled = shown(lambda v: exact_value(rule, X, y, v) * (1 + 1e-12))
    flips = iter(np.tile([1.0, -1.0, -1.0, 1.0], 3))
    jittered = shown(lambda v: exact_value(rule, X, y, v) * (1 + 2e-16 * next(flips)))
    assert exact == scaled == jittered
    assert "< 1e-8" in exact and "the analytic gradient is right" in exact
