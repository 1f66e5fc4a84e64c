"""The status file: how a session's gdtui tells `gdtui host` (its board) how the run is going.

The app writes `$GDTUI_STATE_DIR/status.json` when something shown in it changes, at most about
once a second, and once more as it leaves. It is one JSON object::

    {"format": "gdtui-status", "version": 1, "pid": 4242, "updated": 1796117389.25,
     "epoch": 12, "loss": 36.4077, "rule": "momentum", "alpha": 0.01, "state": "running"}

- `pid`: the writer's process id (a file left by an earlier process is not trusted);
- `updated`: `time.time()` when written;
- `epoch`: epochs done; `loss`: the last epoch's loss (null before the first, or if not finite);
- `rule`: the update rule (gd, momentum, nesterov, adagrad, rmsprop, adam); `alpha`: the alpha in
  force for the next update;
- `state`: the status line's state word: paused, running, converged, done, diverged, break,
  rewound, race, leaving.

It is written to a temporary file in the same folder and renamed over the old one, so a reader
sees a whole file or the previous one. There is no fsync: a status is rewritten every second and
losing one to a crash costs nothing, while 40 sessions fsyncing every second would cost the disk.
A reader treats a missing, partial, foreign or malformed file as "no status yet".
"""

from __future__ import annotations

import json
import math
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

STATUS_NAME = "status.json"
FORMAT = "gdtui-status"
VERSION = 1
MAX_BYTES = 4096


@dataclass(frozen=True)
class Status:
    pid: int
    updated: float
    epoch: int
    loss: float | None
    rule: str
    alpha: float
    state: str


def write_status(folder: Path, status: Status) -> None:
    """Put `status` in `folder`/status.json, atomically for readers (OSError if it cannot)."""
    fields = asdict(status)
    if fields["loss"] is not None and not math.isfinite(fields["loss"]):
        fields["loss"] = None
    text = json.dumps({"format": FORMAT, "version": VERSION, **fields}, allow_nan=False)
    temp = folder / f".{STATUS_NAME}.{secrets.token_hex(4)}.tmp"
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, folder / STATUS_NAME)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def status_now(*, epoch: int, loss: float | None, rule: str, alpha: float, state: str) -> Status:
    """The status of this process at this moment."""
    return Status(pid=os.getpid(), updated=time.time(), epoch=epoch, loss=loss, rule=rule,
                  alpha=alpha, state=state)


def read_status(folder: Path, pid: int | None = None) -> Status | None:
    """The status in `folder`, or None if there is none to trust (or it was written by another
    process than `pid`, when given)."""
    try:
        with open(folder / STATUS_NAME, "rb") as handle:
            data = json.loads(handle.read(MAX_BYTES + 1)[:MAX_BYTES])
        status = Status(pid=data["pid"], updated=data["updated"], epoch=data["epoch"], loss=data["loss"],
                        rule=data["rule"], alpha=data["alpha"], state=data["state"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (data.get("format"), data.get("version")) != (FORMAT, VERSION) or not _well_typed(status):
        return None
    if pid is not None and status.pid != pid:
        return None
    return status


def _well_typed(status: Status) -> bool:
    def number(value: object) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return (isinstance(status.pid, int) and number(status.updated) and isinstance(status.epoch, int)
            and (status.loss is None or number(status.loss)) and isinstance(status.rule, str)
            and number(status.alpha) and isinstance(status.state, str))
