"""Keeping the work from the TUI: the autosave on quit and on hangup, `S`, `x` and `--resume`."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from gdtui.cli import main
from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.session import load, save
from gdtui.ui.sessions import autosave_path



def autosave_file(state_home):
    return state_home / "gdtui" / "last-session.json"


async def test_q_keeps_the_session_and_resume_reopens_it_at_the_same_epoch(make_app, private_state_home, size):
    app = make_app(optimizer="adam", batch_size=64, shuffle=True)
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "n", "q")
    assert "session kept in" in app.autosaved
    kept = load(autosave_file(private_state_home))
    assert (kept.epoch, kept.batch) == (2, 1)
    np.testing.assert_array_equal(kept.weights, app.session.trainer.weights)
    straight = create_trainer(TrainConfig(seed=0, optimizer="adam", batch_size=64, shuffle=True))
    for trainer in (kept, straight):  # the kept session continues exactly as the unbroken one
        while trainer.epoch < 2 or trainer.batch < 1:
            trainer.step_batch()
        trainer.run(5)
    np.testing.assert_array_equal(kept.history.weights, straight.history.weights)


async def test_S_saves_into_the_current_directory_and_says_where(make_app, tmp_path, monkeypatch, size):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "space", "S")
        saved = list(tmp_path.glob("gdtui-session-*.json"))
        assert len(saved) == 1
        assert app.solo.query_one('#notice').text == f"saved the session at epoch 3 to {saved[0].name}"
        assert load(saved[0]).epoch == 3
        await pilot.press("S")  # a second save never overwrites the first
        assert len(list(tmp_path.glob("gdtui-session-*.json"))) == 2


async def test_x_exports_the_screen_and_the_history(make_app, tmp_path, monkeypatch, size):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "x")
        await pilot.pause()
        (svg,) = tmp_path.glob("gdtui-*.svg")
        (table,) = tmp_path.glob("gdtui-*-history.csv")
        assert svg.read_text().lstrip().startswith("<svg") and "epoch" in svg.read_text()
        rows = list(csv.DictReader(table.open()))
        assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
        assert [float(r["loss"]) for r in rows] == app.session.trainer.history.losses.tolist()
        notice = app.solo.query_one('#notice').text
        assert notice.startswith(f"exported the screen to {svg.name}") and "(3 rows)" in notice


async def test_a_vanished_current_directory_is_said_in_place_and_nothing_is_lost(make_app, tmp_path, monkeypatch, size):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "x")
        assert app.solo.query_one('#notice').text.startswith("not exported:")
        await pilot.press("S")
        assert app.solo.query_one('#notice').text.startswith("not saved:")
        await pilot.press("space")
        assert app.session.trainer.epoch == 2


def test_resume_without_a_kept_session_says_so(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--resume"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith("gdtui: error: no saved session yet: gdtui keeps one in ")


def test_resume_refuses_a_race_and_data_options(tmp_path, capsys):
    race_file = tmp_path / "race.json"
    assert main(["compare", "--epochs", "3", "--seed", "1", "--save", str(race_file)]) == 0
    capsys.readouterr()
    for argv, words in ((["--resume", str(race_file)], "a race session"),
                        (["--resume", str(race_file), "--dataset", "moons"], "--dataset cannot be used")):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1


# (a real terminal that hangs up: test_drops.py)


async def test_no_key_changes_the_run_while_the_session_is_being_kept(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space")
        app.leaving = True  # as during the write that `q` starts
        await pilot.press("space", "plus", "o", "r")
        assert app.session.trainer.epoch == 1 and app.session.trainer.config.alpha == 0.01 and app.session.trainer.config.optimizer == "gd"


async def test_quitting_an_untouched_run_keeps_the_last_session(make_app, private_state_home, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "q")
    kept = autosave_file(private_state_home).read_bytes()
    again = make_app()
    async with again.run_test(size=size) as pilot:
        await pilot.press("q")  # nothing trained: the kept session is not replaced by it
    assert autosave_file(private_state_home).read_bytes() == kept
    assert again.autosaved == "gdtui: nothing trained, so the last kept session stays as it was"

# ---- the autosave location -----------------------------------------------------------------------


def test_autosave_path_follows_xdg_state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert autosave_path() == tmp_path / "state" / "gdtui" / "last-session.json"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unusable in ("", "relative/dir"):
        monkeypatch.setenv("XDG_STATE_HOME", unusable)
        assert autosave_path() == tmp_path / "home" / ".local" / "state" / "gdtui" / "last-session.json"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert autosave_path() == tmp_path / "home" / ".local" / "state" / "gdtui" / "last-session.json"


def test_saving_to_the_autosave_path_creates_nothing_but_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    target = autosave_path()
    target.parent.mkdir(parents=True)
    trainer = create_trainer(TrainConfig(samples=40, seed=3, epochs=5))
    save(trainer, target)
    assert [p.name for p in target.parent.iterdir()] == ["last-session.json"]
    assert load(target).epoch == 0


