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


THRESHOLDS = ("loss_below", "test_accuracy", "gradient_below")
"""The rules that fire while a value is past a line (the others count epochs)."""


class Watch:
    """`Breakpoints` armed at the trainer's current epoch.

    A threshold rule named in `quiet` already held when the watch was armed (it fired just before):
    it fires again only once its value has been back on the other side of the line, so that a run
    continued after a breakpoint is not stopped by the same one at once."""

    def __init__(self, points: Breakpoints, trainer: Trainer, quiet: tuple[str, ...] = ()) -> None:
        self.points = points.validated()
        self.start = trainer.epoch
        self._best_loss = float(trainer.history.losses[-1])
        self._best_epoch = trainer.epoch
        self.quiet = set(quiet)
        self.fired = ""
        """The rule that fired, in words, once one has."""
        self.fired_rule = ""
        """Its field name in `Breakpoints`."""

    def rearmed(self, trainer: Trainer) -> "Watch":
        """The same breakpoints armed again from the trainer's epoch now, the rule that fired quiet
        until its line is crossed back (counts start again from now)."""
        return Watch(self.points, trainer, (self.fired_rule,) if self.fired_rule in THRESHOLDS else ())

    def run(self, trainer: Trainer, count: int, rules: bool = True) -> str | None:
        """Up to `count` epochs, one at a time, checking after each (`rules`: the trainer's own stop
        rules too, see `Trainer.run`). Returns 'breakpoint' when one fired (`fired` says which), the
        trainer's stop reason if it stopped, else None."""
        for _ in range(count):
            reason = trainer.run(1, rules=rules)
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
        found = []
        if p.loss_below is not None:
            found.append(("loss_below", loss < p.loss_below, lambda: f"loss {loss:.6g} < {p.loss_below:g} at epoch {epoch}"))
        if p.test_accuracy is not None:
            accuracy = trainer.accuracy(trainer.history.weights[epoch], "test")
            found.append(("test_accuracy", accuracy >= p.test_accuracy, lambda: (
                f"test accuracy {100 * accuracy:.1f}% ≥ {100 * p.test_accuracy:g}% at epoch {epoch}")))
        if p.gradient_below is not None:
            norm = math.hypot(*trainer.history.directions[epoch].ravel().tolist())
            found.append(("gradient_below", norm < p.gradient_below,
                          lambda: f"|g| {norm:.4g} < {p.gradient_below:g} at epoch {epoch}"))
        if p.patience is not None:
            found.append(("patience", epoch - self._best_epoch >= p.patience, lambda: (
                f"no new best loss for {p.patience} epochs (best {self._best_loss:.6g} at epoch {self._best_epoch})")))
        if p.more_epochs is not None:
            found.append(("more_epochs", epoch >= self.start + p.more_epochs,
                          lambda: f"{p.more_epochs} more epochs done (epoch {epoch})"))
        for rule, holds, words in found:
            if rule in self.quiet:
                if not holds:
                    self.quiet.discard(rule)  # (crossed back: armed again)
                continue
            if holds:
                self.fired_rule = rule
                return words()
        return None


def _real(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
