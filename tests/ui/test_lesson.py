"""The guided lesson: each step's prepared run shows what its text says (checked on the numbers),
the tour walks forward and back with every step's state as prepared, the learner's run comes back
when it closes, and the step reached is kept for the next `gdtui lesson`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.session import load
from gdtui.engine.breakpoints import Breakpoints
from gdtui.ui import lesson
from gdtui.ui.app import build_lesson
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.screens.race import RaceScreen
from gdtui.ui.screens.solo import SoloScreen

STEP = {step.title: k for k, step in enumerate(lesson.STEPS)}


def step_named(title: str) -> lesson.Step:
    return lesson.STEPS[STEP[title]]


# ---- the steps, without the screen ---------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(lesson.STEPS)))
def test_every_step_reads_in_the_panel_at_80_columns(index):
    lines = [line[0][0] for line in lesson.panel_lines(index, lesson.TEXT_WIDTH)]
    assert len(lines) == lesson.TEXT_LINES + 1 or len(lines) == lesson.TEXT_LINES  # the text, then the key
    assert lines[-1] == f"▶ {lesson.STEPS[index].key}"
    assert all(len(line) <= lesson.TEXT_WIDTH for line in lines)
    assert len(lesson.panel_title(index)) <= lesson.TEXT_WIDTH - 2


def test_alpha_too_small_crawls_where_the_lessons_alpha_gets_far():
    small = lesson.prepared(step_named("Alpha too small"))
    small.run()
    usual = create_trainer(step_named("Alpha too small").config().with_changes(alpha=0.01))
    usual.run()
    start = small.history.losses[0]
    assert small.epoch == 40 and small.history.losses[-1] > 0.6 * start  # fallen by a third at most
    assert usual.history.losses[-1] < 0.4 * start
    assert np.all(np.diff(small.history.losses[1:]) < 0)  # slow, but always downhill


def test_alpha_too_large_goes_up_and_down_and_never_settles():
    trainer = lesson.prepared(step_named("Alpha too large"))
    trainer.run()
    losses = trainer.history.losses[1:]
    assert trainer.epoch == 40 and not trainer.diverged
    rises = int(np.sum(np.diff(losses) > 0))
    assert rises >= 15  # a zigzag, not a slow descent with a bump
    assert losses[-10:].min() > 1.3 * losses.min()  # the last epochs are well above the best one
    steps = np.diff(trainer.history.weights[-6:], axis=0)
    assert np.all(np.sum(steps[1:] * steps[:-1], axis=1) < 0)  # each step turns back on the one before


def test_saturation_stalls_with_sse_and_bce_recovers_from_the_same_weights():
    step = step_named("Saturation")
    trainer = lesson.prepared(step)
    X, y = trainer.data.X_train, trainer.data.y_train
    p = 1 / (1 + np.exp(-(X @ trainer.weights)))
    assert np.mean((p < 0.01) | (p > 0.99)) > 0.9 and np.mean((p > 0.5) == (y > 0.5)) < 0.05
    trainer.run()  # p: the 20 epochs with sse
    sse = trainer.history.losses
    assert trainer.epoch == 20 and sse[-1] > 0.9 * sse[0]  # stalled
    trainer.configure(loss="bce")  # f
    trainer.run(20)  # p again
    assert trainer.history.losses[-1] < 0.25 * trainer.history.losses[21]
    assert np.mean(trainer.predict(trainer.weights, "train") == y) > 0.95


def test_momentum_and_nesterov_beat_gd_in_the_race_step():
    step = step_named("Momentum and Nesterov")
    trainer = lesson.prepared(step)
    losses = {}
    for rule in lesson.RACE_RULES:
        racer = create_trainer(step.config().with_changes(optimizer=rule))
        racer.run()
        losses[rule] = racer.history.losses[-1]
    assert losses["momentum"] < 0.2 * losses["gd"] and losses["nesterov"] < 0.2 * losses["gd"]
    assert trainer.config.epochs == 30


def test_progress_is_kept_and_anything_else_reads_as_the_start(private_state_home):
    assert lesson.load_progress() == 0  # nothing kept yet
    lesson.save_progress(7)
    assert lesson.load_progress() == 7
    assert json.loads(lesson.progress_path().read_text()) == {"format": "gdtui-lesson", "step": 7}
    for text in ("[]", '{"step": 99}', '{"step": -1}', '{"step": "3"}', '{"step": true}', "\x00\xff", "{" * 2000):
        lesson.progress_path().write_bytes(text.encode("latin-1"))
        assert lesson.load_progress() == 0, text


# ---- the tour on screen ----------------------------------------------------------------------------


def panel_text(screen) -> str:
    return screen.query_one("#lesson").text


def check_step(app, index: int) -> None:
    """What step `index` prepares: its run, its left view, its race, its breakpoints, its panel."""
    step, session, solo = lesson.STEPS[index], app.session, app.solo
    trainer = session.trainer
    assert app.tour.index == index
    assert trainer.epoch == step.epochs and session.viewing is None and not session.running
    expected = step.config()
    for name in ("dataset", "loss", "alpha", "optimizer", "batch_size", "epochs", "init_weights"):
        assert getattr(trainer.config, name) == getattr(expected, name), name
    np.testing.assert_array_equal(trainer.history.weights[0], lesson.prepared(step).history.weights[0])
    assert solo.left == step.left
    assert solo.query_one("#picture").display == (step.left != "evaluation")
    assert session.breakpoints == Breakpoints(**step.breakpoints) and session.watch is None
    assert isinstance(app.screen, RaceScreen) == step.race
    if step.race:
        assert app.screen.race.rules == lesson.RACE_RULES and app.screen.race.epoch == 0
        assert app.screen.race.starts_like(trainer)
    shown = app.screen
    assert shown.query_one("#lesson").display and lesson.STEPS[index].key.split(" ")[0] in panel_text(shown)
    assert shown.query_one("#lesson").border_title == lesson.panel_title(index)
    assert lesson.load_progress() == index


async def test_the_tour_walks_forward_through_every_step_and_back(private_state_home):
    app = build_lesson()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        for index in range(len(lesson.STEPS)):
            if index:
                await pilot.press("greater_than_sign")
                await pilot.pause()
                await pilot.pause()
            check_step(app, index)
        await pilot.press("full_stop")  # past the last step: it says so, and stays
        await pilot.pause()
        assert app.tour.index == len(lesson.STEPS) - 1 and "last step" in app.screen.query_one("#notice").text
        for index in reversed(range(len(lesson.STEPS) - 1)):
            await pilot.press("less_than_sign" if index % 2 else "comma")
            await pilot.pause()
            await pilot.pause()
            check_step(app, index)
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert app.tour.index == 0 and "first step" in app.screen.query_one("#notice").text


async def test_playing_between_steps_then_going_back_prepares_the_step_again(private_state_home):
    lesson.save_progress(STEP["The gradient"])
    app = build_lesson()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        check_step(app, STEP["The gradient"])
        await pilot.press("space", "space", "plus", "o")  # play: two epochs, alpha doubled, momentum
        await pilot.pause()
        assert app.session.trainer.epoch == 4 and app.session.trainer.config.optimizer == "momentum"
        await pilot.press("greater_than_sign", "less_than_sign")
        await pilot.pause()
        await pilot.pause()
        check_step(app, STEP["The gradient"])
        assert app.session.trainer.config.alpha == 0.01 and app.session.trainer.config.optimizer == "gd"


async def test_the_race_step_goes_on_from_the_race_view(private_state_home):
    lesson.save_progress(STEP["Momentum and Nesterov"])
    app = build_lesson()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        check_step(app, STEP["Momentum and Nesterov"])
        await pilot.press("space")  # the race's own keys work under the panel
        await pilot.pause()
        assert app.screen.race.epoch == 1
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, SoloScreen) and app.solo.query_one("#lesson").display
        await pilot.press("c")  # back to the step's race, as it was
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RaceScreen) and app.screen.race.epoch == 1
        assert app.screen.query_one("#lesson").display
        await pilot.press("greater_than_sign")
        await pilot.pause()
        await pilot.pause()
        check_step(app, STEP["Three ways to stop"])
        assert len(app.screen_stack) == 1


async def test_T_sets_the_learners_run_aside_and_brings_it_back(make_app, private_state_home):
    lesson.save_progress(STEP["Mini-batches"])
    app = make_app(alpha=0.02)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "space", "space")
        await pilot.pause()
        own = app.session.trainer
        await pilot.press("T")
        await pilot.pause()
        await pilot.pause()
        check_step(app, STEP["Mini-batches"])  # it opens at the step reached
        await pilot.press("n", "n", "greater_than_sign")
        await pilot.pause()
        await pilot.press("T")
        await pilot.pause()
        assert app.session.trainer is own and own.epoch == 3 and own.config.alpha == 0.02
        assert not app.tour.on and not app.solo.query_one("#lesson").display
        assert "lesson closed at step 9" in app.solo.query_one("#notice").text
        await pilot.press("greater_than_sign")  # closed: < and > do nothing
        await pilot.pause()
        assert not app.tour.on and app.session.trainer is own
        await pilot.press("T")
        await pilot.pause()
        assert app.tour.index == STEP["Momentum and Nesterov"]


async def test_the_lesson_keys_wait_while_a_form_or_the_help_is_up(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark", "T", "greater_than_sign")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and not app.tour.on
        assert any(key == "T" for key, _ in app.screen._keys)  # the help lists the lesson's keys
        await pilot.press("escape", "T", "b", "greater_than_sign", "T")
        await pilot.pause()
        assert app.tour.index == 0 and type(app.screen).__name__ == "BreakpointsForm"


async def test_gdtui_lesson_comes_back_to_the_step_reached(private_state_home):
    app = build_lesson()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign")
        await pilot.pause()
        await pilot.press("q")
    assert app.return_code == 0
    again = build_lesson()
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        check_step(again, 3)


async def test_f_changes_the_loss_live_and_the_saturated_run_recovers(private_state_home):
    lesson.save_progress(STEP["Saturation"])
    app = build_lesson()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        await pilot.press("p")
        for _ in range(400):
            if not app.session.running:
                break
            await pilot.pause(0.02)
        trainer = app.session.trainer
        assert trainer.epoch == 20 and trainer.history.losses[-1] > 0.9 * trainer.history.losses[0]
        await pilot.press("f")
        await pilot.pause()
        assert trainer.config.loss == "bce" and trainer.epoch == 20 and app.session.trainer is trainer
        assert "loss bce from the next update on" in app.solo.query_one("#notice").text
        assert "bce" in app.solo.query_one("#status").text
        await pilot.press("space")
        await pilot.pause()
        reference = create_trainer(TrainConfig(seed=0, init_weights=lesson.WRONG_START, epochs=20))
        reference.run()
        reference.configure(loss="bce")
        reference.step_epoch()
        np.testing.assert_array_equal(trainer.weights, reference.weights)
        await pilot.press("f")
        await pilot.pause()
        assert trainer.config.loss == "hinge" and app.session.trainer is trainer  # (the next of the cycle, live)


async def test_T_in_the_race_view_opens_the_lesson_over_the_solo_view(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, RaceScreen)
        await pilot.press("T")
        await pilot.pause()
        await pilot.pause()
        check_step(app, 0)  # the race left, the first step's landscape shown
        await pilot.press("T")
        await pilot.pause()
        assert not app.tour.on and isinstance(app.screen, SoloScreen) and app.session.trainer.epoch == 0


async def test_a_terminal_too_small_hides_the_lesson_and_a_larger_one_shows_it_again(private_state_home):
    app = build_lesson()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        await pilot.resize_terminal(60, 18)
        await pilot.pause()
        await pilot.pause()
        assert app.unfit and not app.solo.query_one("#lesson").display
        await pilot.press("greater_than_sign")  # only q acts
        await pilot.pause()
        assert app.tour.index == 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert not app.unfit
        check_step(app, 0)


async def test_quitting_in_the_lesson_keeps_the_learners_own_run(make_app, private_state_home, kept):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "space", "space", "T")
        await pilot.pause()
        await pilot.pause()
        await pilot.press("greater_than_sign", "greater_than_sign", "space")  # a step's run at epoch 4
        await pilot.pause()
        assert app.session.trainer.epoch == 4
        await pilot.press("q")
    assert app.return_code == 0 and "session kept in" in app.autosaved
    assert load(kept(private_state_home)).epoch == 3


async def test_gdtui_lesson_alone_keeps_no_session(private_state_home, kept):
    app = build_lesson()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        await pilot.press("space", "greater_than_sign", "space")
        await pilot.pause()
        await pilot.press("q")
    assert app.return_code == 0 and "nothing trained" in app.autosaved and kept(private_state_home) is None
