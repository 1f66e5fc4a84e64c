"""Paths that are not regular files (a FIFO, a device) are refused at once, never opened for a
blocking read: as `--dataset`, as `--resume`, in the data form, and as a session's CSV."""

from __future__ import annotations

import os
import threading

import pytest

from gdtui.cli import main
from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.data import DataError, read_csv
from gdtui.engine.regular import NotRegularFile, open_regular, read_regular
from gdtui.engine.session import SessionError, load, save
from gdtui.ui.screens.data_form import DataForm

from test_app_data import fill_form

UNBLOCK_AFTER = 10.0
"""A read still blocked on the FIFO after this long is freed (by opening the FIFO for writing) and
the test fails, instead of hanging the suite."""

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


@pytest.fixture
def fifo(tmp_path):
    """A FIFO no one writes to, and a guard that fails the test if anything blocked on it."""
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    done, freed = threading.Event(), threading.Event()

    def free_a_blocked_reader() -> None:
        if not done.wait(UNBLOCK_AFTER):
            freed.set()
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))  # (ENXIO if no reader is waiting)
            except OSError:
                pass

    guard = threading.Thread(target=free_a_blocked_reader, daemon=True)
    guard.start()
    yield path
    done.set()
    guard.join()
    assert not freed.is_set(), "something opened the FIFO for a blocking read"


def test_open_regular_tells_what_a_path_is(tmp_path, fifo):
    plain = tmp_path / "plain.csv"
    plain.write_bytes(b"1,2,a\n")
    with open_regular(plain) as (handle, info):
        assert handle.read() == b"1,2,a\n" and info.st_size == 6
    assert read_regular(plain, 3) == b"1,2,"  # (one byte past the limit: "too large")
    with pytest.raises(IsADirectoryError):
        read_regular(tmp_path, 10)
    for path, kind in ((fifo, "a named pipe"), ("/dev/null", "a character device")):
        with pytest.raises(NotRegularFile) as refused:
            read_regular(path, 10)
        assert refused.value.kind == kind and isinstance(refused.value, OSError)


def test_the_check_is_on_what_was_opened_not_on_the_name(tmp_path, fifo, monkeypatch):
    """No look by name first (a swap after it would fool it): `fstat` on the opened file decides."""
    plain = tmp_path / "plain.csv"
    plain.write_bytes(b"1,2,a\n")

    def by_name(*args, **kwargs):
        raise AssertionError("looked up by name")

    monkeypatch.setattr(os, "stat", by_name)
    assert read_regular(plain, 100) == b"1,2,a\n"
    with pytest.raises(NotRegularFile):
        read_regular(fifo, 10)


def test_a_fifo_is_not_read_as_data_nor_as_a_session(fifo):
    with pytest.raises(DataError, match=r"^pipe\.csv: a named pipe, not a CSV file$"):
        read_csv(str(fifo))
    with pytest.raises(SessionError, match=r"pipe\.csv: a named pipe, not a session file$"):
        load(fifo)


def test_a_session_whose_csv_became_a_fifo_loads_without_opening_it(tmp_path, fifo):
    data = tmp_path / "data.csv"
    data.write_text("".join(f"{i},{i % 3},{'ab'[i % 2]}\n" for i in range(20)))
    session = tmp_path / "s.json"
    save(create_trainer(TrainConfig(dataset=str(data), seed=0)), session)
    data.unlink()
    os.rename(fifo, data)
    assert load(session).data.labels == ("a", "b")  # the rows are in the file: the pipe is never opened


@pytest.mark.parametrize("argv", [["--dataset"], ["--resume"], ["train", "--dataset"], ["train", "--resume"]])
def test_the_command_line_refuses_a_fifo_in_one_line(capsys, fifo, argv):
    with pytest.raises(SystemExit) as stop:
        main([*argv, str(fifo)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a named pipe" in err


async def test_the_data_form_refuses_a_fifo_in_place(make_app, fifo, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "D")
        await pilot.pause()
        await fill_form(pilot, str(fifo), "1000", "")
        assert isinstance(app.screen, DataForm)
        assert "a named pipe, not a CSV file" in str(app.screen.query_one("#data-error").render())
        assert app.session.trainer.epoch == 1
