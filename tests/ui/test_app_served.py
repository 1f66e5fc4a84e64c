"""The app's side of the contract with `gdtui serve` and `gdtui host` (see `gdtui.spawn`): CSVs only
from GDTUI_DATA_DIR, `S`/`x` as browser downloads under GDTUI_DELIVER=1, the status file for the
host's board, and the words said on leaving. The servers themselves: tests/reach."""

from __future__ import annotations


import pytest

from gdtui import data_dir
from gdtui.cli import main
from gdtui.ui.screens.data_form import DataForm

from conftest import app_for
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


def test_dataset_outside_the_data_folder_stops_gdtui_in_one_line(data, tmp_path, capsys):
    for path in (tmp_path / "outside.csv", tmp_path / "gone.csv"):  # (existing or not: the same words)
        with pytest.raises(SystemExit) as stop:
            main(["--dataset", str(path)])
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
