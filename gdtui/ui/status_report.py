"""The app's side of the status file (`gdtui.status_file`) that `gdtui host`'s board reads: under
a server ($GDTUI_STATE_DIR set), what the solo view shows (epoch, the loss at the weights on
screen, the rule, the alpha in force, the state word) is written to `$GDTUI_STATE_DIR/status.json`
when it changed, from the app's one-second timer, and once more with the state `leaving`.

No fsync (see `gdtui.status_file`); a status that cannot be written is skipped: the board then
shows the last one, and the learner's run is never disturbed by it. Nothing here knows about
Textual.
"""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

from gdtui.status_file import status_now, write_status

from .solo import View

Values = tuple[int, "float | None", str, float, str]
"""(epoch, loss, rule, alpha, state); the loss is None when it is not finite."""


def values(view: View, racing: bool) -> Values:
    """The status of what `view` shows; the state word is the status line's first (`race` while
    the race view is on top)."""
    snap = view.snapshot
    state = "race" if racing else view.short_state.split()[0]
    loss = snap.loss_here if math.isfinite(snap.loss_here) else None
    return (snap.epoch, loss, snap.optimizer, snap.alpha, state)


class StatusReport:
    """Writes the status file of one gdtui process, when it changed; never after `leave`."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        """Where status.json goes; None: nowhere (not under a server)."""
        self.written: Values | None = None
        """The values last written."""
        self.left = False
        self._lock = threading.Lock()  # (the leaving one may come from the exit guard's thread)

    @classmethod
    def from_environment(cls) -> StatusReport:
        given = os.environ.get("GDTUI_STATE_DIR", "")
        return cls(Path(given) if os.path.isabs(given) else None)

    def update(self, now: Values) -> bool:
        """Write `now` if it differs from what was written last; whether it was written."""
        with self._lock:
            if self.left or now == self.written:
                return False
            return self._write(now)

    def leave(self, last: Values | None) -> None:
        """The last status: `last` with the state `leaving` (the epoch and the rest as they were)."""
        with self._lock:
            if self.left:
                return
            self.left = True
            if last is not None:
                self._write((*last[:4], "leaving"))

    def _write(self, now: Values) -> bool:
        if self.folder is None:
            return False
        epoch, loss, rule, alpha, state = now
        try:
            write_status(self.folder, status_now(epoch=epoch, loss=loss, rule=rule, alpha=alpha, state=state))
        except (OSError, ValueError):
            return False
        self.written = now
        return True
