"""Starting and ending the gdtui processes that `gdtui serve` and `gdtui host` run, one per
browser tab or SSH session, each in a folder of its own.

The contract with the app is a handful of environment variables:

- `GDTUI_STATE_DIR`: this session's private folder; the app keeps its session in a slot there
  (`sessions/<time>-<pid>.json`, see `gdtui.ui.slots`), writes `S` saves and `x` exports and its
  status file (`gdtui.status_file`) there, and `gdtui --resume` reopens the newest slot.
- `GDTUI_DATA_DIR`: the only folder a CSV may be read from (`gdtui.data_dir`).
- `GDTUI_DELIVER=1`: saves and exports go to the browser (`App.deliver_text`) instead of
  being written to disk.

The same folder is also the session's working directory, so that nothing a session does lands in
the server's.

`python -m gdtui.spawn [--tab-root ROOT] [--controlling-tty] -- [gdtui options]` is the small
launcher both use: it asks the kernel to hang the app up when its parent dies (so no gdtui
outlives a server that was killed), optionally makes a new folder under ROOT for a browser tab,
optionally takes the terminal on stdin as its controlling terminal, and then becomes
`python -m gdtui [options]`.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import fcntl
import os
import re
import secrets
import signal
import sys
import termios
import time
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from gdtui.ui import slots  # (Textual-free: where the app keeps its sessions)

STATE_DIR = "GDTUI_STATE_DIR"
DATA_DIR = "GDTUI_DATA_DIR"
DELIVER = "GDTUI_DELIVER"

_PASSED = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV")
_PASSED_PREFIXES = ("LC_", "TEXTUAL_")
_WEB = ("COLUMNS", "ROWS", "TERM_PROGRAM", "TERM_PROGRAM_VERSION")
"""What textual-serve sets for Textual's web driver, the page's size among it."""

_PR_SET_PDEATHSIG = 1


def child_env(base: Mapping[str, str], state_dir: Path, *, data_dir: str | None = None,
              deliver: bool = False, term: str | None = None) -> dict[str, str]:
    """The environment of one session's gdtui: the contract above, and from `base` only what a
    session needs (the server's own environment may hold its operator's secrets, such as
    SSH_AUTH_SOCK). With `term`, a pseudo-terminal session: its size and colours come from the
    terminal, so nothing of the web driver passes; without, a browser tab: textual-serve's
    variables pass."""
    env = {name: value for name, value in base.items()
           if name in _PASSED or name.startswith(_PASSED_PREFIXES) or (term is None and name in _WEB)}
    env[STATE_DIR] = str(state_dir)
    if data_dir is not None:
        env[DATA_DIR] = str(data_dir)
    if deliver:
        env[DELIVER] = "1"
    if term is not None:
        env["TERM"] = term
        env.pop("TEXTUAL_DRIVER", None)
    return env


def kept_session(state_dir: Path) -> Path | None:
    """The newest session the app kept in `state_dir` (the one `gdtui --resume` reopens there),
    or None."""
    found = slots.kept_in(state_dir)
    return found[0].path if found else None


def gdtui_command(options: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "gdtui", *options]


def launcher_command(options: Sequence[str], *, tab_root: Path | None = None, data_dir: str | None = None,
                     deliver: bool = False, controlling_tty: bool = False, tab_token: str = "") -> list[str]:
    """The argv of `python -m gdtui.spawn` that ends up running `gdtui options` (`data_dir`,
    `deliver` and `tab_token`, the end of the folder's name, are for the tab folder made under
    `tab_root`)."""
    argv = [sys.executable, "-m", "gdtui.spawn"]
    if tab_root is not None:
        argv += ["--tab-root", str(tab_root)]
        argv += ["--tab-token", tab_token] if tab_token else []
        argv += ["--data-dir", str(data_dir)] if data_dir is not None else []
        argv += ["--deliver"] if deliver else []
    if controlling_tty:
        argv.append("--controlling-tty")
    return [*argv, "--", *options]


TAB_TOKEN = re.compile(r"[0-9a-f]{6,32}")
"""What a tab token may be: hex digits, the last part of the tab folder's name."""


def new_tab_dir(root: Path, token: str = "") -> Path:
    """A new private folder (mode 0700) under `root`, named after the time it was made and ending
    in `token` (or random hex digits)."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    while True:
        folder = root / f"tab-{time.strftime('%Y%m%d-%H%M%S')}-{token or secrets.token_hex(3)}"
        try:
            folder.mkdir(mode=0o700)
            return folder
        except FileExistsError:
            continue


def _hang_up_with_parent() -> None:
    """Ask Linux to send SIGHUP when the parent dies (kept across exec); elsewhere a no-op."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGHUP, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:  # the parent died before the request was made
        os.kill(os.getpid(), signal.SIGHUP)


def _tab_token(value: str) -> str:
    if not TAB_TOKEN.fullmatch(value):
        raise argparse.ArgumentTypeError("a tab token is 6 to 32 hex digits")
    return value


def tab_process(parent: int, token: str) -> int | None:
    """The child of `parent` working in the tab folder that ends in `token`, if it still runs."""
    for pid in children_of(parent):
        try:
            if os.readlink(f"/proc/{pid}/cwd").endswith(f"-{token}") and running(pid):
                return pid
        except OSError:
            continue
    return None


def launch(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gdtui.spawn")
    parser.add_argument("--tab-root", type=Path)
    parser.add_argument("--tab-token", type=_tab_token, default=None)
    parser.add_argument("--data-dir")
    parser.add_argument("--deliver", action="store_true")
    parser.add_argument("--controlling-tty", action="store_true")
    parser.add_argument("options", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    options = args.options[1:] if args.options[:1] == ["--"] else args.options
    _hang_up_with_parent()
    env = dict(os.environ)
    if args.tab_root is not None:
        folder = new_tab_dir(args.tab_root, args.tab_token or "")
        env = child_env(env, folder, data_dir=args.data_dir or str(folder), deliver=args.deliver)
        os.chdir(folder)
    if args.controlling_tty:  # (we lead a new session: start_new_session=True in the parent)
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    command = gdtui_command(options)
    os.execve(command[0], command, env)


# ---- ending processes ------------------------------------------------------------------------------


def running(pid: int) -> bool:
    """Whether `pid` is a process that has not exited (a zombie waiting to be reaped has)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in (b"Z", b"X")


def children_of(parent: int) -> list[int]:
    """The processes whose parent is `parent`, from /proc (Linux)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def _signal(pid: int, sig: int, group: bool) -> None:
    try:
        os.killpg(pid, sig) if group else os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


async def end_processes(pids: Iterable[int], grace: float, *, group: bool = False) -> list[int]:
    """SIGHUP each process (its process group if `group`): gdtui keeps its session on a hangup.
    Those still running after `grace` seconds get SIGKILL. Returns the ones that had to be killed."""
    pids = list(pids)
    for pid in pids:
        _signal(pid, signal.SIGHUP, group)
    deadline = time.monotonic() + grace
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    killed = [pid for pid in pids if running(pid)]
    for pid in pids:
        if group or pid in killed:  # (a group may hold more than its leader: end it whole)
            _signal(pid, signal.SIGKILL, group)
    return killed


if __name__ == "__main__":
    launch()
