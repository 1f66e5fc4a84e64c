"""Robustness: terminals too small for the panels get a note, a diverged run can be rewound, and
a long run in run mode keeps its memory to the history it records."""

from __future__ import annotations

import os

import numpy as np

from gdtui.ui.app import MAX_SIZE, MIN_SIZE


def note(app):
    return app.solo.query_one("#too-small")


async def test_a_40x12_terminal_shows_the_note_until_it_grows(make_app):
    app = make_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert note(app).display and note(app).region.height > 0
        text = note(app).text
        assert f"at least {MIN_SIZE[0]}×{MIN_SIZE[1]}" in text and "this one is 40×12" in text
        assert app.solo.query_one('#grid').region.area == 0  # the panels are hidden, not drawn squeezed
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.pause()
        assert note(app).region.area == 0
        assert app.solo.query_one('#grid').region.width > 20
        await pilot.press("space", "space")
        assert "epoch 2" in app.query_one("#status").text


async def test_just_below_the_minimum_in_one_direction_is_too_small(make_app):
    app = make_app()
    async with app.run_test(size=(MIN_SIZE[0] + 30, MIN_SIZE[1] - 1)) as pilot:
        await pilot.pause()
        assert note(app).region.area > 0
        await pilot.resize_terminal(*MIN_SIZE)
        await pilot.pause()
        assert note(app).region.area == 0 and app.solo.query_one('#grid').region.area > 0


async def test_a_terminal_beyond_the_largest_shows_the_note_and_draws_no_panels(make_app):
    """A served terminal's size is the visitor's choice: 4000x2000 cells must not be drawn."""
    app = make_app()
    async with app.run_test(size=(MAX_SIZE[0] + 1, 60)) as pilot:
        await pilot.pause()
        text = note(app).text
        assert f"at most {MAX_SIZE[0]}×{MAX_SIZE[1]}" in text and f"this one is {MAX_SIZE[0] + 1}×60" in text
        assert app.solo.query_one('#grid').region.area == 0
        await pilot.resize_terminal(*MAX_SIZE)
        await pilot.pause()
        await pilot.pause()
        assert note(app).region.area == 0 and app.solo.query_one('#grid').region.area > 0


async def test_a_diverged_run_can_be_rewound_and_forked(make_app, huge_csv):
    app = make_app(dataset=huge_csv, loss="bce")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "space")
        assert app.session.trainer.diverged and app.session.trainer.epoch == 1
        await pilot.press("left")
        await pilot.pause()
        assert app.session.viewing == 0 and app.session.state_word() == "rewound to epoch 0 of 1"
        await pilot.press("minus", "minus", "minus")  # a smaller alpha from epoch 0 forks a new run
        assert not app.session.trainer.diverged and app.session.viewing is None and app.session.trainer.epoch == 0
        assert app.session.trainer.config.alpha == 0.01 / 8


SOAK_EPOCHS = 200_000


def resident_bytes() -> int:
    """This process's resident memory now (Linux /proc; the CI machine is Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def test_soak_200k_epochs_in_run_mode_with_bounded_memory(make_app):
    app = make_app(epochs=SOAK_EPOCHS)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        before = resident_bytes()
        await pilot.press("p")
        last, still = 0, 0
        while app.session.running and still < 2_000:  # (however slow the machine, while epochs go on)
            await pilot.pause(0.02)
            epoch = app.session.trainer.epoch
            last, still = epoch, (still + 1 if epoch == last else 0)
        grown = resident_bytes() - before
        assert app.session.trainer.epoch == SOAK_EPOCHS and app.session.halted_by == "epochs", (
            f"epoch {app.session.trainer.epoch}, halted by {app.session.halted_by}, running {app.session.running}")
        h = app.session.trainer.history
        assert np.isfinite(h.losses).all() and len(h) == SOAK_EPOCHS + 1
        # per epoch the history keeps 21 floats and a rule name: ~34 MB here, grown by doubling
        recorded = 21 * 8 * len(h)
        assert grown < 2 * recorded + 40_000_000, f"{grown / 1e6:.0f} MB for {recorded / 1e6:.0f} MB of history"


async def test_a_resize_while_a_view_is_on_top_is_seen_on_return(make_app):
    app = make_app()
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        assert note(app).region.area > 0
        await pilot.press("question_mark")  # (too small: only q acts; the help does not open)
        assert app.screen is app.screen_stack[0]
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.resize_terminal(50, 15)
        await pilot.pause()
        await pilot.resize_terminal(100, 30)  # grown again while the race is on top
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert note(app).region.area == 0 and app.solo.query_one('#grid').region.width > 20


async def test_only_q_acts_while_the_terminal_is_too_small(make_app):
    app = make_app()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.press("space", "p", "b", "plus")
        assert app.session.trainer.epoch == 0 and not app.session.running and app.session.trainer.config.alpha == 0.01
        assert app.screen is app.screen_stack[0]
        await pilot.press("q")
        assert app.return_code == 0


async def test_the_race_view_shows_the_note_too_and_comes_back(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c", "space")
        race = app.screen
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.pause()
        small = race.query_one("#race-too-small")
        assert small.region.area > 0 and "this one is 40×12" in small.text
        assert race.query_one("#race-table").region.area == 0
        await pilot.press("space", "r")  # nothing acts but q
        assert race.race.epoch == 1
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        await pilot.pause()
        assert small.region.area == 0 and race.query_one("#race-table").region.area > 0
        await pilot.press("space")
        assert race.race.epoch == 2


async def test_shrinking_closes_a_form_so_that_the_note_shows_and_q_quits(make_app):
    from gdtui.ui.screens.breakpoints_form import BreakpointsForm

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "b")
        await pilot.pause()
        assert isinstance(app.screen, BreakpointsForm)
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert app.screen is app.screen_stack[0] and note(app).region.area > 0
        assert app.session.trainer.epoch == 1 and app.session.watch is None  # the form was cancelled, nothing armed
        await pilot.press("q")
        assert app.return_code == 0
