"""`gdtui host`: a classroom SSH server (asyncssh) where every connection gets its own gdtui.

    gdtui host [--host 127.0.0.1] [--port 2222] [--authorized-keys FILE | --open]
               [--max-sessions 40] [--idle-timeout 1800] [--rate-limit 60] [--data-dir DIR]
               [training options]

Students connect with `ssh -p 2222 NAME@HOST` and a key. A student is (key fingerprint, user
name): their folder under `$XDG_STATE_HOME/gdtui/host/students/` is the app's GDTUI_STATE_DIR,
where it keeps the session in a slot (`sessions/*.json`); a student whose link dropped connects
again and gets `gdtui --resume` there, back at the same epoch.

The server runs with asyncssh's line editor off and no text encoding (`line_editor=False`,
`encoding=None`): the line editor would hold keys back until Enter, and the app's bytes must
pass untouched. The host key is made once and kept (mode 0600) next to the students' folders.

Limits, as charmbracelet/wish's middlewares have them: a terminal is required, --max-sessions,
a connection rate per source address, the idle timeout, and every refusal is one line. SIGTERM
(or Ctrl+C) hangs every app up so each keeps its session, waits for them, closes the
connections and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import stat
import sys
import tempfile
from pathlib import Path
from typing import Sequence

import asyncssh

from gdtui import reach_options
from gdtui.cli import fail
from gdtui.host_access import STUDENT, Admission, Gate, KeyList, RateLimit, Student
from gdtui.host_board import Board
from gdtui.host_session import GRACE_SECONDS, StudentSession

KEY_NAME = "ssh_host_ed25519_key"


SPARE_CONNECTIONS = 10
"""Connections beyond --max-sessions let in to log in: one more student is then told the class is
full, in one line, instead of being cut off."""


class Host:
    """The sessions of one `gdtui host`, and what decides whether a new one may start."""

    def __init__(self, root: Path, options: Sequence[str], *, data_dir: str | None, max_sessions: int,
                 idle_timeout: float, board: Board) -> None:
        self.root = root
        self.options = list(options)
        self.data_dir = data_dir
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self.board = board
        self.sessions: dict[Student, StudentSession] = {}
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self.stopping = False
        self._handlers: set[asyncio.Task] = set()
        """The tasks serving a session request, until its exit status is sent."""
        self._takeover: dict[Student, asyncio.Lock] = {}

    async def serve_session(self, process: asyncssh.SSHServerProcess) -> None:
        """asyncssh's process factory: one session request, to its exit status."""
        task = asyncio.current_task()
        self._handlers.add(task)
        try:
            process.exit(await self._session(process))
        except Exception as exc:  # (recover: one broken session must not take the host down)
            self.board.say(f"error in a session: {type(exc).__name__}: {exc}")
            process.exit(1)
        finally:
            self._handlers.discard(task)

    async def _session(self, process: asyncssh.SSHServerProcess) -> int:
        student: Student = process.get_extra_info(STUDENT)
        refusal = self._refusal(process, student)
        if refusal:
            newline = "\r\n" if process.term_type else "\n"  # (a client's terminal in raw mode needs the CR)
            process.stderr.write(f"gdtui host: {refusal}{newline}".encode())
            return 1
        session = StudentSession(
            student, self.root / "students" / student.folder, (process.get_extra_info("peername") or ("?",))[0],
            options=self.options, data_dir=self.data_dir, idle_timeout=self.idle_timeout, environ=os.environ)
        async with self._takeover.setdefault(student, asyncio.Lock()):  # (the latest connection wins)
            earlier = self.sessions.get(student)
            if earlier is not None:  # one folder, one gdtui: the earlier one keeps its work and goes
                await earlier.close("you connected again from elsewhere")
            self.sessions[student] = session
        status = 1
        try:
            status = await session.run(process, started=self.board.connected)
        finally:
            if self.sessions.get(student) is session:
                del self.sessions[student]
            self.board.disconnected(session, status, session.why_ended)
        return status

    def _refusal(self, process: asyncssh.SSHServerProcess, student: Student) -> str | None:
        if self.stopping:
            return "the host is shutting down"
        if process.term_type is None:
            return "gdtui needs a terminal: connect with ssh -t"
        if process.command:
            return "only gdtui runs here: connect without a command"
        if student not in self.sessions and len(self.sessions) >= self.max_sessions:
            return f"the class is full ({self.max_sessions} sessions); try again later"
        return None

    async def stop(self) -> None:
        """Hang every app up (each keeps its session) and wait for them; let each client leave
        once its exit status is sent, then close what is left (logins under way, say)."""
        self.stopping = True
        await asyncio.gather(*(s.close("the host is shutting down") for s in list(self.sessions.values())))
        await _within(self._handlers, GRACE_SECONDS)
        await _within([c.wait_closed() for c in self.connections], GRACE_SECONDS)
        for conn in list(self.connections):
            conn.close()
        await _within([c.wait_closed() for c in self.connections], GRACE_SECONDS)


async def _within(waiting, seconds: float) -> None:
    """Wait for the awaitables in `waiting` (tasks or coroutines), at most `seconds`."""
    tasks = [w if isinstance(w, asyncio.Future) else asyncio.ensure_future(w) for w in list(waiting)]
    if tasks:
        await asyncio.wait(tasks, timeout=seconds)


def host_key(folder: Path) -> asyncssh.SSHKey:
    """The host's key, made on the first start and kept in `folder` (mode 0600). A key that
    others may read is refused, as OpenSSH refuses one."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / KEY_NAME
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519", comment="gdtui host")
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{KEY_NAME}.")  # (mkstemp: mode 0600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.export_private_key())
            os.link(temp, path)  # (fails if another host made one meanwhile: that one is read)
        except FileExistsError:
            pass
        finally:
            os.unlink(temp)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        fail(f"{path}: the host key may be read by others (mode {mode:03o}): chmod 600 it")
    return asyncssh.read_private_key(str(path))


def _add_own(parser: argparse.ArgumentParser) -> None:
    own = parser.add_argument_group("hosting")
    own.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    own.add_argument("--port", type=int, default=2222, help="port to listen on (default: 2222)")
    own.add_argument("--authorized-keys", type=Path, default=Path("~/.ssh/authorized_keys").expanduser(),
                     metavar="FILE", help="the public keys let in, OpenSSH format, read again when it "
                                          "changes (default: ~/.ssh/authorized_keys)")
    own.add_argument("--open", action="store_true", help="let any public key in (a student is still "
                                                          "told apart by key and user name)")
    own.add_argument("--max-sessions", type=int, default=40, help="sessions at once (default: 40)")
    own.add_argument("--idle-timeout", type=float, default=1800.0, metavar="SECONDS",
                     help="close a session after this long without a key; its work is kept (default: 1800)")
    own.add_argument("--rate-limit", type=float, default=60.0, metavar="PER_MINUTE",
                     help="new connections per minute from one address, also the burst allowed "
                          "(a class behind one NAT shares it) (default: 60)")
    own.add_argument("--state-dir", type=Path, default=None, metavar="DIR",
                     help="host key and students' folders (default: $XDG_STATE_HOME/gdtui/host)")
    reach_options.add_data_dir(own)


async def _serve(args: argparse.Namespace, options: list[str]) -> int:
    stop = asyncio.Event()  # (before listening: a SIGTERM as soon as the port opens is one too)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    root = (args.state_dir or reach_options.state_root("host")).absolute()
    key = host_key(root)
    try:
        keys = None if args.open else KeyList(args.authorized_keys)
    except (OSError, ValueError) as exc:
        fail(f"{args.authorized_keys}: {getattr(exc, 'strerror', None) or exc}: "
             "give --authorized-keys FILE, or --open to let any key in")
    board = Board()
    host = Host(root, options, data_dir=args.data_dir, max_sessions=args.max_sessions,
                idle_timeout=args.idle_timeout, board=board)
    limit = RateLimit(per_minute=args.rate_limit, burst=max(1, int(args.rate_limit)))
    spare = args.max_sessions + SPARE_CONNECTIONS  # (a whole class behind one address may connect at once)
    admission = Admission(max_logged_in=spare, pending_per_address=spare, open=host.connections)
    try:
        server = await asyncssh.create_server(
            lambda: Gate(keys, limit, admission), args.host, args.port,
            server_host_keys=[key], process_factory=host.serve_session, line_editor=False, encoding=None,
            password_auth=False, kbdint_auth=False, agent_forwarding=False, allow_scp=False,
            rdns_lookup=False, login_timeout=30, keepalive_interval=15, keepalive_count_max=4)
    except OSError as exc:
        print(f"gdtui host: cannot listen on {args.host}:{args.port}: "
              f"{os.strerror(exc.errno) if exc.errno else exc}", file=sys.stderr)
        return 1
    if args.open:
        print(f"gdtui host: WARNING: --open: ANY public key gets in; anyone who can reach port {args.port} "
              "runs gdtui on this machine", file=sys.stderr, flush=True)
    board.say(f"listening on {args.host}:{args.port}: ssh -t -p {args.port} NAME@HOST "
              f"(host key {key.get_fingerprint()})")
    drawing = asyncio.create_task(board.run())
    await stop.wait()
    server.close()
    await host.stop()
    drawing.cancel()
    await asyncio.gather(drawing, return_exceptions=True)
    board.say(f"stopped ({len(board.sessions)} session(s) left)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args, options = reach_options.parse(
        "gdtui host", "Host gdtui over SSH for a class: every connection gets its own gdtui.",
        _add_own, sys.argv[1:] if argv is None else argv)
    if args.max_sessions < 1 or args.idle_timeout <= 0 or args.rate_limit <= 0:
        fail("--max-sessions, --idle-timeout and --rate-limit must be positive")
    return asyncio.run(_serve(args, options))


if __name__ == "__main__":
    raise SystemExit(main())
