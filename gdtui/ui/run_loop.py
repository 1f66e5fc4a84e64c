"""Run mode, for every screen that runs: as many epochs per frame as a time budget allows, then
one redraw, at a capped frame rate, with the keys that came meanwhile handled between frames.

The engine's share of a frame adapts so that frames take `FRAME_SECONDS`: what a frame took more or
less than that is taken from or given to the next one's training. So drawing keeps its rate and
the engine gets the rest, whatever the machine and the size of the data. The first frame of a run
trains one epoch only, to learn what an epoch costs now (the data or the batch size may have changed,
and a guess could hold the screen, and a hangup, for seconds on big data).
"""

from __future__ import annotations

import time
from typing import Callable

from textual.message_pump import MessagePump

FRAME_SECONDS = 0.047
"""~21 frames/s, so that a frame that takes longer still keeps 20."""
ENGINE_SHARE = 0.5
"""The share of a frame the first frames spend training."""


class EpochCost:
    """The running estimate of one epoch's cost (or one lock-step epoch of a race)."""

    def __init__(self) -> None:
        self.seconds: float | None = None
        """None until measured."""

    def epochs_in(self, seconds: float, most: int) -> int:
        """Epochs that fit in `seconds`: at least 1, at most `most`; 1 while the cost is unknown."""
        fitting = 1 if self.seconds is None else int(seconds / self.seconds)
        return max(1, min(fitting, most))

    def measured(self, epochs: int, seconds: float) -> None:
        """`epochs` took `seconds`: blend that into the estimate."""
        if epochs:
            spent = seconds / epochs
            known = spent if self.seconds is None else self.seconds
            self.seconds = max(0.5 * known + 0.5 * spent, 1e-7)

    def forget(self) -> None:
        """The data or the settings may have changed: measure again."""
        self.seconds = None


class RunLoop:
    """Frames of run mode on `owner` (a screen): `advance(count)` trains up to `count` epochs and
    says whether the run goes on, `remaining()` how many it may still take, `draw()` redraws."""

    def __init__(self, owner: MessagePump, advance: Callable[[int], bool], remaining: Callable[[], int],
                 draw: Callable[[], None]) -> None:
        self._owner, self._advance, self._remaining, self._draw = owner, advance, remaining, draw
        self.cost = EpochCost()
        self.running = False
        self._engine_seconds = ENGINE_SHARE * FRAME_SECONDS
        self._last_frame = 0.0
        self._scheduled = False

    def start(self) -> None:
        """Run: the first frame comes once the screen has drawn what the key changed."""
        self.running = True
        self.cost.forget()
        self._last_frame = 0.0
        self._schedule()

    def stop(self) -> None:
        self.running = False

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            self._owner.call_after_refresh(self._owner.set_timer, 0.001, self._frame)

    def _frame(self) -> None:
        self._scheduled = False
        if not self.running:
            return
        started = time.perf_counter()
        if self._last_frame:
            self._engine_seconds += 0.5 * (FRAME_SECONDS - (started - self._last_frame))
        self._engine_seconds = min(max(self._engine_seconds, 0.05 * FRAME_SECONDS), 0.9 * FRAME_SECONDS)
        self._last_frame = started
        remaining = self._remaining()
        count = self.cost.epochs_in(self._engine_seconds, remaining) if remaining else 0
        going = self._advance(count)  # (0 epochs: the owner says the run is done)
        self.cost.measured(count, time.perf_counter() - started)
        self.running = self.running and going
        self._draw()
        if self.running:
            self._schedule()  # (keys that came meanwhile go first)
