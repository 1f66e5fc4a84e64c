"""`--save` and `--history-csv` refuse, before any training and in one line, what must not be
written: a name that can only be a directory, a file the user protected, two outputs that are
one file, an output that is the run's own input."""

from __future__ import annotations

import os

import pytest


from cli_support import run


def refused(capsys, *args):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "", (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdtui: error: ") and "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("flag", ["--save", "--history-csv"])
@pytest.mark.parametrize("name", ["newdir/", "newdir/.", "newdir/.."])
def test_a_name_that_can_only_be_a_directory_is_refused(capsys, tmp_path, monkeypatch, flag, name):
    monkeypatch.chdir(tmp_path)
    line = refused(capsys, "train", "--epochs", "2", flag, name)
    assert name in line and "directory" in line
    assert os.listdir(tmp_path) == []  # no file `newdir`


@pytest.mark.parametrize("flag", ["--save", "--history-csv"])
def test_a_file_named_with_a_trailing_separator_is_kept(capsys, tmp_path, flag):
    kept = tmp_path / "s.json"
    kept.write_text("kept")
    refused(capsys, "train", "--epochs", "2", flag, f"{kept}/")
    assert kept.read_text() == "kept"


@pytest.mark.parametrize("command", [["train"], ["compare", "--optimizers", "gd,adam"]])
def test_a_read_only_session_file_is_refused_before_training(capsys, tmp_path, command):
    protected = tmp_path / "s.json"
    protected.write_text("the user's")
    protected.chmod(0o444)
    line = refused(capsys, *command, "--epochs", "2", "--save", protected)
    assert "read-only" in line and "s.json" in line
    assert protected.read_text() == "the user's"


def test_a_read_only_session_is_refused_when_resumed_and_saved_back(capsys, tmp_path):
    session = tmp_path / "s.json"
    assert run(capsys, "train", "--epochs", "2", "--seed", "1", "--save", session)[0] == 0
    before = session.read_bytes()
    session.chmod(0o444)
    assert "read-only" in refused(capsys, "train", "--resume", session, "--epochs", "2", "--save", session)
    assert session.read_bytes() == before


def test_two_names_of_one_file_are_one_file(capsys, tmp_path):
    (tmp_path / "link.json").symlink_to(tmp_path / "out.json")
    line = refused(capsys, "train", "--epochs", "2", "--save", tmp_path / "out.json",
                   "--history-csv", tmp_path / "link.json")
    assert "same file" in line
    assert sorted(os.listdir(tmp_path)) == ["link.json"]


@pytest.mark.parametrize("command, flag", [(["train"], "--save"), (["train"], "--history-csv"),
                                           (["compare", "--optimizers", "gd,adam"], "--save")])
def test_an_output_is_never_the_data_file(capsys, tmp_path, command, flag):
    data = tmp_path / "pets.csv"
    text = "".join(f"{k},{k % 3},{'cat' if k % 2 else 'dog'}\n" for k in range(20))
    data.write_text(text)
    (tmp_path / "alias.csv").symlink_to(data)
    for output in (data, tmp_path / "alias.csv"):
        line = refused(capsys, *command, "--dataset", data, "--epochs", "2", flag, output)
        assert "reads" in line
    assert data.read_text() == text


def test_a_resumed_session_may_not_write_over_its_data_file(capsys, tmp_path):
    data = tmp_path / "pets.csv"
    text = "".join(f"{k},{k % 3},{'cat' if k % 2 else 'dog'}\n" for k in range(20))
    data.write_text(text)
    session = tmp_path / "s.json"
    assert run(capsys, "train", "--dataset", data, "--epochs", "2", "--seed", "1", "--save", session)[0] == 0
    assert "reads" in refused(capsys, "train", "--resume", session, "--history-csv", data)
    assert "reads" in refused(capsys, "train", "--resume", session, "--save", data)
    assert data.read_text() == text
