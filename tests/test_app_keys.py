"""Pilot tests: every key changes the trainer's state as the help screen promises."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.ui.app import BATCH_CHOICES, MOMENTUM_CHOICES, GDApp
from gdtui.ui.screens.alpha_prompt import AlphaPrompt
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.widgets.scatter import Scatter
from gdtui.ui.widgets.status import StatusLine

SIZE = (100, 30)


def headless(**options):
    """The same run without the app, as the reference for what a key should have done."""
    options.setdefault("seed", 0)
    return create_trainer(TrainConfig(**options))


def status_text(app: GDApp) -> str:
    return str(app.query_one(StatusLine).render())


async def wait_until_paused(pilot, app: GDApp, limit: float = 20.0) -> None:
    waited = 0.0
    while app.running and waited < limit:
        await pilot.pause(0.05)
        waited += 0.05
    assert not app.running, "run mode did not stop"


async def test_space_steps_one_epoch(make_app):
    app = make_app()
    reference = headless()
    reference.step_epoch()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause()
        assert app.trainer.epoch == 1
        np.testing.assert_array_equal(app.trainer.weights, reference.weights)
        assert "epoch 1" in status_text(app)
        assert "paused" in status_text(app)


async def test_n_steps_one_batch(make_app):
    app = make_app(batch_size=32)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "n")
        await pilot.pause()
        assert (app.trainer.epoch, app.trainer.batch) == (0, 2)
        assert "batch 2/16" in status_text(app)
        assert app.query_one(Scatter).highlight is not None
        np.testing.assert_array_equal(app.query_one(Scatter).highlight, np.arange(32, 64))
        await pilot.press("space")
        await pilot.pause()
        assert (app.trainer.epoch, app.trainer.batch) == (1, 0)


async def test_p_runs_to_the_epoch_limit_and_stops(make_app):
    app = make_app(epochs=40)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await wait_until_paused(pilot, app)
        assert app.trainer.epoch == 40
        assert app.state_word() == "done (40 epochs)"
        await pilot.press("p")  # a second run goes on for as many epochs again
        await wait_until_paused(pilot, app)
        assert app.trainer.epoch == 80


async def test_p_pauses_a_run(make_app):
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause(0.3)
        await pilot.press("p")
        await pilot.pause()
        assert not app.running
        reached = app.trainer.epoch
        assert reached > 0
        await pilot.pause(0.2)
        assert app.trainer.epoch == reached
        assert "paused" in status_text(app)


async def test_run_stops_on_tol_and_says_converged(make_app):
    app = make_app(tol=1.0)
    reference = headless(tol=1.0)
    assert reference.run() == "tol"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await wait_until_paused(pilot, app)
        assert app.trainer.epoch == reference.epoch
        assert app.trainer.history.losses[-1] < 1.0 <= app.trainer.history.losses[-2]
        assert "converged (tol)" in status_text(app)


async def test_plus_and_minus_scale_alpha(make_app):
    app = make_app(alpha=0.01)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus")
        assert app.trainer.config.alpha == 0.02
        await pilot.press("minus", "minus")
        assert app.trainer.config.alpha == 0.005
        await pilot.pause()
        assert "alpha 0.005" in status_text(app)


async def test_plus_at_the_limit_is_refused_in_place(make_app):
    app = make_app(alpha=1e6)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus")
        await pilot.pause()
        assert app.trainer.config.alpha == 1e6
        notice = app.query_one("#notice")
        assert notice.display and str(notice.render()).startswith("refused: alpha must be")  # (no flags in a TUI)


async def test_a_sets_an_exact_alpha(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AlphaPrompt)
        await pilot.press("ctrl+a", "ctrl+k", *"0.125", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, AlphaPrompt)
        assert app.trainer.config.alpha == 0.125


@pytest.mark.parametrize("typed, reason", [("abc", "not a number"), ("-3", "refused: alpha must be"),
                                           ("nan", "refused: alpha must be")])
async def test_a_refuses_bad_alpha_in_place(make_app, typed, reason):
    app = make_app(alpha=0.01)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *typed, "enter")
        await pilot.pause()
        assert isinstance(app.screen, AlphaPrompt), "a bad value must keep the prompt open"
        assert reason in str(app.screen.query_one("#alpha-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AlphaPrompt)
        assert app.trainer.config.alpha == 0.01


async def test_o_cycles_the_optimizer_and_resets_its_state(make_app):
    app = make_app(optimizer="momentum")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        assert app.trainer.snapshot().optimizer_state[0][2] != (0.0, 0.0, 0.0)
        seen = []
        for _ in range(6):
            await pilot.press("o")
            seen.append(app.trainer.config.optimizer)
        assert seen == ["nesterov", "adagrad", "rmsprop", "adam", "gd", "momentum"]
        assert app.trainer.snapshot().optimizer_state[0][2] == (0.0, 0.0, 0.0)
        assert app.trainer.epoch == 1, "changing the rule keeps the weights and the epoch"


async def test_m_cycles_momentum(make_app):
    app = make_app(optimizer="momentum", momentum=0.9)
    async with app.run_test(size=SIZE) as pilot:
        values = []
        for _ in range(len(MOMENTUM_CHOICES)):
            await pilot.press("m")
            values.append(app.trainer.config.momentum)
        assert values == [0.99, 0.5, 0.9]


async def test_shift_b_cycles_the_batch_size(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        values = []
        for _ in range(len(BATCH_CHOICES)):
            await pilot.press("B")
            values.append(app.trainer.config.batch_size)
        assert values == list(BATCH_CHOICES[1:]) + [None]


async def test_r_resets_to_fresh_weights(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        first = app.trainer.weights
        await pilot.press("space", "space", "r")
        await pilot.pause()
        assert app.trainer.epoch == 0
        assert len(app.trainer.history) == 1
        assert not np.allclose(app.trainer.weights, first)
        assert "epoch 0" in status_text(app)


async def test_t_toggles_train_and_test(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        scatter = app.query_one(Scatter)
        assert scatter.view == "train"
        await pilot.press("t")
        await pilot.pause()
        assert scatter.view == "test" and "test (500)" in str(scatter.border_title)
        await pilot.press("t")
        assert scatter.view == "train"


async def test_shift_l_toggles_the_log_scale(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("L")
        await pilot.pause()
        assert app.log_scale and "log" in str(app.query_one("#loss").border_title)
        await pilot.press("L")
        assert not app.log_scale


async def test_question_mark_opens_and_closes_help(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_diverged_run_keeps_finite_weights_and_says_so(make_app, huge_csv):
    app = make_app(dataset=huge_csv, loss="bce")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space")
        await pilot.pause()
        assert app.trainer.diverged
        assert np.isfinite(app.trainer.weights).all()
        assert np.isfinite(app.trainer.history.losses).all()
        assert status_text(app).startswith("diverged")
        assert "diverged" in str(app.query_one("#notice").render())
        await pilot.press("r")
        await pilot.pause()
        assert not app.trainer.diverged and app.state_word() == "paused"


async def test_keys_respond_while_running(make_app):
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await pilot.pause(0.1)
        await pilot.press("plus")
        assert app.trainer.config.alpha == 0.02
        assert app.running
        await pilot.press("space")  # stepping pauses the run first
        assert not app.running


async def test_m_says_the_momentum_coefficient_and_when_it_is_used(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        assert str(app.query_one("#notice").render()) == \
            "momentum coefficient μ = 0.99 (used by momentum and nesterov: o picks them)"
        await pilot.press("o", "m")
        assert str(app.query_one("#notice").render()) == "momentum coefficient μ = 0.5"
