"""One SSH session of `gdtui host`: a gdtui process on a pseudo-terminal of its own, wired to
the SSH channel by hand.

asyncssh could redirect the channel to the pseudo-terminal itself, but then the host would
never see the keys go by, and the idle timeout needs exactly that; so two small pumps copy the
bytes (with the line editor off and no encoding, see `gdtui.host`), and a window change, which
asyncssh raises from `stdin.read()` as `TerminalSizeChanged`, is set on the pseudo-terminal,
whose kernel then sends SIGWINCH to the app.

The app leads its own session and process group, with the pseudo-terminal as its controlling
terminal. Ending it is always the same: SIGHUP to the group (the app keeps its session, as when
a real terminal hangs up), SIGKILL to the group after a grace period. That happens when the
client goes away (EOF or a dead connection), on the idle timeout, when the same student connects
again, and when the host stops.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import os
import signal
import struct
import termios
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

import asyncssh

from gdtui.host_access import Student
from gdtui.engine.session import SessionError, load
from gdtui.spawn import child_env, kept_session, launcher_command

USAGE_ERROR = 2
"""gdtui's status for input it refuses, such as a session file it cannot reopen."""

GRACE_SECONDS = 30.0
"""How long the app has to keep its session after SIGHUP before SIGKILL: saving takes about
2.6 s for 100,000 epochs of history and 9 s for 300,000 on this 2-core machine, and on SIGTERM
every session saves at once."""


class StudentSession:
    """A student's gdtui, from the SSH session request to its exit status."""

    def __init__(self, student: Student, folder: Path, address: str, *, options: Sequence[str],
                 data_dir: str | None, idle_timeout: float, environ: Mapping[str, str]) -> None:
        self.student = student
        self.folder = folder
        self.address = address
        self.options = list(options)
        self.data_dir = data_dir
        self.idle_timeout = idle_timeout
        self.environ = environ
        self.since = time.time()
        self.resumed_at: Path | None = None
        self.state = "starting"
        """What the host sees: starting, live, closing (idle, replaced, shutdown, gone), ended."""
        self.pid: int | None = None
        self.exit_status: int | None = None
        self._child: asyncio.subprocess.Process | None = None
        self._master = -1
        self._last_input = time.monotonic()
        self._ended = asyncio.Event()
        self._closing: str | None = None
        """Why the host ends the session (said to the student in one line), if it does."""

    # ---- life ------------------------------------------------------------------------------

    @property
    def why_ended(self) -> str:
        """In words, for the host's log."""
        if self._closing == "gone":
            return "the client left"
        return self._closing or "gdtui quit"

    async def run(self, process: asyncssh.SSHServerProcess,
                  started: Callable[[StudentSession], None] = lambda session: None) -> int:
        """Start the app (then call `started`), pump until it exits, end it if anything else
        ends first; the exit status for the SSH client: the app's own when it quits (0 for q)."""
        try:
            await self._start(process.term_type, process.term_size)
        except OSError as exc:
            self.state = "ended"
            self._closing = f"cannot start gdtui: {exc.strerror or exc}"
            self._ended.set()
            return self._say(process, f"gdtui host: {self._closing}", 1)
        started(self)
        output = asyncio.create_task(self._output(process))
        others = [asyncio.create_task(self._input(process)), asyncio.create_task(self._idle()),
                  asyncio.create_task(self._child.wait())]
        try:
            if self._closing is None:  # (close() may have come while the app was starting)
                await asyncio.wait([output, *others], return_when=asyncio.FIRST_COMPLETED)
            if not output.done():  # the client left, the host closes, or the app left a child
                self._closing = self._closing or ("gone" if others[0].done() else None)
                await self._hang_up()
                await asyncio.wait([output], timeout=GRACE_SECONDS)  # (the app's last frame)
        finally:
            for task in (output, *others):
                task.cancel()
            await self._hang_up()  # (also ends anything the app left in its process group)
            os.close(self._master)
            self.state = "ended"
            self._ended.set()
        code = self._child.returncode
        self.exit_status = code if code is not None and code >= 0 else 1
        if self._closing and self._closing != "gone":
            return self._say(process, f"gdtui host: {self._closing}; your work is kept: connect again to go on", 0)
        if code == USAGE_ERROR and self.resumed_at is not None and not await _reopens(self.resumed_at):
            aside = self._put_aside(self.resumed_at)
            self._closing = f"the kept session could not be reopened (moved to {aside})"
            return self._say(process, f"gdtui host: {self._closing}; connect again to start afresh", code)
        if code is None or code < 0:
            return self._say(process, f"gdtui host: gdtui ended abnormally ({_signal_name(code)})", 1)
        return self.exit_status

    @staticmethod
    def _put_aside(kept: Path) -> str:
        """Rename a kept session gdtui refused (it said why, in one line, on the terminal) out of
        the slots (no `.json` at the end), so the next connection does not fail the same way;
        its name, for the log."""
        aside = kept.with_name(f"{kept.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(kept, aside)
        except OSError:
            return "nowhere: it could not be moved"
        return aside.name

    async def close(self, why: str) -> None:
        """End the session from the host's side (`why` is told to the student), and wait."""
        if self._closing is None:
            self._closing = why
        self.state = "closing"
        if self._child is not None:
            await self._hang_up()
        await self._ended.wait()

    async def _start(self, term: str | None, size: tuple[int, int, int, int]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.resumed_at = kept_session(self.folder)
        options = ["--resume"] if self.resumed_at else self.options  # (the newest slot, as kept_session)
        master, slave = os.openpty()
        self._master = master
        try:
            set_size(master, size[0], size[1])
            env = child_env(self.environ, self.folder, data_dir=self.data_dir or str(self.folder),
                            term=term or "xterm-256color")
            self._child = await asyncio.create_subprocess_exec(
                *launcher_command(options, controlling_tty=True), stdin=slave, stdout=slave, stderr=slave,
                env=env, cwd=self.folder, start_new_session=True)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self.pid = self._child.pid
        self.state = "live"

    async def _hang_up(self) -> None:
        """SIGHUP the app's process group, SIGKILL it after the grace period; wait for the app."""
        child = self._child
        _signal_group(child.pid, signal.SIGHUP)
        try:
            await asyncio.wait_for(asyncio.shield(child.wait()), GRACE_SECONDS)
        except asyncio.TimeoutError:
            pass
        _signal_group(child.pid, signal.SIGKILL)
        await child.wait()

    # ---- pumps ---------------------------------------------------------------------------------

    async def _input(self, process: asyncssh.SSHServerProcess) -> None:
        """Keys from the client to the app; window changes to the pseudo-terminal. Returns when
        the client has gone (EOF or a broken connection)."""
        while True:
            try:
                data = await process.stdin.read(65536)
            except asyncssh.TerminalSizeChanged as change:
                set_size(self._master, change.width, change.height)
                continue
            except (asyncssh.BreakReceived, asyncssh.SignalReceived):
                continue
            except (asyncssh.Error, OSError):
                return
            if not data:
                return
            self._last_input = time.monotonic()
            if not await _write_all(self._master, data):
                return

    async def _output(self, process: asyncssh.SSHServerProcess) -> None:
        """The app's screen to the client, until the pseudo-terminal closes (the app exited)."""
        while True:
            data = await _read_some(self._master)
            if not data:
                return
            try:
                process.stdout.write(data)
                await process.stdout.drain()
            except (asyncssh.Error, OSError):
                return

    async def _idle(self) -> None:
        """Returns when no key has come for `idle_timeout` seconds."""
        while True:
            left = self._last_input + self.idle_timeout - time.monotonic()
            if left <= 0:
                self._closing = f"closed after {self.idle_timeout:.0f} s without a key"
                self.state = "closing"
                return
            await asyncio.sleep(left)

    @staticmethod
    def _say(process: asyncssh.SSHServerProcess, line: str, status: int) -> int:
        """One line on the client's stderr (its terminal may be raw: CR LF)."""
        try:
            process.stderr.write(line.encode() + b"\r\n")
        except (asyncssh.Error, OSError):
            pass
        return status


async def _reopens(kept: Path) -> bool:
    """Whether the session in `kept` can be read (status 2 after a resume is also what a failed
    autosave gives: a session that reads is never put aside)."""
    def reads() -> bool:
        try:
            load(kept)
        except SessionError:
            return False
        return True
    return await asyncio.to_thread(reads)


def _signal_name(code: int | None) -> str:
    try:
        return signal.Signals(-code).name
    except (TypeError, ValueError):
        return f"status {code}"


LARGEST = (1000, 1000)
"""(columns, rows) a client may ask for; more is cut to this (the app shows a note beyond 500x200)."""


def set_size(fd: int, columns: int, rows: int) -> None:
    """Give the pseudo-terminal `fd` a size (the kernel tells the foreground group by SIGWINCH); the
    client's numbers are bounded (a size field holds at most 65535, and the app draws no more)."""
    columns, rows = min(columns or 80, LARGEST[0]), min(rows or 24, LARGEST[1])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


async def _ready(fd: int, add: Callable, remove: Callable) -> None:
    future = asyncio.get_running_loop().create_future()
    add(fd, lambda: future.done() or future.set_result(None))
    try:
        await future
    finally:
        remove(fd)


async def _read_some(fd: int) -> bytes:
    """Whatever the non-blocking `fd` has, waiting for it; b"" once the other side has closed
    (a pseudo-terminal's master reads EIO then)."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            return os.read(fd, 65536)
        except BlockingIOError:
            await _ready(fd, loop.add_reader, loop.remove_reader)
        except OSError as exc:
            if exc.errno == errno.EIO:
                return b""
            raise


async def _write_all(fd: int, data: bytes) -> bool:
    """Write all of `data` to the non-blocking `fd`; False if the other side has closed."""
    loop = asyncio.get_running_loop()
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            await _ready(fd, loop.add_writer, loop.remove_writer)
        except OSError:
            return False
    return True
