"""Keys arrive in bursts over SSH: many key events are queued before the app handles the first.

A seeded generator sends bursts of keys, all posted to the app at once as the terminal driver posts
them, across the solo view, the race, the forms, the help and the inspector. Nothing may fail (the
Pilot harness raises any exception the app met), and afterwards the app must still answer: escape
reaches a view, `q` quits with status 0 and keeps the session.
"""

from __future__ import annotations

import random

import pytest
from textual import events

from gdtui.engine.session import load
from gdtui.ui.app import build_lesson
from gdtui.ui.keys import LESSON_KEYS, RACE_KEYS, SOLO_KEYS, key_names

SPECIAL = {"space": " ", "plus": "+", "minus": "-", "equals_sign": "=", "question_mark": "?",
           "left_square_bracket": "[", "right_square_bracket": "]", "less_than_sign": "<",
           "greater_than_sign": ">", "comma": ",", "full_stop": "."}
"""Key names whose character is not the name itself."""
EXTRA = ("enter", "enter", "escape", "tab", "backspace", "0", "5", "9", ".", "e", "-", "a", "z", "up", "down")
"""Keys the forms use (and a few that nothing binds)."""
POOL = tuple(sorted((key_names(SOLO_KEYS) | key_names(RACE_KEYS) | key_names(LESSON_KEYS)) - {"q", "S", "x"})) + EXTRA
"""Every bound key but quitting and the file writers (tested on their own), plus the forms' keys."""
LESSON_POOL = POOL + ("greater_than_sign", "less_than_sign", "T") * 8
"""The same, with the lesson's keys often enough to cross many steps and open and close it."""


def key_event(name: str) -> events.Key:
    character = SPECIAL.get(name, name if len(name) == 1 else None)
    return events.Key(name, character)


@pytest.mark.parametrize("seed", range(6))
async def test_bursts_of_keys_never_break_the_app(make_app, private_state_home, kept, seed):
    await _bursts(make_app(epochs=30, samples=200), POOL, random.Random(seed), private_state_home, kept)


@pytest.mark.parametrize("seed", range(3))
async def test_bursts_of_keys_never_break_the_lesson(private_state_home, kept, seed):
    await _bursts(build_lesson(), LESSON_POOL, random.Random(100 + seed), private_state_home, kept)


async def _bursts(app, pool, rng, private_state_home, kept) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(40):
            for name in rng.choices(pool, k=rng.randint(1, 8)):
                app.post_message(key_event(name))
            await pilot.pause()
        for _ in range(4):  # out of any form, the help or the inspector
            app.post_message(key_event("escape"))
            await pilot.pause()
        for _ in range(200):  # a run started by the burst may still go on
            if not app.session.running and not getattr(app.screen, "running", False):
                break
            await pilot.pause(0.02)
        assert type(app.screen).__name__ in ("SoloScreen", "RaceScreen")
        if app.tour.on:  # (the lesson's runs are prepared ones: the learner's own run is what is kept)
            await pilot.press("T")
            await pilot.pause()
        await pilot.press("space")
        await pilot.press("q")
    assert app.return_code == 0
    assert "session kept in" in app.autosaved and load(kept(private_state_home)).epoch == app.session.trainer.epoch


@pytest.mark.parametrize("opener", ["b", "a", "D", "j"])
@pytest.mark.parametrize("burst", [["enter", "enter", "enter"], ["escape", "enter", "escape"], ["enter", "escape"]])
async def test_a_form_closes_once_whatever_follows_in_the_same_burst(make_app, opener, burst):
    app = make_app(epochs=30, samples=200)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", opener)
        await pilot.pause()
        assert type(app.screen).__name__ != "SoloScreen"  # the form is up
        for name in burst:
            app.post_message(key_event(name))
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "SoloScreen" and len(app.screen_stack) == 1


TEACHING = ("y", "y", "i", "i", "escape", "up", "down", "left", "right", "space", "n", "t", "l", "e", "g", "v")
"""The keys of the why panel and the point mode, with the keys they meet most."""


@pytest.mark.parametrize("seed", range(4))
async def test_bursts_through_the_why_panel_and_point_mode(make_app, seed):
    rng = random.Random(100 + seed)
    app = make_app(epochs=30, samples=200, batch_size=32)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(30):
            for name in rng.choices(TEACHING, k=rng.randint(1, 8)):
                app.post_message(key_event(name))
            await pilot.pause()
            screen = app.solo
            if screen.points.active:  # the selection is always a row of the split shown, drawn on the scatter
                assert screen.left == "scatter" and screen.points.split == screen.split
                assert 0 <= screen.points.index < len(app.session.trainer.data.y_train if screen.split == "train"
                                                       else app.session.trainer.data.y_test)
        for _ in range(4):
            app.post_message(key_event("escape"))
            await pilot.pause()
        assert type(app.screen).__name__ == "SoloScreen" and len(app.screen_stack) == 1
        assert not app.solo.points.active
