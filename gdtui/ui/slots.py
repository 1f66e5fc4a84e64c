"""Where the TUI keeps sessions: one slot per gdtui process, so that two of them quitting together
never write the same file.

The slots are files in `<state>/sessions/`, where `<state>` is $GDTUI_STATE_DIR (a per-student or
per-tab folder given by `gdtui host`/`gdtui serve`), else $XDG_STATE_HOME/gdtui, else
~/.local/state/gdtui. A process takes a slot the first time it keeps its session and holds an
advisory lock on it (`<slot>.lock`, flock) for as long as it lives, which the kernel drops when it
ends, however it ends. `gdtui --resume` opens the newest slot; a process that resumes a slot no
other process holds goes on keeping its work there, else it takes a new one.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SESSIONS = "sessions"
"""The slots' folder inside the state folder."""
LEGACY = "last-session.json"
"""Where gdtui before slots kept its one session (still found by --resume)."""


def state_dir() -> Path:
    given = os.environ.get("GDTUI_STATE_DIR", "")
    if os.path.isabs(given):
        return Path(given)
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "gdtui"


def slots_dir() -> Path:
    return state_dir() / SESSIONS


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def held_elsewhere(path: Path) -> bool:
    """Does another live process hold the slot at `path`?"""
    try:
        fd = os.open(_lock_path(path), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False


class Slot:
    """This process's slot: taken (and locked) on first use."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        """The slot's file; None until taken (a resumed slot no other process holds is taken over)."""
        self._fd: int | None = None

    def take(self) -> Path:
        """The slot's file, its folder made, locked for this process (OSError if it cannot be)."""
        if self._fd is not None:
            return self.path
        candidates = self._fresh_names()
        if self.path is None or held_elsewhere(self.path):
            self.path = next(candidates)
        while True:
            fd = os.open(_lock_path(self.path), os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # (held by another process, or another slot of this one: the next name)
                os.close(fd)
                self.path = next(candidates)
                continue
            except OSError:  # (a file system without locks: say so rather than try names forever)
                os.close(fd)
                raise
            self._fd = fd
            return self.path

    def release(self) -> None:
        """Let the slot go (what the process ending does anyway): another gdtui may take it over."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @staticmethod
    def _fresh_names() -> Iterator[Path]:
        """`<time>-<pid>.json`, then `<time>-<pid>-2.json`, ... in the slots' folder (made here)."""
        folder = slots_dir()
        folder.mkdir(parents=True, exist_ok=True)
        base = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        yield folder / f"{base}.json"
        for n in itertools.count(2):
            yield folder / f"{base}-{n}.json"


@dataclass(frozen=True)
class Kept:
    """A kept session: its file, when it was kept, whether a live process holds it."""

    path: Path
    mtime: float
    held: bool


def kept() -> list[Kept]:
    """Every kept session, newest first (see `kept_in`)."""
    return kept_in(state_dir())


def kept_in(state: Path) -> list[Kept]:
    """Every session kept under the state folder `state`, newest first (the slots, and the one of
    gdtui before slots): regular files only, never through a link (gdtui writes nothing else
    there). `gdtui --resume` opens the first; `gdtui host` reads a student's folder with it too."""
    candidates = [state / LEGACY]
    folder = state / SESSIONS
    if folder.is_dir():
        candidates += [p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith(".")]
    found = []
    for path in candidates:
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            found.append(Kept(path, info.st_mtime, held_elsewhere(path)))
    return sorted(found, key=lambda k: (k.mtime, k.path.name), reverse=True)  # (a tie: by name, not by chance)
