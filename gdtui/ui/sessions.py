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

from . import slots
from .slots import Slot

def autosave(trainer: Trainer, slot: Slot) -> Path:
    """Save to this process's slot (taken on first use); SessionError says why it could not."""
    try:
        path = slot.take()
    except OSError as exc:
        raise SessionError(f"{exc.filename or slots.slots_dir()}: cannot keep the session there "
                           f"({exc.strerror or exc})") from None
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


def open_session(path: str | None) -> tuple[Trainer, Slot, Path]:
    """The training session saved in `path` (default: the newest kept one), the slot this process
    keeps its work in (the resumed slot itself when no other process holds it) and where it came
    from; SessionError otherwise."""
    if path is None:
        found = slots.kept()
        if not found:
            raise SessionError(f"no saved session yet: gdtui keeps one in {slots.slots_dir()} when it quits")
        where = found[0].path
    else:
        where = Path(path)
    session = load(where)
    if isinstance(session, Race):
        raise SessionError(f"{where}: a race session; `gdtui compare --resume {where}` continues it")
    own = path is None and where.parent == slots.slots_dir()
    return session, Slot(where if own else None), where


def kept_lines() -> list[str]:
    """`gdtui --resume --list`: every kept session, newest first, one line each."""
    found = slots.kept()
    if not found:
        return [f"no kept sessions in {slots.slots_dir()}"]
    lines = []
    for k, kept in enumerate(found, start=1):
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(kept.mtime))
        lines.append(f"{k:>2}  {when}  {_summary(kept.path)}  {kept.path}"
                     + ("  (open in another gdtui)" if kept.held else "") + ("  <- gdtui --resume" if k == 1 else ""))
    return lines


def _summary(path: Path) -> str:
    """A kept session in a few words (or why it cannot be read)."""
    try:
        trainer = load(path)
    except SessionError as exc:
        return f"unreadable: {str(exc).split(': ', 1)[-1][:60]}"
    if isinstance(trainer, Race):
        return f"a race at epoch {trainer.epoch}"
    cfg = trainer.config
    return f"epoch {trainer.epoch:<7} {trainer.data.name[:20]} {cfg.loss} {cfg.optimizer} alpha {cfg.alpha:g}"


def describe(path: Path) -> str:
    """A path as short as it reads clearly: relative to the current directory or ~ if inside."""
    for base, shown in ((os.getcwd, ""), (Path.home, "~/")):
        try:
            return shown + str(path.relative_to(base()))
        except (ValueError, OSError):  # (outside it, or the current directory is gone)
            continue
    return str(path)

