"""Run mode's pacing: how many epochs fit in a frame, learned from what epochs cost."""

from __future__ import annotations


class EpochCost:
    """The running estimate of one epoch's cost (or one lock-step epoch of a race)."""

    def __init__(self) -> None:
        self.seconds: float | None = None
        """None until measured: then a frame runs one epoch, as a guess could hold the screen for
        seconds on big data."""

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
