"""`gdtui lesson`: it takes no options (each step prepares its own run), refuses any in one line
with exit status 2, and otherwise opens the lesson's app."""

from __future__ import annotations

import subprocess
import sys

import pytest

import gdtui.ui.app
from gdtui.cli import main


@pytest.mark.parametrize("argv", [["--alpha", "0.1"], ["--seed=3"], ["blobs"], ["--resume"], ["-x", "-y", "-z"],
                                  ["\x1b[31m"]])
def test_any_option_is_refused_in_one_line(argv, capsys, monkeypatch):
    monkeypatch.setattr(gdtui.ui.app, "run_lesson", lambda: pytest.fail("the lesson must not open"))
    with pytest.raises(SystemExit) as exit_:
        main(["lesson", *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gdtui: error: gdtui lesson takes no options (got ")
    assert "\x1b" not in err


def test_no_option_opens_the_lesson(monkeypatch):
    opened = []
    monkeypatch.setattr(gdtui.ui.app, "run_lesson", lambda: opened.append(True) or 0)
    assert main(["lesson"]) == 0 and opened == [True]


def test_help_says_what_it_is(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["lesson", "--help"])
    assert exit_.value.code == 0
    assert "guided lesson" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "`gdtui lesson` opens the guided lesson" in capsys.readouterr().out.replace("\n", " ").replace("  ", " ")


def test_the_real_command_refuses_an_option():
    done = subprocess.run([sys.executable, "-m", "gdtui", "lesson", "--epochs", "5"], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("gdtui: error: gdtui lesson takes no options (got '--epochs'): "
                           "each step prepares its own run\n")
