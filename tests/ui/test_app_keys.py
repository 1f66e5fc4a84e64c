"""Pilot tests: every key changes the trainer's state as the help screen promises."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.ui.app import GDApp
from gdtui.ui.settings import BATCH_CHOICES, MOMENTUM_CHOICES
from gdtui.ui.screens.alpha_prompt import AlphaPrompt
from gdtui.ui.screens.help import HelpScreen



def headless(**options):
    """The same run without the app, as the reference for what a key should have done."""
    options.setdefault("seed", 0)
    return create_trainer(TrainConfig(**options))


def status_text(app: GDApp) -> str:
    return app.solo.query_one('#status').text




async def test_space_steps_one_epoch(make_app, size):
    app = make_app()
    reference = headless()
    reference.step_epoch()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space")
        await pilot.pause()
        assert app.session.trainer.epoch == 1
        np.testing.assert_array_equal(app.session.trainer.weights, reference.weights)
        assert "epoch 1" in status_text(app)
        assert "paused" in status_text(app)


async def test_n_steps_one_batch(make_app, size):
    app = make_app(batch_size=32)
    async with app.run_test(size=size) as pilot:
        await pilot.press("n", "n")
        await pilot.pause()
        assert (app.session.trainer.epoch, app.session.trainer.batch) == (0, 2)
        assert "batch 2/16" in status_text(app)
        assert app.solo.query_one('#grid').picture.highlight is not None
        np.testing.assert_array_equal(app.solo.query_one('#grid').picture.highlight, np.arange(32, 64))
        await pilot.press("space")
        await pilot.pause()
        assert (app.session.trainer.epoch, app.session.trainer.batch) == (1, 0)


async def test_p_runs_to_the_epoch_limit_and_stops(make_app, wait_until_paused, size):
    app = make_app(epochs=40)
    async with app.run_test(size=size) as pilot:
        await pilot.press("p")
        await wait_until_paused(pilot)
        assert app.session.trainer.epoch == 40
        assert app.session.state_word() == "done (40 epochs)"
        await pilot.press("p")  # a second run goes on for as many epochs again
        await wait_until_paused(pilot)
        assert app.session.trainer.epoch == 80


async def test_p_pauses_a_run(make_app, size):
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=size) as pilot:
        await pilot.press("p")
        await pilot.pause(0.3)
        await pilot.press("p")
        await pilot.pause()
        assert not app.session.running
        reached = app.session.trainer.epoch
        assert reached > 0
        await pilot.pause(0.2)
        assert app.session.trainer.epoch == reached
        assert "paused" in status_text(app)


async def test_run_stops_on_tol_and_says_converged(make_app, wait_until_paused, size):
    app = make_app(tol=1.0)
    reference = headless(tol=1.0)
    assert reference.run() == "tol"
    async with app.run_test(size=size) as pilot:
        await pilot.press("p")
        await wait_until_paused(pilot)
        assert app.session.trainer.epoch == reference.epoch
        assert app.session.trainer.history.losses[-1] < 1.0 <= app.session.trainer.history.losses[-2]
        assert "converged (tol)" in status_text(app)


async def test_plus_and_minus_scale_alpha(make_app, size):
    app = make_app(alpha=0.01)
    async with app.run_test(size=size) as pilot:
        await pilot.press("plus")
        assert app.session.trainer.config.alpha == 0.02
        await pilot.press("minus", "minus")
        assert app.session.trainer.config.alpha == 0.005
        await pilot.pause()
        assert "alpha 0.005" in status_text(app)


async def test_plus_at_the_limit_is_refused_in_place(make_app, size):
    app = make_app(alpha=1e6)
    async with app.run_test(size=size) as pilot:
        await pilot.press("plus")
        await pilot.pause()
        assert app.session.trainer.config.alpha == 1e6
        notice = app.query_one("#notice")
        assert notice.display and notice.text.startswith("refused: alpha must be")  # (no flags in a TUI)


async def test_a_sets_an_exact_alpha(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AlphaPrompt)
        await pilot.press("ctrl+a", "ctrl+k", *"0.125", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, AlphaPrompt)
        assert app.session.trainer.config.alpha == 0.125


@pytest.mark.parametrize("typed, reason", [("abc", "not a number"), ("-3", "refused: alpha must be"),
                                           ("nan", "refused: alpha must be")])
async def test_a_refuses_bad_alpha_in_place(make_app, typed, reason, size):
    app = make_app(alpha=0.01)
    async with app.run_test(size=size) as pilot:
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *typed, "enter")
        await pilot.pause()
        assert isinstance(app.screen, AlphaPrompt), "a bad value must keep the prompt open"
        assert reason in str(app.screen.query_one("#alpha-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AlphaPrompt)
        assert app.session.trainer.config.alpha == 0.01


async def test_o_cycles_the_optimizer_and_resets_its_state(make_app, size):
    app = make_app(optimizer="momentum")
    async with app.run_test(size=size) as pilot:
        await pilot.press("space")
        assert app.session.trainer.snapshot().optimizer_state[0][2] != (0.0, 0.0, 0.0)
        seen = []
        for _ in range(6):
            await pilot.press("o")
            seen.append(app.session.trainer.config.optimizer)
        assert seen == ["nesterov", "adagrad", "rmsprop", "adam", "gd", "momentum"]
        assert app.session.trainer.snapshot().optimizer_state[0][2] == (0.0, 0.0, 0.0)
        assert app.session.trainer.epoch == 1, "changing the rule keeps the weights and the epoch"


async def test_m_cycles_momentum(make_app, size):
    app = make_app(optimizer="momentum", momentum=0.9)
    async with app.run_test(size=size) as pilot:
        values = []
        for _ in range(len(MOMENTUM_CHOICES)):
            await pilot.press("m")
            values.append(app.session.trainer.config.momentum)
        assert values == [0.99, 0.5, 0.9]


async def test_shift_b_cycles_the_batch_size(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        values = []
        for _ in range(len(BATCH_CHOICES)):
            await pilot.press("B")
            values.append(app.session.trainer.config.batch_size)
        assert values == list(BATCH_CHOICES[1:]) + [None]


async def test_r_resets_to_fresh_weights(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        first = app.session.trainer.weights
        await pilot.press("space", "space", "r")
        await pilot.pause()
        assert app.session.trainer.epoch == 0
        assert len(app.session.trainer.history) == 1
        assert not np.allclose(app.session.trainer.weights, first)
        assert "epoch 0" in status_text(app)


async def test_t_toggles_train_and_test(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        scatter = app.solo.query_one('#grid')
        assert scatter.picture.split == "train"
        await pilot.press("t")
        await pilot.pause()
        assert scatter.picture.split == "test" and "test (500)" in str(app.solo.query_one("#picture").border_title)
        await pilot.press("t")
        assert scatter.picture.split == "train"


async def test_shift_l_toggles_the_log_scale(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("L")
        await pilot.pause()
        assert app.solo.log_scale and "log" in str(app.query_one("#loss").border_title)
        await pilot.press("L")
        assert not app.solo.log_scale


async def test_question_mark_opens_and_closes_help(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_diverged_run_keeps_finite_weights_and_says_so(make_app, huge_csv, size):
    app = make_app(dataset=huge_csv, loss="bce")
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space")
        await pilot.pause()
        assert app.session.trainer.diverged
        assert np.isfinite(app.session.trainer.weights).all()
        assert np.isfinite(app.session.trainer.history.losses).all()
        assert status_text(app).startswith("diverged")
        assert "diverged" in app.solo.query_one('#notice').text
        await pilot.press("r")
        await pilot.pause()
        assert not app.session.trainer.diverged and app.session.state_word() == "paused"


async def test_keys_respond_while_running(make_app, size):
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=size) as pilot:
        await pilot.press("p")
        await pilot.pause(0.1)
        await pilot.press("plus")
        assert app.session.trainer.config.alpha == 0.02
        assert app.session.running
        await pilot.press("space")  # stepping pauses the run first
        assert not app.session.running


async def test_m_says_the_momentum_coefficient_and_when_it_is_used(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("m")
        assert app.solo.query_one('#notice').text == \
            "momentum coefficient μ = 0.99 (used by momentum and nesterov: o picks them)"
        await pilot.press("o", "m")
        assert app.solo.query_one('#notice').text == "momentum coefficient μ = 0.5"


async def test_home_pageup_pagedown_and_j_jump_through_the_history(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*["space"] * 30)
        await pilot.press("home")
        assert app.session.viewing == 0
        await pilot.press("pagedown", "pagedown")
        assert app.session.viewing == 6  # a tenth of 30 epochs, twice
        await pilot.press("pageup")
        assert app.session.viewing == 3
        await pilot.press("j")
        await pilot.pause()
        app.screen.query_one("#epoch-input").value = "31"
        await pilot.press("enter")
        await pilot.pause()
        assert "epoch must be a whole number in [0, 30]" in str(app.screen.query_one("#epoch-error").render())
        app.screen.query_one("#epoch-input").value = "17"
        await pilot.press("enter", "enter")  # (a second enter in the same burst finds the form closed)
        await pilot.pause()
        assert app.session.viewing == 17 and status_text(app).startswith("rewound to epoch 17 of 30")


async def test_u_brings_back_the_run_that_r_discarded(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "space", "r")
        assert app.session.trainer.epoch == 0
        assert app.solo.query_one("#notice").text == "a fresh start; u brings back the run at epoch 3"
        await pilot.press("u")
        assert app.session.trainer.epoch == 3
        await pilot.press("z")
        assert app.solo.query_one("#notice").text == "z does nothing in the solo view (? lists its keys)"
