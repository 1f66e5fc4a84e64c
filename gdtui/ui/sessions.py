"""Keeping the learner's work: the autosave, saving and exporting into the output folder, or to
the browser under `gdtui serve` (saving when the link drops is `exit_guard`'s)."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path
from typing import Callable

from gdtui.engine import Trainer
from gdtui.engine.atomic import write_new
from gdtui.engine.codec import Bad, one_line
from gdtui.engine.export import history_csv, write_history_csv
from gdtui.engine.race import Race
from gdtui.engine.session import MAX_SESSION_BYTES, SessionError, load, save, to_document

from . import slots
from .slots import Slot

STATE_DIR = "GDTUI_STATE_DIR"
"""Set by `gdtui host` and `gdtui serve`: the session's own folder on the server."""
DELIVER = "GDTUI_DELIVER"
"""Set to 1 by `gdtui serve`: `S` and `x` send their files to the browser as downloads."""

Send = Callable[[str, str, str], None]
"""Hands a file to the browser: (file name, text, MIME type)."""


def served() -> bool:
    """Run by `gdtui host` or `gdtui serve`, in a folder of its own on the server."""
    return os.path.isabs(os.environ.get(STATE_DIR, ""))


def delivering() -> bool:
    """Whether `S` and `x` should send their files to the browser (`gdtui serve`)."""
    return os.environ.get(DELIVER) == "1"


def kept_words(path: Path) -> str:
    """The line said once the session is kept in `path` (after the terminal is restored): over
    SSH the student connects again to go on; a browser tab's line goes to the server's log."""
    if served() and delivering():
        return f"gdtui: session kept in {path} (a browser tab's folder on the server)"
    if served():
        return "gdtui: your work is kept: connect again to go on"
    return f"gdtui: session kept in {describe(path)} (`gdtui --resume` reopens it)"


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
    given = os.environ.get(STATE_DIR, "")
    return Path(given) if os.path.isabs(given) else Path.cwd()


def write_fresh(folder: Path, base: str, suffix: str, write: Callable[[Path], None]) -> Path:
    """Call `write` on `base<suffix>` in `folder`, or on `base-2<suffix>`, `base-3<suffix>`, ...
    until one is free: `write` must create its file exclusively (FileExistsError when the name is
    taken, even by a link), so that nothing is replaced and nothing written through a link planted
    under a predictable name. The path written."""
    for n in range(1, 1000):
        path = folder / (f"{base}{suffix}" if n == 1 else f"{base}-{n}{suffix}")
        try:
            write(path)
        except FileExistsError:
            continue
        except OSError as exc:  # (named by the file meant, not by a temporary of its writing)
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None
        return path
    raise FileExistsError(errno.EEXIST, "no free name left", str(folder / f"{base}{suffix}"))


MAX_SERVED_FILES = 100
"""Files `S` and `x` may leave in a student's folder under `gdtui host` (a shared disk: one student
holding `S` must not fill it for the class)."""


def _folder_or_reason() -> tuple[Path | None, str]:
    try:
        folder = output_folder()
    except OSError as exc:
        return None, f"the current directory cannot be used ({exc.strerror or exc})"
    if served():
        try:
            held = sum(1 for entry in os.scandir(folder) if entry.name.startswith("gdtui-"))
        except OSError:  # (the write will say what is wrong, naming its file)
            held = 0
        if held >= MAX_SERVED_FILES:
            return None, (f"your folder on the server holds {held} saved files already, the most it may; "
                          "ask your teacher to collect them")
    return folder, ""


def save_here_saying(session: Trainer | Race) -> str:
    """Save the session (or the race) into a new file of the output folder, and the line that
    says where it went, or why it did not (naming the file)."""
    folder, problem = _folder_or_reason()
    if folder is None:
        return f"not saved: {problem}"
    stem = "gdtui-race" if isinstance(session, Race) else "gdtui-session"
    try:
        path = write_fresh(folder, stamped(stem, ""), ".json", lambda name: save(session, name, new=True))
    except SessionError as exc:  # (it names the file)
        return f"not saved: {exc}"
    except OSError as exc:
        return f"not saved: {describe(Path(exc.filename or folder))}: {exc.strerror or exc}"
    if isinstance(session, Race):
        return f"saved the race at epoch {session.epoch} to {describe(path)} (gdtui compare --resume continues it)"
    return f"saved the session at epoch {session.epoch} to {describe(path)}"


def export_here_saying(trainer: Trainer, screen_svg: str) -> str:
    """Write the screen (`screen_svg`) and the history as CSV into new files of the output folder,
    each atomically, and the line that says where they went, or why not (naming the file)."""
    folder, problem = _folder_or_reason()
    if folder is None:
        return f"not exported: {problem}"
    try:
        svg = write_fresh(folder, stamped("gdtui", ""), ".svg", lambda name: write_new(name, [screen_svg]))
        csv = write_fresh(folder, svg.stem + "-history", ".csv", lambda name: write_history_csv(trainer, name, new=True))
    except OSError as exc:
        return f"not exported: {describe(Path(exc.filename or folder))}: {exc.strerror or exc}"
    return (f"exported the screen to {describe(svg)} and the history ({len(trainer.history)} rows) "
            f"to {describe(csv)}")


def stamped(stem: str, suffix: str) -> str:
    return f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}{suffix}"


def session_text(session: Trainer | Race) -> str:
    """The session file's text, as `save` writes it (SessionError if it cannot be made)."""
    try:
        text = json.dumps(to_document(session), allow_nan=False, separators=(",", ":"))
    except Bad as exc:
        raise SessionError(one_line(f"cannot save: {exc}")) from None
    if len(text) > MAX_SESSION_BYTES:
        raise SessionError(f"the session would take {len(text) / 2**20:.0f} MB, more than the "
                           f"{MAX_SESSION_BYTES // 2**20} MB a session file may hold")
    return text


def deliver_saying(session: Trainer | Race, send: Send) -> str:
    """`S` under `gdtui serve`: the session file as a browser download, and the line that says so."""
    kind = "race" if isinstance(session, Race) else "session"
    try:
        text = session_text(session)
    except SessionError as exc:
        return f"not sent: {exc}"
    name = stamped(f"gdtui-{kind}", ".json")
    send(name, text, "application/json")
    return f"sent the {kind} at epoch {session.epoch} to the browser: {name} (a download)"


def deliver_export_saying(trainer: Trainer, screen_svg: str, send: Send) -> str:
    """`x` under `gdtui serve`: the screen and the history as two browser downloads."""
    svg = stamped("gdtui", ".svg")
    csv = svg.removesuffix(".svg") + "-history.csv"
    send(svg, screen_svg, "image/svg+xml")
    send(csv, history_csv(trainer), "text/csv")
    return (f"sent the screen ({svg}) and the history ({len(trainer.history)} rows, {csv}) "
            "to the browser (downloads)")


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

