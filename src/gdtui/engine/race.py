"""Several update rules trained side by side, in lock-step, from the same initial weights.

Every rule gets its own `Trainer` built from the same data and the same seeded config (only the
rule differs), so each racer is exactly the solo run of its rule: same initial weights, same
shuffles, same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import OPTIMIZERS, ConfigError, TrainConfig
from .data import Dataset
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


def parse_rules(text: str) -> tuple[str, ...]:
    """`gd,momentum,adam` -> a tuple of known, distinct rules (ConfigError otherwise)."""
    rules = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [r for r in rules if r not in OPTIMIZERS]
    if not rules or unknown or len(set(rules)) != len(rules):
        raise ConfigError("--optimizers must be distinct names from " + ", ".join(OPTIMIZERS)
                          + f", separated by commas (got {text!r})")
    return rules


class Race:
    def __init__(self, data: Dataset, config: TrainConfig, rules: tuple[str, ...] = DEFAULT_RULES) -> None:
        config = config.validated()
        if config.seed is None:  # one draw for all, so that every racer starts from the same weights
            config = config.with_changes(seed=int(np.random.SeedSequence().entropy % 2**32))
        self.config = config
        self.trainers = {rule: Trainer(data, config.with_changes(optimizer=rule)) for rule in rules}

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

    def configure(self, **changes) -> None:
        """The same change (alpha, momentum, ...) for every racer."""
        for trainer in self.trainers.values():
            trainer.configure(**changes)

    def standings(self) -> list[Standing]:
        rows = []
        for rule, t in self.trainers.items():
            w = t.weights
            rows.append(Standing(rule, t.epoch, float(t.history.losses[-1]), t.accuracy(w, "train"),
                                 t.accuracy(w, "test"), t.stop_reason))
        return rows
