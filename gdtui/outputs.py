"""The files `gdtui train` and `gdtui compare` write: checked before any training, written after it.

A run's results are printed even when a file cannot be written; the failure is then said in one
line and the exit status is 2 (`headless`).
"""

from __future__ import annotations

import os

from gdtui.engine import TrainConfig, Trainer
from gdtui.engine.atomic import existing_mode, file_name, writable
from gdtui.engine.echo import show_name
from gdtui.engine.race import Race
from gdtui.engine.session import SessionError, save as save_session


def check_outputs(*paths: str | None, inputs: tuple[str, ...] = ()) -> None:
    """Refuse, before any training, output paths that cannot or must not be written (SessionError):
    a name that can only be a directory, a missing directory, something else than a file, a file
    the user made read-only, two outputs that are one file, an output that is one of the `inputs`."""
    given = [p for p in paths if p is not None]
    for path in given:
        _check_output(path)
    real = [os.path.realpath(p) for p in given]
    if len(set(real)) < len(real):
        raise SessionError("--save and --history-csv name the same file")
    for path, where in zip(given, real):
        if any(os.path.realpath(source) == where for source in inputs):
            raise SessionError(f"{show_name(path)}: is a file this run reads; gdtui will not write over it")


def inputs_of(config: TrainConfig) -> tuple[str, ...]:
    """The files a run reads (a CSV data set), which no output may replace."""
    return (config.dataset,) if config.is_csv else ()


def _check_output(path: str) -> None:
    shown = show_name(path)
    if not path:
        raise SessionError("an output file name must not be empty")
    try:
        where = os.path.realpath(file_name(path))
        mode = existing_mode(where)
    except IsADirectoryError as exc:
        raise SessionError(f"{shown}: {exc.strerror}") from None
    except FileNotFoundError:
        raise SessionError(f"{shown}: no such directory") from None
    except OSError as exc:
        words = exc.strerror or "not a regular file (a device or a pipe); gdtui writes only files"
        raise SessionError(f"{shown}: {words}") from None
    if mode is not None and not writable(where, mode):
        raise SessionError(f"{shown}: the file is read-only; gdtui does not replace a file you protected")
    parent = os.path.dirname(where)
    if not os.access(parent, os.W_OK):
        raise SessionError(f"{shown}: the directory {show_name(parent)} is not writable")


def write_outputs(session: Trainer | Race, save: str | None, history_csv: str | None = None) -> dict[str, str]:
    """Write the session and the history where asked; what could not be written -> why (one line each)."""
    failed = {}
    if save is not None:
        try:
            save_session(session, save)
        except SessionError as exc:
            failed["save"] = str(exc)
    if history_csv is not None:
        from gdtui.engine.export import write_history_csv

        try:
            write_history_csv(session, history_csv)
        except OSError as exc:
            failed["history_csv"] = f"{show_name(history_csv)}: cannot write ({exc.strerror or exc})"
    return failed
