"""What a trainer reports without changing anything: where it stands, what its weights predict and
how often they are right, snapshots for the screen, and where the next update would go.

`Readings` is the read-only half of `Trainer` (gdtui.engine.trainer), which owns the state these
read: the weights `_w`, the rule's memory `_opt_state`, the RNG, the progress `_p` and the history.
"""

from __future__ import annotations

import copy

import numpy as np

from . import penalties, predict
from .config import BINARY_LOSSES, CLASS_LOSSES
from .last_update import LastUpdate, from_history
from .losses import Workspace
from .multiclass import loss_named
from .optim import RULES, OptState
from .snapshot import Snapshot, plain, snapshot_at, snapshot_now

STOP_REASONS = ("epochs", "tol", "patience", "diverged")


class Readings:
    """Properties and measurements of a `Trainer`."""

    @property
    def loss(self):
        return loss_named(self.config.loss)

    @property
    def rule(self):
        return RULES[self.config.optimizer]

    @property
    def weights(self) -> np.ndarray:
        return self._w.copy()

    @property
    def epoch(self) -> int:
        return self._p.epoch

    @property
    def batch(self) -> int:
        return self._p.batch

    @property
    def batch_rows(self) -> int:
        n = len(self.data.y_train)
        return n if self.config.batch_size is None else min(self.config.batch_size, n)

    @property
    def batches_per_epoch(self) -> int:
        if self._p.batch:  # an epoch under way keeps the batch count it started with
            return self._p.epoch_batches
        return -(-len(self.data.y_train) // self.batch_rows)

    @property
    def alpha_now(self) -> float:
        """The alpha of the epoch under way (or of the next one): the schedule applied to the base alpha."""
        return self.config.alpha_at(self._p.epoch)

    @property
    def diverged(self) -> bool:
        return self._p.diverged

    @property
    def stop_reason(self) -> str | None:
        """Why training should stop now, or None: diverged, tol, patience or epochs, first that holds."""
        if self._p.diverged:
            return "diverged"
        if self._p.batch:
            return None
        cfg = self.config
        if cfg.tol is not None and self._p.epoch and self.history.losses[-1] < cfg.tol:
            return "tol"
        if cfg.patience is not None and self._p.epoch - self._p.best_epoch >= cfg.patience:
            return "patience"
        if self._p.epoch >= cfg.epochs:
            return "epochs"
        return None

    def last_batch_rows(self) -> np.ndarray:
        """Indices into the training rows of the batch the last update used."""
        rows = np.arange(*self._p.last_rows)
        return rows if self._p.order is None else self._p.order[rows]

    def last_update(self, epoch: int | None = None) -> LastUpdate | None:
        """The inputs of the update that led to the state shown: the latest update (`epoch` None or
        the current epoch at its end), or the one that ended recorded `epoch`. None before any
        update, and where they cannot be had: a mini-batch epoch of the history (only its end is
        recorded), or the last update before a session was resumed unless it made a full-batch
        epoch (read back from the history, and accepted only if it reproduces the record)."""
        latest = self._p.epoch if self._p.batch == 0 else None
        if epoch is None or (epoch == latest and self._last is not None and self._last.epoch == epoch):
            if self._last is not None:
                return self._last
            epoch = latest
        if epoch is None or epoch == 0:
            return None
        cfg = self.config
        family = CLASS_LOSSES if cfg.multiclass else BINARY_LOSSES  # (the losses a live trainer may switch to)
        losses = (cfg.loss,) + tuple(name for name in family if name != cfg.loss)
        return from_history(self.history, epoch, self.data.X_train, self.data.y_train, losses, cfg.momentum,
                            (cfg.penalty, cfg.lam))

    def accuracy(self, weights: np.ndarray, split: str = "train") -> float:
        """Share of rows of `split` ('train' or 'test') that `weights` classify right."""
        X, y = (self.data.X_train, self.data.y_train) if split == "train" else (self.data.X_test, self.data.y_test)
        return predict.accuracy(X, y, weights)

    def measure(self, weights: np.ndarray) -> tuple[float, float]:
        """The printed loss over all training rows at `weights` (inf if not finite) and the share
        of them classified right, from one pass of the training kernel: what a full-batch epoch
        starting there would record."""
        X, y = self.data.X_train, self.data.y_train
        work = Workspace(len(y), np.shape(weights))
        with np.errstate(all="ignore"):
            loss, _ = self.loss.evaluate(X, y, np.asarray(weights, dtype=np.float64), work)
        return (loss if np.isfinite(loss) else np.inf), work.correct / len(y)

    def penalty_at(self, weights: np.ndarray) -> float:
        """The configured penalty's value at `weights` (0 without one)."""
        return penalties.value(self.config.penalty, self.config.lam, weights)

    def train_accuracy(self) -> np.ndarray:
        """(epochs + 1,) the training accuracy of every recorded epoch, counted with the weights in
        force during it; the rows the fused loop left unmeasured are measured now."""
        rows = self.history.unmeasured()
        if len(rows):
            before = self.history.weights[rows - 1]  # (a full-batch epoch: the weights before it)
            self.history.measured(rows, predict.accuracies(self.data.X_train, self.data.y_train, before))
        return self.history.recorded_accuracy

    def predict(self, weights: np.ndarray, split: str = "test") -> np.ndarray:
        """Class 0/1 per row of `split`."""
        return predict.predict(self.data.X_train if split == "train" else self.data.X_test, weights)

    def next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows (X, y) the next update will use, nothing consumed: the rest of the epoch under
        way, or the first batch of the next epoch (shuffled as its draw will shuffle it)."""
        X, y = self.data.X_train, self.data.y_train
        if self._p.batch:
            size, start = self._p.epoch_batch_rows, self._p.batch * self._p.epoch_batch_rows
            if self._p.order is not None:
                X, y = self._epoch_X, self._epoch_y
            return X[start:start + size], y[start:start + size]
        size = self.batch_rows
        if self.config.shuffle:
            order = copy.deepcopy(self._rng).permutation(len(y))[:size]  # the draw the next epoch will make
            return X[order], y[order]
        return X[:size], y[:size]

    def preview(self, alphas: tuple[float, ...]) -> list[tuple | None]:
        """The weights the next update would reach with each alpha, without changing anything;
        None where they would not be finite."""
        X, y = self.next_batch()
        with np.errstate(all="ignore"):
            _, direction = self.loss.evaluate(X, y, self._w, Workspace(len(y), self._w.shape))
            if self.config.penalty != "none":
                _, direction = penalties.penalized(self.config.penalty, self.config.lam, self._w, direction)
            reached = [self._w + self.rule.update(direction, self._opt_state, alpha, self.config.momentum)[0]
                       for alpha in alphas]
        return [plain(w) if np.isfinite(w).all() else None for w in reached]

    def snapshot(self) -> Snapshot:
        """The trainer as it stands now."""
        return snapshot_now(self)

    def snapshot_at(self, epoch: int) -> Snapshot:
        """The trainer as it stood at the end of a recorded `epoch` (for rewinding)."""
        return snapshot_at(self, epoch)

    @property
    def last_step(self) -> np.ndarray:
        """What the last update added to the weights."""
        return self._p.last_step

    @property
    def last_direction(self) -> np.ndarray:
        """The update direction of the last update."""
        return self._p.last_direction

    @property
    def optimizer_state(self) -> OptState:
        """The update rule's memory after the last update."""
        return self._opt_state


