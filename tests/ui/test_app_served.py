"""The app's side of the contract with `gdtui serve` and `gdtui host` (see `gdtui.spawn`): CSVs only
from GDTUI_DATA_DIR, `S`/`x` as browser downloads under GDTUI_DELIVER=1, the status file for the
host's board, and the words said on leaving. The servers themselves: tests/reach."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gdtui import data_dir
from gdtui.cli import main
from gdtui.engine.session import load
from gdtui.status_file import read_status
from gdtui.ui import app as app_module
from gdtui.ui.app import GDApp
from gdtui.ui.screens.data_form import DataForm
from gdtui.ui.screens.race import RaceScreen
from gdtui.ui.status_report import StatusReport

from app_support import app_for
from test_app_data import fill_form

ROWS = "x1,x2,label\n" + "".join(f"{k % 7},{k % 5},{'ab'[k % 2]}\n" for k in range(40))


@pytest.fixture
def student(tmp_path, monkeypatch):
    """A session's own folder, as the servers give it (GDTUI_STATE_DIR)."""
    folder = tmp_path / "student"
    folder.mkdir()
    monkeypatch.setenv("GDTUI_STATE_DIR", str(folder))
    return folder


# ---- GDTUI_DATA_DIR --------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A data folder with one CSV, a CSV outside it and a link from inside to the outside one."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "inside.csv").write_text(ROWS)
    (tmp_path / "outside.csv").write_text(ROWS)
    (folder / "escape.csv").symlink_to(tmp_path / "outside.csv")
    monkeypatch.setenv("GDTUI_DATA_DIR", str(folder))
    return folder


def test_a_csv_is_read_only_from_inside_the_data_folder(data, tmp_path, monkeypatch):
    assert data_dir.refusal(str(data / "inside.csv")) is None
    assert data_dir.refusal("moons") is None
    for path in (tmp_path / "outside.csv", data / "escape.csv", data / ".." / "outside.csv", tmp_path / "gone.csv"):
        assert data_dir.refusal(str(path)) == f"{path}: CSV files are read only from {data} here"
    monkeypatch.setenv("GDTUI_DATA_DIR", "relative")
    assert "no CSV file may be read here" in data_dir.refusal(str(data / "inside.csv"))
    monkeypatch.delenv("GDTUI_DATA_DIR")
    assert data_dir.refusal(str(tmp_path / "outside.csv")) is None


def test_dataset_outside_the_data_folder_stops_gdtui_in_one_line(data, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # (names short enough to be quoted whole: refusals cut long ones)
    for path in ("outside.csv", "gone.csv"):  # (existing or not: the same words)
        with pytest.raises(SystemExit) as stop:
            main(["--dataset", path])
        assert stop.value.code == 2
        assert capsys.readouterr().err == f"gdtui: error: {path}: CSV files are read only from {data} here\n"


async def test_the_data_form_refuses_a_csv_outside_the_data_folder_in_place(data, tmp_path, size):
    app = app_for()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "D")
        await pilot.pause()
        before = app.session.trainer
        await fill_form(pilot, str(data / "escape.csv"), "1000", "")
        assert isinstance(app.screen, DataForm)
        assert "CSV files are read only from" in str(app.screen.query_one("#data-error").render())
        assert app.session.trainer is before
        await fill_form(pilot, str(data / "inside.csv"), "1000", "")
        assert not isinstance(app.screen, DataForm) and app.session.trainer.data.labels == ("a", "b")


async def test_on_a_server_the_data_form_does_not_expand_the_servers_home(data, tmp_path, size, monkeypatch):
    monkeypatch.setenv("GDTUI_STATE_DIR", str(tmp_path))  # (served: a session's own folder)
    app = app_for()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "D")
        await pilot.pause()
        await fill_form(pilot, "~/secret.csv", "1000", "")
        said = str(app.screen.query_one("#data-error").render())
        assert "~/secret.csv" in said and os.path.expanduser("~") not in said.replace("~/secret", "")


# ---- GDTUI_DELIVER --------------------------------------------------------------------------------


class Delivering(GDApp):
    """The app as under Textual's web driver (the real delivery: tests/reach/test_serve.py); the
    files handed to the browser are kept in `sent`."""

    CSS_PATH = Path(app_module.__file__).with_name(GDApp.CSS_PATH)  # (relative paths are the subclass's module's)
    delivers = True

    def send_file(self, name: str, text: str, mime_type: str) -> None:
        self.sent.append((name, text, mime_type))


def delivering_app() -> Delivering:
    plain = app_for()
    app = Delivering(plain.session)
    app.sent = []
    return app


async def test_S_and_x_hand_their_files_to_the_browser_and_say_so(student, size):
    app = delivering_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "S")
        (name, text, mime), = app.sent
        assert name.startswith("gdtui-session-") and mime == "application/json"
        (student / "copy.json").write_text(text)
        assert load(student / "copy.json").epoch == 2
        assert app.solo.query_one("#notice").text.startswith(f"sent the session at epoch 2 to the browser: {name}")
        await pilot.press("x")
        (svg, screen, _), (csv, history, csv_mime) = app.sent[1:]
        assert screen.lstrip().startswith("<svg") and csv == svg.removesuffix(".svg") + "-history.csv"
        assert history.splitlines()[0].startswith("epoch,loss") and len(history.splitlines()) == 1 + 3  # (epochs 0, 1, 2)
        assert csv_mime == "text/csv" and "to the browser" in app.solo.query_one("#notice").text
    assert not list(student.glob("gdtui-*"))  # (nothing of S or x on the server's disk)


async def test_S_writes_to_disk_when_not_in_a_browser_even_if_asked_to_deliver(student, monkeypatch, size):
    monkeypatch.setenv("GDTUI_DELIVER", "1")
    app = app_for()  # (Pilot's driver is not the web driver)
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "S")
        (saved,) = student.glob("gdtui-session-*.json")
        assert load(saved).epoch == 1


# ---- the status file ------------------------------------------------------------------------------


async def poll(pilot, ready, what: str) -> None:
    """Let the app run until `ready()` (a readiness signal; the cap only turns a hang into a failure)."""
    for _ in range(200):
        if ready():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never saw {what}")


async def test_the_status_file_follows_the_solo_view_and_says_leaving_last(student, size):
    app = app_for(optimizer="momentum", alpha=0.02)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        first = read_status(student, os.getpid())
        assert (first.epoch, first.rule, first.alpha, first.state) == (0, "momentum", 0.02, "paused")
        await pilot.press("space", "space")
        await poll(pilot, lambda: read_status(student).epoch == 2, "epoch 2 in the status file")  # (its timer)
        status = read_status(student)
        assert status.loss == app.session.view().snapshot.loss_here and status.state == "paused"
        await pilot.press("left")  # rewound: the numbers of the epoch on screen
        app.report_status()
        assert (read_status(student).epoch, read_status(student).state) == (1, "rewound")
        await pilot.press("end", "c")
        await pilot.pause()
        assert isinstance(app.screen, RaceScreen)
        app.report_status()
        assert read_status(student).state == "race"
        await pilot.press("escape", "q")
    assert (read_status(student).epoch, read_status(student).state) == (2, "leaving")
    assert [p.name for p in student.iterdir() if p.name.startswith(".")] == []  # (no temporary file left)


def test_the_status_is_written_when_it_changed_and_never_after_leaving(tmp_path):
    report = StatusReport(tmp_path)
    now = (3, 1.5, "gd", 0.01, "paused")
    assert report.update(now) and not report.update(now)
    inode = os.stat(tmp_path / "status.json").st_ino
    assert report.update((4, None, "gd", 0.01, "running"))  # (a loss that is not finite is null)
    assert os.stat(tmp_path / "status.json").st_ino != inode and json.loads((tmp_path / "status.json").read_text())["loss"] is None
    report.leave(now)
    assert not report.update((5, 1.0, "gd", 0.01, "running")) and read_status(tmp_path).state == "leaving"
    assert not StatusReport(None).update(now)
    assert not StatusReport(tmp_path / "gone").update(now)  # (a status that cannot be written is skipped)


async def test_no_status_file_outside_a_server(private_state_home, tmp_path, monkeypatch, size):
    monkeypatch.chdir(tmp_path)
    app = app_for()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "q")
    assert app.status.folder is None
    assert not list(private_state_home.rglob("status.json")) and not list(tmp_path.rglob("status.json"))


# ---- leaving --------------------------------------------------------------------------------------


async def test_over_ssh_the_student_is_told_to_connect_again_not_to_run_resume(student, monkeypatch, size):
    app = app_for()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "q")
    assert app.autosaved == "gdtui: your work is kept: connect again to go on"
    (kept,) = (student / "sessions").glob("*.json")
    monkeypatch.setenv("GDTUI_DELIVER", "1")  # a browser tab: the line goes to the server's log
    slot, app = app.slot, app_for()
    app.slot = slot  # (one process, one slot)
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "q")
    assert app.autosaved == f"gdtui: session kept in {kept} (a browser tab's folder on the server)"
