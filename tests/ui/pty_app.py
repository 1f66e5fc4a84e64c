"""gdtui in a real pseudo-terminal, for tests that need the kernel's tty (hangups, a dead link).

    with PtyApp(["--seed", "0"], state_home=tmp_path) as app:
        app.wait_for(r"epoch 0\\b")
        app.send("   ")
        app.wait_for(r"epoch 3\\b")
        app.drop("close")
        app.wait_gone(2.0)

Every wait is on a readiness signal (output that appeared, the process that ended), bounded by a
generous deadline; nothing sleeps a fixed time. Output is matched with its escape sequences removed;
a cursor move becomes a newline, so that pieces drawn in different places never run together
(Textual redraws only what changed: match on small stable pieces such as "epoch 3").
"""

from __future__ import annotations

import array
import codecs
import fcntl
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

DEADLINE = 30.0
"""Default bound of one wait: far above what a loaded machine needs, only there to fail, not to pace."""
DROPS = ("close", "SIGHUP", "SIGTERM", "SIGHUP+SIGTERM", "SIGTERM*2", "stalled+SIGTERM")
"""The ways `drop` can end the link: the terminal closes (the kernel sends SIGHUP, the tty is dead
afterwards), or signals arrive with the terminal still there (one, or a second while the first
is being handled), or SIGTERM while the terminal takes no output (a stalled SSH link: the signal
comes once the app's writes block; only run mode writes enough for that)."""
PTY_BUFFER = 4095
"""Bytes a pty holds for its reader (Linux's N_TTY_BUF_SIZE - 1): the app's next writes block."""

_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[ -/]*[0-OQ-Z\\^-~])")
_MOVES = re.compile(r"\x1b\[[0-9;]*[ABCDEFGHf]")


def visible(raw: str) -> str:
    """`raw` terminal output without escape sequences, a cursor move written as a newline."""
    return _ESCAPE.sub("", _MOVES.sub("\n", raw))


def _complete(text: str) -> int:
    """How much of `text` can be taken in: all but an escape sequence cut in two by a read."""
    start = text.rfind("\x1b")
    if start < 0 or len(text) - start > 64 or _ESCAPE.match(text, start):
        return len(text)
    return start


class Hung(AssertionError):
    """The app did not do what was waited for in time; the message has its threads' stacks."""


class PtyApp:
    """One `python -m gdtui ARGS` in its own session, whose controlling terminal is a new pty."""

    def __init__(self, args: list[str], *, state_home: Path | str, size: tuple[int, int] = (80, 24),
                 env: dict[str, str] | None = None, cwd: Path | str | None = None) -> None:
        master, slave = os.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        full_env = {**os.environ, "XDG_STATE_HOME": str(state_home), "TERM": "xterm-256color", **(env or {})}
        full_env.pop("CI", None)  # (Textual draws nothing in some CI modes)
        self.master: int | None = master
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gdtui", *args], stdin=slave, stdout=slave, stderr=slave, env=full_env,
            cwd=cwd, start_new_session=True, close_fds=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode
        self._pending = ""
        self.raw = ""
        """Everything the app wrote, as written."""
        self.text = ""
        """Everything the app wrote, as `visible` text."""
        self._mark = 0
        """Where in `text` the next `wait_for` starts looking (just past the last match)."""
        self.reading = True
        """Whether waits read the output (False: a stalled terminal)."""
        self.dropped_at: float | None = None
        self.gone_after: float | None = None
        """Seconds from the drop to the end of the process, once `wait_gone` saw it."""

    # ---- reading --------------------------------------------------------------------------------

    def _read(self, timeout: float) -> bool:
        """Wait up to `timeout` for output and take it in; False once the terminal gives no more."""
        if self.master is None or not self.reading:
            return False
        if not select.select([self.master], [], [], max(timeout, 0))[0]:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: every process holding the other side is gone
            chunk = b""
        if not chunk:
            return False
        text = self._pending + self._decode(chunk)
        cut = _complete(text)
        self._pending = text[cut:]
        self.raw += text[:cut]
        self.text += visible(text[:cut])
        return True

    def wait_for(self, pattern: str | re.Pattern, timeout: float = DEADLINE) -> re.Match:
        """Read until `pattern` (a regular expression) appears in the output that came after the last
        match; the match. Hung, with the last output and the threads' stacks, after `timeout`."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            found = regex.search(self.text, self._mark)
            if found:
                self._mark = found.end()
                return found
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.5)) and self.proc.poll() is not None:
                raise Hung(f"never saw {regex.pattern!r}; last output: {self.text[-300:]!r}\n{self.stacks()}")

    def wait_output(self, timeout: float = DEADLINE) -> None:
        """Wait for the first byte the app writes (it has started Python and begins to draw)."""
        self.wait_for(r"[\s\S]", timeout)

    def last(self, pattern: str | re.Pattern) -> re.Match | None:
        """The last match of `pattern` in all the output so far (e.g. the last epoch drawn)."""
        found = None
        for found in re.finditer(pattern, self.text):
            pass
        return found

    def drain(self, seconds: float) -> None:
        """Keep reading for `seconds`, as a terminal that is still there does (a randomised drop moment)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self._read(deadline - time.monotonic()):
            pass

    # ---- acting ---------------------------------------------------------------------------------

    def send(self, keys: str | bytes) -> None:
        """Type `keys` (text as UTF-8; "\\x1b" is escape, "\\r" enter)."""
        assert self.master is not None, "the terminal is closed"
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def drop(self, how: str) -> None:
        """End the link one of the `DROPS` ways; the time it happened is `dropped_at`."""
        if how not in DROPS:
            raise ValueError(f"drop how? {how!r} is not one of {DROPS}")
        if how.startswith("stalled+"):
            self.stall()
            how = how[len("stalled+"):]
        self.dropped_at = time.monotonic()
        if how == "close":  # what sshd does when the connection drops: the kernel hangs the tty up
            self._close_master()
            return
        first, _, second = how.partition("+")
        if how.endswith("*2"):
            first = second = how[:-2]
        self.proc.send_signal(getattr(signal, first))
        if second:
            self.drain(0.01)  # (the second one lands while the first is being handled)
            self.proc.send_signal(getattr(signal, second))

    def stall(self, timeout: float = DEADLINE) -> None:
        """Stop reading, and wait until the app's output is blocked: a thread of it waits in a tty
        write (Linux: its wait channel is `wait_woken`; elsewhere: the pty's buffer is full)."""
        self.reading = False
        deadline = time.monotonic() + timeout
        while not self._writes_blocked():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise Hung(f"the app's output never blocked ({self.unread()} bytes unread)\n{self.stacks()}")
            select.select([], [], [], 0.01)  # (the kernel tells no one when a writer blocks: look again)

    def _writes_blocked(self) -> bool:
        tasks = Path(f"/proc/{self.proc.pid}/task")
        if not tasks.exists():
            return self.unread() >= PTY_BUFFER
        for task in tasks.iterdir():
            try:
                if (task / "wchan").read_text() == "wait_woken":
                    return True
            except OSError:  # (the thread ended meanwhile)
                continue
        return False

    def unread(self) -> int:
        """Bytes the app wrote that the terminal has not read."""
        count = array.array("i", [0])
        fcntl.ioctl(self.master, termios.FIONREAD, count)
        return count[0]

    def wait_gone(self, seconds: float) -> float:
        """Wait for the process to end, reading its output meanwhile; the seconds from the drop.
        Hung (with the threads' stacks, then the process is killed) if it is still there `seconds`
        after the drop."""
        start = self.dropped_at if self.dropped_at is not None else time.monotonic()
        deadline = start + seconds
        while self.proc.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                stacks = self.stacks()
                raise Hung(f"still running {seconds:.1f} s after the drop; last output: "
                           f"{self.text[-300:]!r}\n{stacks}")
            if not self._read(min(left, 0.01)):
                _wait_exit(self.proc, min(left, 0.01))
        self.gone_after = time.monotonic() - start
        return self.gone_after

    # ---- looking inside ------------------------------------------------------------------------

    def stacks(self) -> str:
        """What each thread of the app is doing: Python stacks if py-spy is installed, else each
        thread's kernel wait channel."""
        pid = self.proc.pid
        if self.proc.poll() is not None:
            return f"(the process has ended, status {self.proc.returncode})"
        spy = shutil.which("py-spy") or shutil.which("py-spy", path=os.path.dirname(sys.executable))
        if spy:
            try:
                return subprocess.run([spy, "dump", "--pid", str(pid)], capture_output=True, text=True,
                                      timeout=20).stdout
            except (OSError, subprocess.SubprocessError) as exc:
                return f"(py-spy failed: {exc})"
        lines = []
        for task in sorted(Path(f"/proc/{pid}/task").glob("*")):
            read = lambda name: (task / name).read_text(errors="replace").strip()  # noqa: E731
            try:
                lines.append(f"thread {task.name} {read('comm')}: waits in {read('wchan')}")
            except OSError:
                continue
        return "\n".join(lines)

    # ---- ending ---------------------------------------------------------------------------------

    def _close_master(self) -> None:
        if self.master is not None:
            os.close(self.master)
            self.master = None

    def close(self) -> None:
        """Kill the app if it is still there and close the terminal."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_master()

    def __enter__(self) -> "PtyApp":
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _wait_exit(proc: subprocess.Popen, seconds: float) -> None:
    """Wait up to `seconds` for `proc` to end (at once when it does, where pidfds exist)."""
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        try:
            proc.wait(seconds)
        except subprocess.TimeoutExpired:
            pass
        return
    try:
        select.select([fd], [], [], seconds)
    finally:
        os.close(fd)


# ---- the moments a drop can come at --------------------------------------------------------------

EPOCH = r"(?:epoch|ep) (\d+)\b"
FORMS = {"b": r"breakpoints: run until", "a": r"learning rate alpha", "D": r"tab next field"}
"""The key that opens each form, and a piece of its frame that shows it is drawn."""
MOMENTS = ("first-byte", "first-frame", "steps", "run", "form-b", "form-a", "form-D")
RUN_ARGS = ["--epochs", "100000000"]
"""Run mode goes on until the drop (the default 100 epochs take one frame)."""


def reach(app: PtyApp, moment: str, rng) -> int:
    """Bring `app` to `moment` (one of `MOMENTS`, with random choices from `rng`); the epoch drawn
    last, which the autosave must hold (in run mode: at least; 0: nothing trained, nothing kept)."""
    if moment == "first-byte":
        app.wait_output()
        return 0
    app.wait_for(EPOCH.replace(r"(\d+)", "0"))
    if moment == "first-frame":
        return 0
    if moment == "run":
        app.send("p")
        app.wait_for(r"running")
        app.wait_for(r"epoch [1-9]")  # (run mode has trained and drawn)
        app.drain(rng.uniform(0, 0.2))
        return int(app.last(EPOCH).group(1))
    steps = rng.randint(1, 3)
    app.send(" " * steps)
    app.wait_for(EPOCH.replace(r"(\d+)", str(steps)))
    if moment.startswith("form-"):
        key = moment[len("form-"):]
        app.send(key)
        app.wait_for(FORMS[key])
    app.drain(rng.uniform(0, 0.05))
    return steps
