"""The board of `gdtui host`: on a terminal, a live table of the sessions (student, since, epoch,
loss, rule, alpha, state; a diverged run stands out) redrawn every second; otherwise, one log
line per connect and disconnect. Epoch, loss, rule, alpha and the app's state come from each session's status file
(`gdtui.status_file`, written by the app about once a second); a session without one yet shows `-`."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Iterable, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

from gdtui.host_session import StudentSession
from gdtui.status_file import read_status

COLUMNS = ("student", "since", "epoch", "loss", "rule", "alpha", "state")
STYLES = {"diverged": "bold white on red", "closing": "dim", "ended": "dim", "leaving": "dim"}
"""How a row stands out by its state: a student whose run diverged at once."""


def row(session: StudentSession, now: float) -> tuple[str, ...]:
    """One line of the board."""
    status = read_status(session.folder, session.pid) if session.pid else None
    since = _duration(now - session.since)
    if status is None:
        return (session.student.shown, since, "-", "-", "-", "-", session.state)
    loss = "-" if status.loss is None else f"{status.loss:.6g}"
    state = status.state if session.state == "live" else session.state
    return (session.student.shown, since, str(status.epoch), loss, status.rule, f"{status.alpha:.6g}", state)


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


class Board:
    """Shows the sessions of a host; `live` when `out` is a terminal."""

    def __init__(self, sessions: Iterable[StudentSession] | None = None, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.live = self.out.isatty()
        self.console = Console(file=self.out, highlight=False, markup=False)
        self.sessions: list[StudentSession] = list(sessions or [])
        self._live: Live | None = None

    def table(self, now: float | None = None) -> Table:
        now = time.time() if now is None else now
        table = Table(*COLUMNS, title=f"gdtui host: {len(self.sessions)} session(s)", title_justify="left")
        for session in sorted(self.sessions, key=lambda s: s.since):
            cells = row(session, now)
            table.add_row(*cells, style=STYLES.get(cells[-1]))
        return table

    def say(self, line: str) -> None:
        """A log line (above the table when live)."""
        self.console.print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}", soft_wrap=True)
        if not self.live:
            self.out.flush()

    def connected(self, session: StudentSession) -> None:
        self.sessions.append(session)
        how = f"resumed {session.resumed_at.name}" if session.resumed_at else "new session"
        self.say(f"connect {session.student.shown} {session.student.fingerprint} from {session.address} "
                 f"({how}, pid {session.pid})")
        self._redraw()

    def disconnected(self, session: StudentSession, status: int, why: str) -> None:
        if session in self.sessions:
            self.sessions.remove(session)
        self.say(f"disconnect {session.student.shown} after {_duration(time.time() - session.since)}: "
                 f"{why} (status {status})")
        self._redraw()

    def _redraw(self) -> None:
        if self._live is not None:
            self._live.update(self.table())

    async def run(self) -> None:
        """Redraw the table every second until cancelled (only when live)."""
        if not self.live:
            return
        with Live(self.table(), console=self.console, refresh_per_second=1, transient=False) as self._live:
            try:
                while True:
                    await asyncio.sleep(1)
                    self._redraw()
            finally:
                self._redraw()
                self._live = None
