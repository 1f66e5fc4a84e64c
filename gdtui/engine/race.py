"""Several update rules trained side by side, in lock-step, from the same initial weights.

Every rule gets its own `Trainer` built from the same data and the same seeded config (only the
rule differs), so each racer is exactly the solo run of its rule: same initial weights, same
shuffles, same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import OPTIMIZERS, ConfigError, TrainConfig
from .data import Dataset, fitted
from .snapshot import plain
from .trainer import Trainer

DEFAULT_RULES = ("gd", "momentum", "nesterov", "adam")


@dataclass(frozen=True)
class Standing:
    """One racer's line in the table."""

    rule: str
    epoch: int
    loss: float
    train_accuracy: float
    test_accuracy: float
    stop_reason: str | None
    weights: tuple
    """The racer's current weights (its last finite ones after a divergence), as `snapshot.plain` gives them."""


def parse_rules(text: str) -> tuple[str, ...]:
    """`gd,momentum,adam` -> a tuple of known, distinct rules (ConfigError otherwise, also for an
    empty name: `gd,,adam` is a typo, not two rules)."""
    rules = tuple(part.strip() for part in text.split(","))
    unknown = [r for r in rules if r not in OPTIMIZERS]
    if unknown or len(set(rules)) != len(rules):
        raise ConfigError("optimizers", "distinct names from " + ", ".join(OPTIMIZERS) + ", separated by commas",
                          text)
    return rules


class Race:
    """One `Trainer` per rule, all built from `data` and `config` with only the rule changed."""

    def __init__(self, data: Dataset, config: TrainConfig, rules: tuple[str, ...] = DEFAULT_RULES) -> None:
        config = fitted(config.validated(), data)
        if config.seed is None:  # one draw for all, so that every racer starts from the same weights
            config = config.with_changes(seed=int(np.random.SeedSequence().entropy % 2**32))
        self.data = data
        self.config = config
        """The settings every racer shares (alpha follows `configure`)."""
        self.trainers = {rule: Trainer(data, config.with_changes(optimizer=rule)) for rule in rules}
        self.benched: dict[str, Trainer] = {}
        """Racers taken out of the race, kept as they were so that they can come back."""
        self._accuracies: dict[str, tuple[bytes, float, float]] = {}

    @classmethod
    def like(cls, trainer: Trainer, rules: tuple[str, ...] = DEFAULT_RULES) -> "Race":
        """A race on `trainer`'s data and settings whose racers start from the weights its current
        run started from: its own seed gives them, unless it was reset since (then they are pinned
        as `init_weights`, and shuffling draws from the seed alone)."""
        race = cls(trainer.data, trainer.config, rules)
        start = trainer.history.weights[0]
        if not np.array_equal(race.start, start):
            race = cls(trainer.data, trainer.config.with_changes(init_weights=tuple(start.ravel().tolist())), rules)
        return race

    def restarted(self, rules: tuple[str, ...] | None = None) -> "Race":
        """The same race from epoch 0 (the same start, the current settings), optionally with other rules."""
        return Race(self.data, self.config, tuple(self.trainers) if rules is None else rules)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(self.trainers)

    def starts_like(self, trainer: Trainer) -> bool:
        """Does this race start where `trainer`'s run started, on the same data?"""
        return self.data is trainer.data and np.array_equal(self.start, trainer.history.weights[0])

    def tick(self, rule: str) -> int | None:
        """Take `rule` out of the race (kept aside as it is) or put it in: back as it was, or new
        from the shared start, either way trained up to the race's epoch, so that the lock-step
        holds (racers never interact: catching up is the same as having raced). Returns the epoch
        a racer joined at, None when one left. ValueError for the last racer."""
        if rule in self.trainers:
            if len(self.trainers) == 1:
                raise ValueError(f"{rule} is the only rule left")
            self.benched[rule] = self.trainers.pop(rule)
            return None
        epoch = self.epoch
        racer = self.benched.pop(rule, None)
        if racer is None:
            racer = Trainer(self.data, self.config.with_changes(optimizer=rule, init_weights=tuple(self.start.ravel().tolist())))
        if racer.epoch < epoch and racer.stop_reason in (None, "epochs"):
            racer.run(epoch - racer.epoch)
        self.trainers[rule] = racer
        self.trainers = {name: self.trainers[name] for name in OPTIMIZERS if name in self.trainers}
        return epoch

    @property
    def start(self) -> np.ndarray:
        """The initial weights all racers share (the weights' shape)."""
        return next(iter(self.trainers.values())).history.weights[0]

    @property
    def going(self) -> tuple[str, ...]:
        """The rules whose racer has not stopped (diverged, tol or patience)."""
        return tuple(rule for rule, t in self.trainers.items() if t.stop_reason in (None, "epochs"))

    @property
    def leader(self) -> str | None:
        """The rule whose racer has the strictly lowest loss among those that have not diverged
        (None if they tie or all diverged)."""
        losses = {rule: float(t.history.losses[-1]) for rule, t in self.trainers.items() if not t.diverged}
        ranked = sorted(losses.items(), key=lambda item: item[1])
        if not ranked or (len(ranked) > 1 and not ranked[0][1] < ranked[1][1]):
            return None
        return ranked[0][0]

    def losses(self, rule: str) -> np.ndarray:
        """(epochs + 1,) the racer's loss per epoch, row 0 at the initial weights (read-only)."""
        return self.trainers[rule].history.losses

    @property
    def epoch(self) -> int:
        return max(t.epoch for t in self.trainers.values())

    def step_epoch(self) -> None:
        """One epoch for every racer that has not stopped (diverged, tol or patience)."""
        for trainer in self.trainers.values():
            if trainer.stop_reason in (None, "epochs"):
                trainer.step_epoch()

    def run(self, epochs: int | None = None) -> None:
        """Lock-step epochs until every racer stops or `epochs` more (default: to the epoch limit)."""
        target = self.config.epochs if epochs is None else self.epoch + epochs
        while self.epoch < target and any(t.stop_reason in (None, "epochs") and t.epoch < target
                                          for t in self.trainers.values()):
            self.step_epoch()

    def advance(self, epochs: int) -> None:
        """`epochs` more lock-step epochs, each racer through its own `Trainer.run` (its fused
        full-batch path): the racers never interact, so this is exactly `epochs` calls of
        `step_epoch`, at a fraction of the cost. A racer stops early where a stop rule fires."""
        for rule in self.going:
            self.trainers[rule].run(epochs)

    def configure(self, **changes) -> None:
        """The same change (alpha, momentum, ...) for every racer; validated first, so that a
        `ConfigError` changes none. Clears the racers' `diverged` verdicts, as `Trainer.configure` does."""
        self.config = self.config.with_changes(**changes)
        for trainer in self.trainers.values():
            trainer.configure(**changes)

    def standings(self) -> list[Standing]:
        rows = []
        for rule, t in self.trainers.items():
            w = t.weights
            train, test = self._accuracy(rule, w)
            rows.append(Standing(rule, t.epoch, float(t.history.losses[-1]), train, test, t.stop_reason,
                                 plain(w)))
        return rows

    def _accuracy(self, rule: str, w: np.ndarray) -> tuple[float, float]:
        """Train and test accuracy of the racer's weights `w`, measured again only when they move."""
        key = w.tobytes()
        known = self._accuracies.get(rule)
        if known is None or known[0] != key:
            t = self.trainers[rule]
            known = self._accuracies[rule] = (key, t.accuracy(w, "train"), t.accuracy(w, "test"))
        return known[1], known[2]
