"""Breakpoints: the lesson's stopping rules, set while training and checked after every epoch.

A `Breakpoints` value says when a run should pause; a `Watch` arms it at the trainer's current
epoch (the "more epochs" and "no new best" rules count from there) and, after each epoch, says
which rule fired first, in one line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from .config import MAX_EPOCHS, ConfigError
from .trainer import Trainer


@dataclass(frozen=True)
class Breakpoints:
    """Each rule is off when None."""

    loss_below: float | None = None
    """Pause once the epoch loss is below this."""
    test_accuracy: float | None = None
    """Pause once the test accuracy reaches this share (0..1]."""
    gradient_below: float | None = None
    """Pause once the norm of the epoch's update direction |g| is below this."""
    patience: int | None = None
    """Pause after this many epochs without a new best loss."""
    more_epochs: int | None = None
    """Pause after this many more epochs."""

    def validated(self) -> "Breakpoints":
        """Self if every rule set is in range, else `ConfigError` naming the rule."""
        checks = {
            "loss_below": (lambda v: _real(v) and v > 0, "a number > 0"),
            "test_accuracy": (lambda v: _real(v) and 0 < v <= 1, "a share in (0, 1]"),
            "gradient_below": (lambda v: _real(v) and v > 0, "a number > 0"),
            "patience": (lambda v: _whole(v) and 1 <= v <= MAX_EPOCHS, f"an integer in [1, {MAX_EPOCHS}]"),
            "more_epochs": (lambda v: _whole(v) and 1 <= v <= MAX_EPOCHS, f"an integer in [1, {MAX_EPOCHS}]"),
        }
        for name, (ok, allowed) in checks.items():
            value = getattr(self, name)
            if value is not None and not ok(value):
                raise ConfigError(name, allowed, value)
        return self

    @property
    def any(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))

    def run_length(self, epochs: int) -> int:
        """How many epochs a run with these breakpoints may take at most: `epochs` (the run's
        usual budget), or more if "more epochs" asks for more."""
        return max(epochs, self.more_epochs or 0)


class Watch:
    """`Breakpoints` armed at the trainer's current epoch."""

    def __init__(self, points: Breakpoints, trainer: Trainer) -> None:
        self.points = points.validated()
        self.start = trainer.epoch
        self._best_loss = float(trainer.history.losses[-1])
        self._best_epoch = trainer.epoch
        self.fired = ""
        """The rule that fired, in words, once one has."""

    def run(self, trainer: Trainer, count: int) -> str | None:
        """Up to `count` epochs, one at a time, checking after each. Returns 'breakpoint' when one
        fired (`fired` says which), the trainer's stop reason if it stopped, else None."""
        for _ in range(count):
            reason = trainer.run(1)
            if reason not in (None, "epochs"):
                return reason
            fired = self.check(trainer)
            if fired:
                self.fired = fired
                return "breakpoint"
        return None

    def check(self, trainer: Trainer) -> str | None:
        """After an epoch: the rule that fired (first in the order of the fields), or None."""
        p, epoch = self.points, trainer.epoch
        if epoch == self.start or trainer.batch:
            return None
        loss = float(trainer.history.losses[epoch])
        if loss < self._best_loss:
            self._best_loss, self._best_epoch = loss, epoch
        if p.loss_below is not None and loss < p.loss_below:
            return f"loss {loss:.6g} < {p.loss_below:g} at epoch {epoch}"
        if p.test_accuracy is not None:
            accuracy = trainer.accuracy(trainer.history.weights[epoch], "test")
            if accuracy >= p.test_accuracy:
                return f"test accuracy {100 * accuracy:.1f}% ≥ {100 * p.test_accuracy:g}% at epoch {epoch}"
        if p.gradient_below is not None:
            norm = math.hypot(*trainer.history.directions[epoch].tolist())
            if norm < p.gradient_below:
                return f"|g| {norm:.4g} < {p.gradient_below:g} at epoch {epoch}"
        if p.patience is not None and epoch - self._best_epoch >= p.patience:
            return f"no new best loss for {p.patience} epochs (best {self._best_loss:.6g} at epoch {self._best_epoch})"
        if p.more_epochs is not None and epoch >= self.start + p.more_epochs:
            return f"{p.more_epochs} more epochs done (epoch {epoch})"
        return None


def _real(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
