"""Leaving when the link drops: the autosave is written in full, then the process is gone within
GRACE seconds, whatever the UI toolkit's threads are waiting for.

An SSH link that drops hangs the terminal up: the kernel sends SIGHUP (then SIGCONT); a shutdown
sends SIGTERM. From then on the terminal may be dead (writes fail) or stalled (writes block), and
the UI toolkit's threads may wait on it for ever. So the exit path must not depend on them:

- the signal handler only records the signal (in a queue that is safe to use from a handler);
  no other work is done inside whatever code the signal interrupted;
- the guard's own thread takes it from there: it asks the owner to keep the session (on the
  owner's event loop, between two steps), saves from its own thread if the loop does not answer
  within LOOP_WAIT seconds (a loop blocked on the terminal), waits for the save to end however long
  it takes (the one thing that must not be lost), then gives the ordinary exit GRACE seconds (to
  restore a terminal that is still there) and ends the process with `os._exit`;
- a second signal never cuts the save short; once the session is kept, it ends the process at
  once (no grace).

Nothing here knows about Textual: the owner hands over a `Once` that keeps the session and a
callable that asks its event loop to start leaving.
"""

from __future__ import annotations

import os
import queue
import select
import signal
import sys
import threading
from typing import Callable

HANGUP_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
GRACE = 1.0
"""Seconds the ordinary exit may take once the session is kept (the requirement is 2)."""
LOOP_WAIT = 0.5
"""Seconds the owner's loop has to start the autosave before the guard's thread does it (the
owner's `keep` must then be safe from another thread: gdtui's takes the session's lock)."""
_STOP = 0
"""Put in the signal queue by `leave` (no signal has number 0): the guard's thread ends."""


class Once:
    """`action`, run once by whichever thread calls first; a caller meanwhile waits for it to end."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action = action
        self._lock = threading.Lock()
        self.started = threading.Event()
        self.done = threading.Event()

    def __call__(self) -> None:
        with self._lock:
            if self.done.is_set():
                return
            self.started.set()
            try:
                self._action()
            finally:
                self.done.set()


class ExitGuard:
    """Once a hang-up signal comes: keep the session, then end the process within GRACE seconds."""

    def __init__(self, grace: float = GRACE, loop_wait: float = LOOP_WAIT, status: int = 0,
                 end: Callable[[int], None] = os._exit) -> None:
        self.grace = grace
        self.loop_wait = loop_wait
        self.status = status
        """The exit status after a drop (the session was kept: not a failure)."""
        self._end = end
        self.dropped = threading.Event()
        self._signals: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._keep: Once | None = None
        self._start_leaving: Callable[[], None] = lambda: None
        self._before: dict[int, object] = {}

    def install(self) -> None:
        """Take SIGHUP and SIGTERM from now on (call from the main thread)."""
        threading.Thread(target=self._serve, name="gdtui-exit-guard", daemon=True).start()
        self._before = {sig: signal.signal(sig, self._on_signal) for sig in HANGUP_SIGNALS}

    def protect(self, keep: Once, start_leaving: Callable[[], None]) -> None:
        """From now on a drop keeps the session with `keep`; `start_leaving` (called from the guard's
        thread, so it must be thread-safe) asks the owner's loop to call `keep` and exit."""
        self._keep, self._start_leaving = keep, start_leaving

    def _on_signal(self, signum: int, _frame) -> None:
        """The whole handler: `SimpleQueue.put` may interrupt anything, even another put."""
        self._signals.put(signum)

    def _serve(self) -> None:
        if self._signals.get() == _STOP:
            return
        self.dropped.set()
        try:
            keep = self._keep
            if keep is not None:  # (none yet: nothing was trained, nothing to keep)
                self._keep_session(keep)
                self._wait_for_signal(self.grace)
        finally:  # (whatever failed above, the process ends)
            self._end(self.status)

    def _keep_session(self, keep: Once) -> None:
        """Have the owner's loop keep the session, or keep it from here if the loop does not start
        within `loop_wait` (a loop stuck that long is not inside a training step); wait for it."""
        try:
            self._start_leaving()
        except Exception:  # (the loop is closed already: the owner is leaving)
            pass
        if not keep.started.wait(self.loop_wait):
            keep()
        keep.done.wait()

    def _wait_for_signal(self, seconds: float) -> None:
        try:
            self._signals.get(timeout=seconds)
        except queue.Empty:
            pass

    def leave(self) -> None:
        """The main thread's last step: after a drop, end the process now, since the interpreter's
        own exit would flush stdio and join threads that may wait on the terminal for ever.
        Otherwise stand down: the signals get their handlers of before, the guard's thread ends."""
        if self.dropped.is_set():
            self._end(self.status)
            return
        for sig, handler in self._before.items():
            signal.signal(sig, handler)
        self._signals.put(_STOP)


SAY_WAIT = 0.2
"""How long `say` waits for a terminal that takes no output."""


def say(line: str) -> None:
    """Print `line` on stderr if the terminal takes it: never fail on a dead terminal (EIO), nor
    wait for long on a stalled one."""
    try:
        if _takes_output(sys.stderr):
            print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # (ValueError: stderr closed)
        pass


def _takes_output(stream) -> bool:
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # not a file (e.g. captured): nothing to wait for
        return True
    return bool(select.select([], [fd], [], SAY_WAIT)[1])
