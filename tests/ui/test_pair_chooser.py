"""The chooser of the landscape's two weights (`w`): what it lists, how it picks, and that keys in
bursts (before it is drawn, after it closed) never break it; the title that names the pair."""

from __future__ import annotations

import math

import numpy as np
import pytest
from textual import events
from textual.app import App

from gdtui.describe import COLUMN_NAMES, column_names, weight_label, weight_labels
from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.config import FEATURES
from gdtui.engine.landscape import Slice, Window
from gdtui.ui.panels import landscape_title
from gdtui.ui.screens.pair_chooser import PairChooser, PairPick, chooser_lines
from gdtui.ui import surfaces
from gdtui.ui.surfaces import ChosenPair, SurfaceKeeper, pair_for
from gdtui.ui.widgets.lines import clipped, fitting, text_of, width_of

ALL = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2")


def key_event(name: str) -> events.Key:
    return events.Key(name, {"space": " "}.get(name, name if len(name) == 1 else None))


# ---- Textual-free ---------------------------------------------------------------------------------------

def test_weight_labels_are_row_by_row():
    assert [weight_label(i, (3,)) for i in range(3)] == ["w0", "w1", "w2"]
    assert [weight_label(i, (2, 3)) for i in range(6)] == ["w0.0", "w0.1", "w0.2", "w1.0", "w1.1", "w1.2"]
    assert weight_label(47, (6, 8)) == "w5.7"
    assert weight_labels((2, 3)) == ("w0.0", "w0.1", "w0.2", "w1.0", "w1.1", "w1.2")
    assert weight_labels((3,)) == ("w0", "w1", "w2")


def test_every_feature_the_engine_knows_has_its_screen_name():
    assert tuple(COLUMN_NAMES) == FEATURES
    assert column_names(("x1", "x2")) == ("1", "x1", "x2")
    assert column_names(("x2^2", "x1x2", "sin1")) == ("1", "x2²", "x1·x2", "sin x1")


def test_names_are_clipped_at_a_word_and_the_first_fitting_form_wins():
    assert clipped("class 12345", 8) == "class 1…" and clipped("ab cdefgh", 4) == "ab…" and clipped("abc", 3) == "abc"
    assert fitting(["abcdef", "abcd", "ab"], 4, len) == "abcd"
    assert fitting(["abcdef", "abcde"], 4, len) == "abcde" and fitting(["abcdef"], 4, len, "") == ""


def test_two_picks_make_the_pair_and_the_same_one_twice_is_refused():
    pick = PairPick((3, 3), (1, 2))
    assert pick.cursor == 1 and pick.marks() == {1: "→", 2: "↑"}
    pick.move(1, 2)  # down a column, right two classes: w2.2
    assert pick.cursor == 8
    assert pick.pick() is None and pick.first == 8 and pick.marks() == {8: "→"}
    assert pick.pick() is None and pick.note.startswith("refused: w2.2 is along x already")
    pick.move(-5, -5)  # (stays in the table: w0.0)
    assert pick.cursor == 0
    assert pick.pick() == (8, 0)


def test_the_next_pair_of_three_weights_is_the_old_cycle():
    seen, pair = [], (1, 2)
    for _ in range(3):
        pair = PairPick((3,), pair).next_pair()
        seen.append(pair)
    assert seen == [(0, 1), (0, 2), (1, 2)]
    assert PairPick((2, 3), (2, 0)).next_pair() == (0, 3)  # (a pair picked y first counts as sorted)


def test_the_table_lists_every_weight_by_column_and_class_and_fits_80_columns():
    pick = PairPick((6, 8), (1, 2))
    lines = chooser_lines(pick, ALL, ("0", "1", "a very long class name", "3", "4", "5"))
    assert len(lines) == 1 + 8  # the head, then one line per column of the design matrix
    assert max(width_of(line) for line in lines) <= 80 - 4  # (the box's border and padding)
    head = text_of(lines[0])
    assert "class 0" in head and "a very…" in head and "class 5" in head
    names = [text_of(line).split()[0] for line in lines[1:]]
    assert names == ["1", "x1", "x2", "x1²", "x2²", "x1·x2", "sin", "sin"]
    words = " ".join(text_of(line) for line in lines[1:]).split()
    assert all(weight_label(i, (6, 8)) in words for i in range(48))
    assert "sin x1" in text_of(lines[7]) and "w3.6" in text_of(lines[7])  # row j holds w{k}.{j}


def test_one_row_has_no_class_head():
    lines = chooser_lines(PairPick((3,), (1, 2)), ("x1", "x2"), ("0", "1"))
    assert [text_of(line).split() for line in lines] == [["1", "w0"], ["x1", "→", "w1"], ["x2", "↑", "w2"]]


def test_a_chosen_pair_holds_while_the_weights_keep_their_shape():
    assert pair_for(None, (3,)) == (1, 2) and pair_for(None, (3, 3)) == (1, 2)
    chosen = ChosenPair((3, 3), (4, 7))
    assert pair_for(chosen, (3, 3)) == (4, 7)
    assert pair_for(chosen, (4, 3)) == (1, 2)  # (another model: the default again)


def test_the_title_names_the_pair_by_label_and_counts_the_held_weights_it_cannot_list():
    lesson = Slice((1, 2), (0.5, 1.0, 2.0), Window(0, 1, 0, 1, 4, 3), (3,))
    assert landscape_title("sse", lesson, 12.345678, 80) == "landscape sse(w1, w2) · ◉ L = 12.346 · w0=0.5"
    held = tuple(0.1 * i for i in range(9))
    sl = Slice((1, 5), held, Window(0, 1, 0, 1, 4, 3), (3, 3))
    full = landscape_title("softmax + l2", sl, 99.5, 200)
    assert full.startswith("landscape (softmax + l2)(w0.1, w1.2) · ◉ L = 99.5 · w0.0=0 w0.2=0.2 w1.0=0.3")
    assert full.endswith("w2.2=0.8") and "w0.1=" not in full
    assert landscape_title("softmax + l2", sl, 99.5, 70) == ("landscape (softmax + l2)(w0.1, w1.2) · ◉ L = 99.5 · "
                                                             "7 others held")
    assert landscape_title("softmax", sl, 99.5, 25) == "softmax(w0.1,w1.2) ◉ 99.5"
    assert landscape_title("softmax", sl, 99.5, 24) == "softmax(w0.1,w1.2)"


def test_a_large_surface_of_class_rows_is_first_estimated_then_replaced_by_the_exact_one(monkeypatch):
    """Above the limit (rows x cells x class rows) the keeper shows an estimate from every k-th row,
    the data loss scaled to all rows and the penalty added as it is, until the worker's surface arrives."""
    trainer = create_trainer(TrainConfig(seed=1, samples=200, loss="softmax", classes=3, penalty="l2", lam=0.5))
    X, y = trainer.data.X_train, trainer.data.y_train
    monkeypatch.setattr(surfaces, "SYNC_LIMIT", 5_000)
    keeper, path = SurfaceKeeper(), trainer.history.weights
    needed = keeper.follow(trainer, path, (1, 5), 8, 6)
    assert needed is keeper.wanted and keeper.estimated and needed.shape == (3, 3)
    every = math.ceil(len(y) * 8 * 6 * 3 / 5_000)
    for col, row in [(0, 0), (7, 5), (3, 2)]:
        W = needed.weights_at(col, row)
        S, rows = X[::every] @ W.T, np.arange(len(y[::every]))
        data = np.sum(np.log(np.exp(S).sum(axis=1)) - S[rows, y[::every].astype(int)])
        expected = data * len(y) / len(rows) + 0.5 / 2 * np.sum(W[:, 1:] ** 2)
        assert keeper.surface.values[row, col] == pytest.approx(expected, rel=1e-9)
    exact = surfaces.surface_of(trainer, needed)
    assert keeper.arrived(exact) and keeper.surface is exact and not keeper.estimated
    assert keeper.follow(trainer, path, (1, 5), 8, 6) is None  # (nothing changed: nothing to compute)


# ---- the chooser on its own --------------------------------------------------------------------------

class _Host(App[None]):
    """An app that opens the chooser for 3 class rows of (1, x1, x2) and keeps what it returns."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list = []

    def open(self) -> PairChooser:
        chooser = PairChooser((3, 3), ("x1", "x2"), ("0", "1", "2"), (1, 2))
        self.push_screen(chooser, self.results.append)
        return chooser


async def test_arrows_and_two_picks_return_the_pair():
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.open()
        await pilot.pause()
        await pilot.press("right", "down", "space", "left", "up", "up", "enter")  # w1.2 along x, then w0.0
        await pilot.pause()
        assert app.results == [(5, 0)] and app.screen is not None and not isinstance(app.screen, PairChooser)


async def test_escape_cancels_and_the_same_weight_twice_is_refused_with_a_note():
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        chooser = app.open()
        await pilot.pause()
        await pilot.press("space", "space")
        await pilot.pause()
        assert app.screen is chooser and app.results == []
        assert chooser.query_one("#pair-note").text.startswith("refused: w0.1 is along x already")
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None] and app.screen is not chooser


async def test_keys_before_it_is_drawn_count_and_keys_after_it_closed_change_nothing():
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        chooser = app.open()
        for name in ("down", "space", "right", "space", "space", "enter", "escape", "w", "up", "space"):
            app.post_message(key_event(name))  # (all queued at once, as a burst over SSH arrives)
        chooser.action_move(0, 1)  # (an action before the chooser is even mounted)
        await pilot.pause()
        await pilot.pause()
        assert app.results == [(5, 8)]  # cursor w1.1 -> down: w1.2 along x -> right: w2.2 along y
        assert chooser.closing and not isinstance(app.screen, PairChooser)
        chooser.action_pick()  # (late keys)
        chooser.action_cancel()
        chooser.action_next_pair()
        await pilot.pause()
        assert app.results == [(5, 8)]


# ---- in the solo view ------------------------------------------------------------------------------------

async def test_w_picks_the_pair_the_landscape_then_spans(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "w")
        await pilot.pause()
        assert isinstance(app.screen, PairChooser) and app.solo.left == "scatter"
        await pilot.press("up", "space", "down", "down", "space")  # w0 along x, w2 along y
        await pilot.pause()
        await pilot.pause()
        assert app.screen is app.solo and app.solo.left == "landscape"
        assert app.solo.pair == ChosenPair((3,), (0, 2))
        surface = app.solo.surfaces.surface
        assert surface.slice.axes == (0, 2) and surface.slice.held[1] == app.session.trainer.weights[1]
        assert app.solo.query_one("#picture").border_title.startswith("sse(w0,w2) · ◉ ")
        assert "w0" in app.solo.query_one("#x-axis").text and "w2" in app.solo.query_one("#y-axis").text


async def test_escape_leaves_the_pair_as_it_was(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        await pilot.pause()
        first = app.solo.surfaces.surface
        await pilot.press("w", "down", "space", "escape")
        await pilot.pause()
        assert app.screen is app.solo and app.solo.pair is None and app.solo.surfaces.surface is first


@pytest.mark.parametrize("burst", [["w", "up", "space", "down", "down", "space", "space", "enter"],
                                   ["w", "w", "w", "escape", "w", "space", "space"],
                                   ["w", "escape", "escape", "w", "w", "l", "w", "up", "enter", "escape"]])
async def test_bursts_through_the_chooser_never_break_the_solo_view(make_app, burst):
    app = make_app(epochs=30, samples=200)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for name in burst:
            app.post_message(key_event(name))
        await pilot.pause()
        await pilot.pause()
        for _ in range(3):
            app.post_message(key_event("escape"))
            await pilot.pause()
        assert app.screen is app.solo and len(app.screen_stack) == 1
        assert app.solo.pair is None or len(set(app.solo.pair.axes)) == 2
