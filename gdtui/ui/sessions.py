"""Keeping the learner's work: the autosave, saving and exporting into the current directory
(saving when the link drops is `exit_guard`'s)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from gdtui.engine import Trainer
from gdtui.engine.atomic import write_atomic
from gdtui.engine.export import write_history_csv
from gdtui.engine.race import Race
from gdtui.engine.session import SessionError, load, save

def autosave_path() -> Path:
    """Where the TUI keeps its last session: $XDG_STATE_HOME/gdtui/last-session.json
    (~/.local/state/gdtui/last-session.json when the variable is unset or not absolute)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "gdtui" / "last-session.json"


def autosave(trainer: Trainer) -> Path:
    """Save to the autosave file (its folder made if needed); SessionError says why it could not."""
    path = autosave_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SessionError(f"{path.parent}: cannot create ({exc.strerror or exc})") from None
    save(trainer, path)
    return path


def free_name(stem: str, suffix: str, folder: Path | None = None) -> Path:
    """`stem-YYYYmmdd-HHMMSS<suffix>` in `folder` (default: the current directory), never an
    existing file's name."""
    folder = Path.cwd() if folder is None else folder
    base = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = folder / f"{base}{suffix}", 1
    while path.exists():
        n += 1
        path = folder / f"{base}-{n}{suffix}"
    return path


def save_here(session: Trainer | Race) -> Path:
    """Save the session (or the race) into a new file in the current directory."""
    path = free_name("gdtui-race" if isinstance(session, Race) else "gdtui-session", ".json")
    save(session, path)
    return path


def save_here_saying(session: Trainer | Race) -> str:
    """`save_here`, and the line that says where the file went (or why there is none)."""
    try:
        path = save_here(session)
    except (SessionError, OSError) as exc:
        return f"not saved: {getattr(exc, 'strerror', None) or exc}"
    if isinstance(session, Race):
        return f"saved the race at epoch {session.epoch} to {describe(path)} (gdtui compare --resume continues it)"
    return f"saved the session at epoch {session.epoch} to {describe(path)}"


def export_here(trainer: Trainer, screen_svg: str) -> tuple[Path, Path]:
    """Write the screen (`screen_svg`) and the history as CSV into the current directory, each
    atomically; OSError if either cannot be written."""
    svg = free_name("gdtui", ".svg")
    csv = svg.with_name(svg.stem + "-history.csv")
    write_atomic(svg, [screen_svg])
    write_history_csv(trainer, csv)
    return svg, csv


def export_here_saying(trainer: Trainer, screen_svg: str) -> str:
    """`export_here`, and the line that says where the files went (or why there are none)."""
    try:
        svg, csv = export_here(trainer, screen_svg)
    except OSError as exc:
        return f"not exported: {exc.strerror or exc}"
    return (f"exported the screen to {describe(svg)} and the history ({len(trainer.history)} rows) "
            f"to {describe(csv)}")


def open_session(path: str | None) -> tuple[Trainer, Path]:
    """The training session saved in `path` (default: the autosave); SessionError otherwise."""
    where = autosave_path() if path is None else Path(path)
    if path is None and not where.exists():
        raise SessionError(f"no saved session yet: gdtui keeps one in {where} when it quits")
    session = load(where)
    if isinstance(session, Race):
        raise SessionError(f"{where}: a race session; `gdtui compare --resume {where}` continues it")
    return session, where


def describe(path: Path) -> str:
    """A path as short as it reads clearly: relative to the current directory or ~ if inside."""
    for base, shown in ((os.getcwd, ""), (Path.home, "~/")):
        try:
            return shown + str(path.relative_to(base()))
        except (ValueError, OSError):  # (outside it, or the current directory is gone)
            continue
    return str(path)

