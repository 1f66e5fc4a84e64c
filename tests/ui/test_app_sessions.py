"""Keeping the work from the TUI: the autosave on quit and on hangup, `S`, `x` and `--resume`."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

from gdtui.cli import main
from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.session import load
from gdtui.ui import sessions, slots

from app_support import kept_file



def autosave_file(state_home):
    return kept_file(state_home)


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


async def test_resume_reopens_the_newest_kept_session_and_says_so(make_app, private_state_home, size):
    from gdtui.ui.app import build_resumed

    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "q")
    again = build_resumed(None, {})
    async with again.run_test(size=size) as pilot:
        await pilot.pause()
        note = again.solo.query_one("#notice").text.replace("\n", " ")  # (wrapped where the path and pid put it)
        assert note.startswith("resumed ") and " at epoch 2" in note and again.session.trainer.epoch == 2
        # (the first app's slot is still held by this process: the note says so after that)


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


def test_the_state_folder_follows_gdtui_state_dir_then_xdg_state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert slots.slots_dir() == tmp_path / "state" / "gdtui" / "sessions"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for unusable in ("", "relative/dir"):
        monkeypatch.setenv("XDG_STATE_HOME", unusable)
        assert slots.slots_dir() == tmp_path / "home" / ".local" / "state" / "gdtui" / "sessions"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert slots.slots_dir() == tmp_path / "home" / ".local" / "state" / "gdtui" / "sessions"
    monkeypatch.setenv("GDTUI_STATE_DIR", str(tmp_path / "student"))  # (gdtui host and serve give one per session)
    assert slots.slots_dir() == tmp_path / "student" / "sessions"


def test_two_processes_keep_two_slots_and_resume_opens_the_newest(tmp_path, monkeypatch):
    """Each process takes a slot of its own, locked while it lives: what one keeps, the other
    never overwrites; --resume opens the newest, and a slot held by a live process is not taken."""
    import subprocess
    import sys
    import textwrap

    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path)}
    env.pop("GDTUI_STATE_DIR", None)
    script = textwrap.dedent("""
        import sys, time
        from gdtui.engine import TrainConfig, create_trainer
        from gdtui.ui import sessions
        trainer = create_trainer(TrainConfig(seed=int(sys.argv[1])))
        trainer.run(int(sys.argv[1]))
        slot = sessions.Slot()
        print(sessions.autosave(trainer, slot), flush=True)
        sys.stdin.readline()  # (hold the slot until told to go)
    """)
    first, second = (subprocess.Popen([sys.executable, "-c", script, str(n)], env=env, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True) for n in (3, 5))
    try:
        paths = [Path(p.stdout.readline().strip()) for p in (first, second)]
        assert paths[0] != paths[1] and all(p.parent == tmp_path / "gdtui" / "sessions" for p in paths)
        assert [load(p).epoch for p in paths] == [3, 5]
        monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
        assert all(k.held for k in slots.kept())
        reopened = slots.Slot(paths[1])
        assert reopened.take() != paths[1]  # held by the second process: a new slot, nothing overwritten
    finally:
        for p in (first, second):
            p.communicate("\n", timeout=30)
    assert not any(k.held for k in slots.kept())
    for age, path in enumerate(paths):  # (both may be kept within one clock tick: make the order plain)
        os.utime(path, (1e9 + age, 1e9 + age))
    newest = paths[1]
    trainer, slot, where = sessions.open_session(None)
    assert where == newest and slot.take() == newest  # (no one holds it now: it is taken over)





async def test_a_failed_autosave_on_q_ends_with_status_2_and_names_the_place(make_app, private_state_home, size):
    (private_state_home / "gdtui").mkdir()
    (private_state_home / "gdtui" / "sessions").write_text("a file where the slots' folder should be")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "q")
    assert app.return_code == 2 and app.keep_failed
    assert app.autosaved.startswith("gdtui: the session could not be kept: ")
    assert str(private_state_home / "gdtui" / "sessions") in app.autosaved


async def test_S_and_x_name_the_file_they_could_not_write(make_app, tmp_path, monkeypatch, size):
    monkeypatch.setenv("GDTUI_STATE_DIR", str(tmp_path / "gone"))  # (their folder under gdtui host)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "S")
        said = app.solo.query_one("#notice").text.replace("\n", " ")
        assert said.startswith("not saved: ") and str(tmp_path / "gone" / "gdtui-session-") in said
        await pilot.press("x")
        said = app.solo.query_one("#notice").text.replace("\n", " ")
        assert said.startswith("not exported: ") and "gdtui-" in said and ".svg" in said


async def test_S_and_x_never_write_through_a_link_planted_under_their_names(make_app, tmp_path, monkeypatch, size):
    """The names S and x choose are predictable (a time stamp): a link planted under one is left
    alone, its target untouched, and the file goes to the next free name."""
    folder, outside = tmp_path / "work", tmp_path / "outside.txt"
    folder.mkdir()
    outside.write_text("not yours")
    monkeypatch.chdir(folder)
    monkeypatch.setattr(sessions, "stamped", lambda stem, suffix: f"{stem}-fixed{suffix}")
    for name in ("gdtui-session-fixed.json", "gdtui-fixed.svg", "gdtui-fixed-history.csv"):
        (folder / name).symlink_to(outside)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "S", "x")
        await pilot.pause()
    assert outside.read_text() == "not yours"
    assert load(folder / "gdtui-session-fixed-2.json").epoch == 1
    assert (folder / "gdtui-fixed-2.svg").read_text().startswith("<svg")
    assert (folder / "gdtui-fixed-2-history.csv").read_text().startswith("epoch,loss,")
    assert sorted(p.name for p in folder.iterdir() if p.is_symlink()) == [
        "gdtui-fixed-history.csv", "gdtui-fixed.svg", "gdtui-session-fixed.json"]


def test_resume_list_shows_every_kept_session_newest_first(private_state_home, capsys):
    for epochs in (2, 7):
        trainer = create_trainer(TrainConfig(seed=0))
        trainer.run(epochs)
        path = sessions.autosave(trainer, slots.Slot())
        os.utime(path, (1e9 + epochs, 1e9 + epochs))  # (the newer run, the newer file)
    assert main(["--resume", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "epoch 7 " in lines[0] and lines[0].endswith("<- gdtui --resume")
    assert "epoch 2 " in lines[1] and "<-" not in lines[1]
    with pytest.raises(SystemExit) as stop:
        main(["--list"])
    assert stop.value.code == 2 and "gdtui --resume --list" in capsys.readouterr().err


def test_two_slots_of_one_process_in_one_second_take_two_files(private_state_home):
    first, second = slots.Slot(), slots.Slot()
    assert first.take() != second.take()
    first.release()
    assert slots.Slot(first.path).take() == first.path  # (let go: it can be taken over)


async def test_a_served_student_cannot_fill_the_servers_disk_with_S_and_x(make_app, tmp_path, monkeypatch, size):
    folder = tmp_path / "student"
    folder.mkdir()
    monkeypatch.setenv("GDTUI_STATE_DIR", str(folder))  # (their folder under gdtui host)
    for n in range(sessions.MAX_SERVED_FILES - 1):
        (folder / f"gdtui-{n}.svg").write_text("<svg/>")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "S")  # (the last one allowed)
        assert app.solo.query_one("#notice").text.startswith("saved the session at epoch 1")
        await pilot.press("S")
        said = app.solo.query_one("#notice").text.replace("\n", " ")
        assert said.startswith(f"not saved: your folder on the server holds {sessions.MAX_SERVED_FILES} saved files")
        await pilot.press("x")
        assert app.solo.query_one("#notice").text.startswith("not exported: your folder on the server holds")
    assert sum(1 for p in folder.iterdir() if p.name.startswith("gdtui-")) == sessions.MAX_SERVED_FILES


def test_only_regular_files_count_as_kept_sessions(private_state_home):
    trainer = create_trainer(TrainConfig(seed=0))
    trainer.run(2)
    good = sessions.autosave(trainer, slots.Slot())
    os.utime(good, (1e9, 1e9))
    folder = good.parent
    (folder / "newer-dir.json").mkdir()
    os.mkfifo(folder / "newer-fifo.json")
    (folder / "newer-link.json").symlink_to(good)
    assert [k.path for k in slots.kept()] == [good]
