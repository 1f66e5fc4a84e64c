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


def output_folder() -> Path:
    """Where `S` and `x` write: the session's own folder under `gdtui host` (GDTUI_STATE_DIR),
    else the current directory (OSError if it is gone)."""
    given = os.environ.get("GDTUI_STATE_DIR", "")
    return Path(given) if os.path.isabs(given) else Path.cwd()


def free_name(stem: str, suffix: str, folder: Path) -> Path:
    """`stem-YYYYmmdd-HHMMSS<suffix>` in `folder`, never an existing file's name."""
    base = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = folder / f"{base}{suffix}", 1
    while path.exists() or path.is_symlink():
        n += 1
        path = folder / f"{base}-{n}{suffix}"
    return path


def _folder_or_reason() -> tuple[Path | None, str]:
    try:
        return output_folder(), ""
    except OSError as exc:
        return None, f"the current directory cannot be used ({exc.strerror or exc})"


def save_here_saying(session: Trainer | Race) -> str:
    """Save the session (or the race) into a new file of the output folder, and the line that
    says where it went, or why it did not (naming the file)."""
    folder, problem = _folder_or_reason()
    if folder is None:
        return f"not saved: {problem}"
    path = free_name("gdtui-race" if isinstance(session, Race) else "gdtui-session", ".json", folder)
    try:
        save(session, path)
    except SessionError as exc:  # (it names the file)
        return f"not saved: {exc}"
    if isinstance(session, Race):
        return f"saved the race at epoch {session.epoch} to {describe(path)} (gdtui compare --resume continues it)"
    return f"saved the session at epoch {session.epoch} to {describe(path)}"


def export_here_saying(trainer: Trainer, screen_svg: str) -> str:
    """Write the screen (`screen_svg`) and the history as CSV into new files of the output folder,
    each atomically, and the line that says where they went, or why not (naming the file)."""
    folder, problem = _folder_or_reason()
    if folder is None:
        return f"not exported: {problem}"
    svg = free_name("gdtui", ".svg", folder)
    csv = svg.with_name(svg.stem + "-history.csv")
    for path, write in ((svg, lambda: write_atomic(svg, [screen_svg])), (csv, lambda: write_history_csv(trainer, csv))):
        try:
            write()
        except OSError as exc:
            return f"not exported: {describe(path)}: {exc.strerror or exc}"
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

