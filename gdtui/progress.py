"""A progress bar on stderr for long headless runs, and the chunked driving that feeds it.

The bar is drawn only when stderr is a terminal and never with `--json`; it appears once a run
has taken `SHOW_AFTER` seconds, so a short run prints nothing more, and it is cleared at the end.
While it shows, training goes in chunks (`Trainer.run(k)`, `Race.run(k)`) of about
`CHUNK_SECONDS` each: the same epochs in the same order as one call, so the same numbers to the bit.
"""

from __future__ import annotations

import sys
import time
from typing import Callable

from gdtui.describe import log_loss

SHOW_AFTER = 0.5
"""Seconds a run takes before the bar appears."""
CHUNK_SECONDS = 0.2
"""About how long one chunk of epochs takes: the bar's refresh interval (a refresh costs about
1 ms, so the bar costs well under 1% of the run)."""
FIRST_CHUNK = 64
"""Epochs in the first chunk; later chunks are sized from the time the last one took."""
STOPS = ("tol", "patience", "diverged")


def wanted(as_json: bool) -> bool:
    """Whether a run should show the bar: on a terminal, and not when the output is JSON."""
    return not as_json and sys.stderr is not None and sys.stderr.isatty()


def in_chunks(step: Callable[[int], str | None], position: Callable[[], int], target: int,
              report: Callable[[], None], first: int = FIRST_CHUNK, seconds: float = CHUNK_SECONDS) -> str | None:
    """`step(k)` (k more epochs) until `position()` reaches `target`, `step` answers a stop
    (`STOPS`) or makes no progress, calling `report()` after each chunk. Returns `step`'s last answer."""
    size = first
    while True:
        before, begun = position(), time.perf_counter()
        answer = step(max(0, min(size, target - before)))
        report()
        if position() >= target or answer in STOPS or position() == before:
            return answer
        took = time.perf_counter() - begun
        size = max(1, min(4 * size, int(size * seconds / took))) if took > 0 else 4 * size


class Bar:
    """The bar of a run from epoch `start` to epoch `target`: created when first due, cleared on exit."""

    def __init__(self, start: int, target: int, what: str = "epochs") -> None:
        self.start, self.target, self.what = start, target, what
        self.begun = time.perf_counter()
        self._progress = None
        self._task = None

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, epoch: int, loss: float) -> None:
        elapsed = time.perf_counter() - self.begun
        if self._progress is None:
            if elapsed < SHOW_AFTER:
                return
            self._open()
        rate = (epoch - self.start) / elapsed if elapsed > 0 else 0.0
        self._progress.update(self._task, completed=epoch - self.start, rate=f"{rate:,.0f} epochs/s",
                              loss=log_loss(loss))
        self._progress.refresh()

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn(self.what), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(), TextColumn("loss {task.fields[loss]}"),
            console=Console(file=sys.stderr), auto_refresh=False, transient=True)
        self._progress.start()
        self._task = self._progress.add_task("", total=max(1, self.target - self.start), rate="", loss="")
