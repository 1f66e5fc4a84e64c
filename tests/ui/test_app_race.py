"""Pilot tests of the race screen (key c): the racers start from the solo run's initial weights,
each is exactly the solo run of its rule, the keys reach every racer, and leaving the race finds
the solo run as it was."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import OPTIMIZERS, TrainConfig, create_trainer
from gdtui.engine.race import DEFAULT_RULES
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.screens.race import RaceScreen
from gdtui.ui.theme import LOOKS



def solo(rule: str, **options):
    """The solo run of `rule` with the app's test settings: the reference for a racer."""
    options.setdefault("seed", 0)
    return create_trainer(TrainConfig(optimizer=rule, **options))


def race_of(app) -> RaceScreen:
    assert isinstance(app.screen, RaceScreen)
    return app.screen


def table_text(app) -> str:
    """The table as drawn on the screen."""
    table = app.screen.query_one('#race-table')
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


def notice_text(app) -> str:
    return app.screen.query_one("#race-notice").text




def assert_same_run(racer, reference) -> None:
    np.testing.assert_array_equal(racer.history.weights, reference.history.weights)
    np.testing.assert_array_equal(racer.history.losses, reference.history.losses)
    assert np.array_equal(racer.weights, reference.weights)


def test_every_rule_has_its_own_colour_and_glyph():
    assert set(LOOKS) == set(OPTIMIZERS)
    assert len({look.ink for look in LOOKS.values()}) == len(OPTIMIZERS)
    assert len({look.glyph for look in LOOKS.values()}) == len(OPTIMIZERS)


async def test_c_races_the_default_rules_from_the_solo_start(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("c")
        await pilot.pause()
        race = race_of(app).race
        assert race.rules == DEFAULT_RULES
        for racer in race.trainers.values():
            assert np.array_equal(racer.history.weights[0], app.session.trainer.history.weights[0])
            assert racer.epoch == 0
        for rule in DEFAULT_RULES:
            assert rule in table_text(app)


async def test_after_a_solo_reset_the_race_starts_from_the_new_start(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("r", "space", "space", "c")
        await pilot.pause()
        start = app.session.trainer.history.weights[0]
        assert not np.array_equal(start, solo("gd").history.weights[0])  # r drew new weights
        for racer in race_of(app).race.trainers.values():
            assert np.array_equal(racer.history.weights[0], start)


@pytest.mark.parametrize("options", [dict(), dict(batch_size=64, shuffle=True), dict(loss="bce", alpha=0.001),
                                     dict(schedule="step", decay_every=2)],
                         ids=["full-batch", "shuffled-mini-batch", "bce", "step-schedule"])
async def test_space_steps_every_racer_exactly_as_its_solo_run(make_app, options, size):
    app = make_app(**options)
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", *["space"] * 7)
        await pilot.pause()
        race = race_of(app).race
        for rule, racer in race.trainers.items():
            reference = solo(rule, **options)
            for _ in range(7):
                reference.step_epoch()
            assert_same_run(racer, reference)
        assert {s.epoch for s in race.standings()} == {7}
        if "schedule" in options:  # the alpha in force: 0.01 * 0.5 ** floor(7 / 2)
            assert "alpha 0.00125 (step ×0.5 every 2)" in race_of(app).query_one("#race-status").text


async def test_p_runs_the_race_to_the_epoch_limit(make_app, wait_until_paused, size):
    app = make_app(epochs=60)
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "p")
        screen = race_of(app)
        await wait_until_paused(pilot)
        assert screen.state_word() == "done (60 epochs)"
        for rule, racer in screen.race.trainers.items():
            reference = solo(rule, epochs=60)
            reference.run()
            assert_same_run(racer, reference)
        assert "done" in table_text(app)


async def test_p_pauses_a_running_race(make_app, size):
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "p")
        await pilot.pause(0.3)
        await pilot.press("p")
        await pilot.pause()
        screen = race_of(app)
        assert not screen.running and screen.state_word() == "paused"
        assert 0 < screen.race.epoch < 10_000_000


async def test_plus_and_minus_change_alpha_for_every_racer(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "plus", "plus", "minus", "space")
        await pilot.pause()
        race = race_of(app).race
        assert race.config.alpha == 0.02
        for rule, racer in race.trainers.items():
            assert racer.config.alpha == 0.02
            reference = solo(rule, alpha=0.02)
            reference.step_epoch()
            assert_same_run(racer, reference)
        assert app.session.trainer.config.alpha == 0.01  # the solo run keeps its own


async def test_an_alpha_out_of_range_is_refused_for_all(make_app, size):
    app = make_app(alpha=1e6)
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "plus")
        await pilot.pause()
        assert {t.config.alpha for t in race_of(app).race.trainers.values()} == {1e6}
        assert notice_text(app).startswith("refused: alpha must be")


async def test_number_keys_pick_the_rules_and_keep_the_work(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "space", "space", "4")
        await pilot.pause()
        race = race_of(app).race
        assert race.rules == ("gd", "momentum", "nesterov", "adagrad", "adam") and race.epoch == 2
        assert notice_text(app) == "adagrad joined at epoch 2, trained up to the race from the same start"
        for rule, racer in race.trainers.items():  # the newcomer is exactly the racer it would have been
            reference = solo(rule)
            reference.run(2)
            assert_same_run(racer, reference)
        await pilot.press("1")
        await pilot.pause()
        assert race.rules == ("momentum", "nesterov", "adagrad", "adam") and race.epoch == 2
        assert "gd left the race" in notice_text(app)
        await pilot.press("space", "1")  # gd comes back as it was, and catches up
        await pilot.pause()
        assert race.epoch == 3 and race.trainers["gd"].epoch == 3
        reference = solo("gd")
        reference.run(3)
        assert_same_run(race.trainers["gd"], reference)
        await pilot.press("1", "2", "3", "4", "6")  # adam is the last left: it stays
        await pilot.pause()
        assert race.rules == ("adam",)
        assert "only rule left" in notice_text(app)


async def test_leaving_and_coming_back_finds_the_same_race(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "space", "space", "space", "escape")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert race_of(app).race.epoch == 3
        await pilot.press("escape", "r", "c")  # a reset: the run starts elsewhere, so a new race
        await pilot.pause()
        await pilot.pause()
        assert race_of(app).race.epoch == 0
        assert notice_text(app).startswith("a new race: this run starts elsewhere now")


async def test_a_key_the_race_does_not_use_says_so(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "n")
        await pilot.pause()
        assert notice_text(app) == "n does nothing in the race view (? lists its keys)"
        assert race_of(app).race.epoch == 0


async def test_r_restarts_from_the_same_start_with_the_current_alpha(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "plus", "space", "space", "space", "r")
        await pilot.pause()
        race = race_of(app).race
        assert race.epoch == 0 and race.config.alpha == 0.02
        for racer in race.trainers.values():
            assert np.array_equal(racer.weights, app.session.trainer.history.weights[0])
            assert racer.config.alpha == 0.02


@pytest.mark.parametrize("leave", ["escape", "c"])
async def test_leaving_finds_the_solo_run_untouched(make_app, leave, wait_until_paused, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "space")
        await pilot.pause()
        weights, losses = app.session.trainer.history.weights.copy(), app.session.trainer.history.losses.copy()
        config = app.session.trainer.config
        # the race's own keys, and solo keys the race does not have (o, n, d, a, t)
        await pilot.press("c", "space", "plus", "4", "space", "p", "o", "n", "d", "a", "t")
        await wait_until_paused(pilot)
        await pilot.press(leave)
        await pilot.pause()
        assert not isinstance(app.screen, RaceScreen)
        assert app.session.trainer.config == config and app.session.trainer.epoch == 3
        assert np.array_equal(app.session.trainer.history.weights, weights)
        assert np.array_equal(app.session.trainer.history.losses, losses)
        assert "epoch 3" in app.solo.query_one('#status').text
        await pilot.press("space")  # and the solo run goes on from there
        await pilot.pause()
        assert app.session.trainer.epoch == 4


async def test_a_solo_run_pauses_when_the_race_opens(make_app, size):
    app = make_app(epochs=10_000_000)
    async with app.run_test(size=size) as pilot:
        await pilot.press("p")
        await pilot.pause(0.2)
        await pilot.press("c")
        await pilot.pause()
        epoch = app.session.trainer.epoch
        assert not app.session.running
        await pilot.pause(0.2)
        assert app.session.trainer.epoch == epoch


async def test_a_diverging_racer_stops_and_the_others_go_on(make_app, far_csv, wait_until_paused, size):
    app = make_app(dataset=far_csv, loss="bce", alpha=1e5, epochs=30)
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "space", "space")
        await pilot.pause()
        screen = race_of(app)
        stood = {s.rule: s for s in screen.race.standings()}
        assert {rule for rule, s in stood.items() if s.stop_reason == "diverged"} == {"gd", "momentum", "nesterov"}
        assert stood["adam"].stop_reason is None and stood["adam"].epoch == 2
        assert all(np.isfinite(s.weights).all() and np.isfinite(s.loss) for s in stood.values())
        assert "gd, momentum, nesterov diverged" in notice_text(app)
        assert table_text(app).count("diverged") == 3
        await pilot.press("L", "p")  # log scale with adam's zero loss, and a run: nothing breaks
        await wait_until_paused(pilot)
        assert {s.rule: s.epoch for s in screen.race.standings()} == {"gd": 1, "momentum": 1, "nesterov": 1, "adam": 30}
        assert screen.query_one('#race-loss').chart.log_scale
        for rule, racer in screen.race.trainers.items():  # still exactly their solo runs
            reference = solo(rule, dataset=far_csv, loss="bce", alpha=1e5, epochs=30)
            reference.run()
            assert_same_run(racer, reference)
        await pilot.press("minus")  # a change of alpha lets the diverged racers try again
        await pilot.pause()
        assert screen.race.going == DEFAULT_RULES


async def test_a_race_where_every_racer_diverges_ends(make_app, huge_csv, wait_until_paused, size):
    app = make_app(dataset=huge_csv, loss="bce")
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "p")
        screen = race_of(app)
        await wait_until_paused(pilot)
        assert screen.race.going == () and screen.state_word() == "all stopped"
        await pilot.press("space", "escape")
        await pilot.pause()
        assert app.session.trainer.epoch == 0


async def test_question_mark_lists_the_race_keys(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, RaceScreen)


async def test_q_quits_from_the_race(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "q")
        await pilot.pause()
    assert app.return_code == 0


async def test_S_saves_the_race_and_compare_resumes_it_exactly(make_app, tmp_path, monkeypatch, size):
    from gdtui.engine.session import load

    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("c", "space", "space", "space", "S")
        (saved,) = tmp_path.glob("gdtui-race-*.json")
        assert notice_text(app).startswith(f"saved the race at epoch 3 to {saved.name}")
        live = race_of(app).race
        back = load(saved)
        assert back.rules == live.rules
        for rule in live.rules:
            back.trainers[rule].run(4)
            reference = solo(rule)
            reference.run(7)
            assert_same_run(back.trainers[rule], reference)
