"""The trainer: owns the weights, the optimizer state, the RNG and the history.

It can be advanced one mini-batch, one epoch or many epochs at a time, and its hyperparameters
can change between any two steps. A step that would produce a non-finite value is not taken:
the trainer keeps its last finite state and reports the verdict `diverged`.

There is one epoch path: `step_batch` updates on one batch and, at the epoch's last batch, records
the epoch with `_record`. Full-batch runs without shuffling hand whole chunks of epochs to the
fused loop (`gdtui.engine.kernel`), which does the same arithmetic; `_record` records its rows.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np

from . import kernel, penalties
from .config import DATA_FIELDS, ConfigError, TrainConfig
from .data import Dataset, fitted, load_dataset
from .history import History, Rows, mean_loss
from .last_update import LastUpdate
from .losses import Workspace
from .optim import OptState
from .readings import Readings
from .state import Progress, TrainerState

EXPECTED_ROWS = 4_000_000
"""A run makes room in the history for at most this many epochs at once (more grow as they come)."""


class Trainer(Readings):
    """Gradient descent on a linear model (one score, or one per class) over a `Dataset`, as a
    `TrainConfig` describes; from a fresh start, or from a saved `TrainerState`. What it reports
    without changing anything (its position, accuracies, snapshots, the next step's preview) is
    in `Readings`."""

    def __init__(self, data: Dataset, config: TrainConfig, state: TrainerState | None = None) -> None:
        config = fitted(config.validated(), data)
        if config.seed is None:
            config = config.with_changes(seed=int(np.random.SeedSequence().entropy % 2**32))
        self.data = data
        self.config = config
        self._rng = np.random.default_rng(config.seed)
        if data.X_train.shape[1] != config.weight_shape[-1]:
            raise ValueError(f"the data has {data.X_train.shape[1]} columns, the model {config.weight_shape[-1]}")
        if state is None:
            start = config.init_weights
            self.reset(None if start is None else np.array(start, dtype=np.float64).reshape(config.weight_shape))
        else:
            self._continue(state)

    # ---- state -------------------------------------------------------------------------------

    def reset(self, weights: np.ndarray | None = None) -> None:
        """Start again from `weights`, or from a fresh standard-normal draw of the trainer's RNG."""
        shape = self.config.weight_shape
        w = self._rng.standard_normal(shape) if weights is None else np.array(weights, dtype=np.float64)
        zeros = np.zeros(shape)
        self._w, self._opt_state, self._last = w, OptState.zeros(shape), None
        self._p = Progress(epoch_start=w.copy(), direction_sum=zeros, last_step=zeros, last_direction=zeros)
        self._workspace = Workspace(self.batch_rows, w.shape)
        self.history = History(shape, min(self.config.epochs, 100_000))
        row = self.history.reserve(1)
        row.weights[0], row.directions[0], row.steps[0] = w, zeros, zeros
        loss, right = initial_loss(self.loss, self.data.X_train, self.data.y_train, w, self._workspace)
        row.losses[0], row.accuracy[0] = loss, right / len(self.data.y_train)
        row.penalties[0] = self.penalty_at(w)
        row.state[0], row.alphas[0], row.batches[0] = self._opt_state.pack(), self.config.alpha_at(0), 0
        self.history.commit(1, self.config.optimizer)

    def state(self, share_history: bool = False) -> TrainerState:
        """A copy of everything the next steps depend on (see `TrainerState`); with
        `share_history`, the history as read-only views, for a caller that reads it at once (saving)."""
        return TrainerState(weights=self._w.copy(), optimizer_state=self._opt_state,
                            rng=copy.deepcopy(self._rng.bit_generator.state),
                            history=self.history.arrays(share=share_history), **self._p.copied())

    def _continue(self, state: TrainerState) -> None:
        """Take over `state` (consistent with the data and the config: the session codec checks it)."""
        self._rng.bit_generator.state = copy.deepcopy(state.rng)
        self._w, self._opt_state = state.weights.copy(), state.optimizer_state
        self._last = None  # (not kept in a session: `last_update` reads a full-batch epoch back)
        self._p = Progress.of(state)
        if self._p.order is not None:
            self._epoch_X, self._epoch_y = self.data.X_train[self._p.order], self.data.y_train[self._p.order]
        self._workspace = Workspace(self._p.epoch_batch_rows if self._p.batch else self.batch_rows, self._w.shape)
        self.history = History.of(state.history)

    # ---- hyperparameters ---------------------------------------------------------------------

    def configure(self, **changes: Any) -> None:
        """Change alpha, momentum, optimizer, loss, batch_size, shuffle, schedule, epochs, tol or patience.

        Validated first (`ConfigError` leaves everything as it was). A new optimizer starts from
        a fresh state; a new batch size applies from the next epoch. Clears a `diverged` verdict
        so that the learner can try again from the last finite weights.
        """
        fixed = set(DATA_FIELDS) & changes.keys()
        if fixed:
            raise ValueError(f"{', '.join(sorted(fixed))} cannot change on a live trainer")
        new = self.config.with_changes(**changes)
        if new.weight_shape != self.config.weight_shape:
            raise ConfigError("loss", f"a loss with weights of the shape {self.config.weight_shape} on a live trainer "
                              f"({self.config.loss} has them; start a new run for {new.loss})", new.loss)
        if new.optimizer != self.config.optimizer:
            self._opt_state = OptState.zeros(self._w.shape)
        self.config = new
        self._p.diverged = False
        if self._p.batch == 0:
            self._workspace = Workspace(self.batch_rows, self._w.shape)

    # ---- stepping ----------------------------------------------------------------------------

    def step_batch(self) -> bool:
        """One update on the next mini-batch (the whole set in full-batch mode).

        Returns False, with nothing changed and the verdict `diverged`, if the update would
        produce a non-finite loss, direction, weight or optimizer memory.
        """
        if self._p.diverged:  # until configure() or reset() clears the verdict (a retry would reshuffle)
            return False
        if self._p.batch == 0:
            self._start_epoch()
        update = self.next_update()
        if update is None:
            self._p.diverged = True
            return False
        loss, direction, direction_sum, step, new_w, state, rows, penalty = update
        cfg = self.config
        self._last = LastUpdate(cfg.loss, cfg.optimizer, self.alpha_now, cfg.momentum, self._w, self._opt_state,
                                rows[0], rows[1], self._p.order, self._p.epoch + 1, self._p.batch + 1,
                                self._p.epoch_batches, cfg.penalty, cfg.lam)
        self._p.batch_losses.append(loss)
        self._p.batch_penalties.append(penalty)
        self._p.batch_correct += self._workspace.correct
        self._p.direction_sum, self._p.last_direction, self._p.last_step = direction_sum, direction, step
        self._p.last_rows, self._w, self._opt_state = rows, new_w, state
        self._p.batch += 1
        if self._p.batch == self._p.epoch_batches:
            self._finish_epoch()
        return True

    def next_update(self) -> tuple | None:
        """The update on the next batch of the epoch under way, changing nothing: (loss, direction,
        direction sum, step, new weights, new rule memory, rows, penalty), or None if any is not
        finite. The direction includes the penalty's gradient; the loss does not include its value."""
        n, size = len(self.data.y_train), self._p.epoch_batch_rows
        rows = (self._p.batch * size, min(n, (self._p.batch + 1) * size))
        X, y = (self._epoch_X, self._epoch_y) if self._p.order is not None else (self.data.X_train, self.data.y_train)
        with np.errstate(all="ignore"):
            loss, direction = self.loss.evaluate(X[rows[0]:rows[1]], y[rows[0]:rows[1]], self._w, self._workspace)
            penalty = 0.0
            if self.config.penalty != "none":
                penalty, direction = penalties.penalized(self.config.penalty, self.config.lam, self._w, direction)
            step, state = self.rule.update(direction, self._opt_state, self.alpha_now, self.config.momentum)
            new_w = self._w + step
            direction_sum = direction if self._p.batch == 0 else self._p.direction_sum + direction
            # the direction and the weights need no test of their own: the epoch start and the sum
            # before are finite, so a non-finite direction or weight makes the sum or the epoch's
            # step non-finite; the memory is tested too (g*g can overflow while the step stays finite)
            finite = math.isfinite(loss) and math.isfinite(penalty) and all(np.isfinite(a).all() for a in (
                direction_sum, new_w - self._p.epoch_start, state.first, state.second))
        return (loss, direction, direction_sum, step, new_w, state, rows, penalty) if finite else None

    def step_epoch(self) -> bool:
        """Finish the epoch under way (a whole epoch at a boundary). False if it diverged."""
        if self._fusable():
            target = self._p.epoch + 1
            self._run_fused(target)
            if self._p.epoch == target:
                return True
            # the epoch was not finite: step_batch below refuses it and gives the verdict
        while True:
            if not self.step_batch():
                return False
            if self._p.batch == 0:
                return True

    def run(self, epochs: int | None = None, rules: bool = True) -> str | None:
        """Step whole epochs until a stop rule fires or `epochs` more have run (default: up to
        the configured maximum). Returns the stop reason, or None if only the count ran out.
        With `rules` off, tol and patience are set aside for this call (a run continued after one
        of them stopped it); a divergence always stops."""
        target = self.config.epochs if epochs is None else self._p.epoch + epochs
        self.history.expect(min(target - self._p.epoch, EXPECTED_ROWS))
        while self._p.epoch < target:
            if self._fusable():
                reason = self._run_fused(target, rules)
                if reason is not None:
                    return reason
                if self._p.epoch >= target:
                    break
            if not self.step_epoch():
                return "diverged"
            reason = self.stop_reason
            if reason is not None and reason != "epochs" and rules:
                return reason
        reason = self.stop_reason
        if not rules and reason in ("tol", "patience"):
            reason = "epochs" if self._p.epoch >= self.config.epochs else None
        return reason

    def _fusable(self) -> bool:
        return (not self._p.diverged and self._p.batch == 0 and not self.config.shuffle
                and self.batch_rows == len(self.data.y_train) and self.config.penalty == "none")

    def _start_epoch(self) -> None:
        self._p.epoch_start = self._w.copy()
        self._p.epoch_batch_rows = self.batch_rows
        self._p.epoch_batches = self.batches_per_epoch
        self._p.batch_losses, self._p.batch_correct, self._p.batch_penalties = [], 0, []
        self._p.order = self._rng.permutation(len(self.data.y_train)) if self.config.shuffle else None
        if self._p.order is not None:
            self._epoch_X, self._epoch_y = self.data.X_train[self._p.order], self.data.y_train[self._p.order]

    def _finish_epoch(self) -> None:
        rows = self.history.reserve(1)
        rows.weights[0], rows.directions[0], rows.steps[0] = self._w, self._p.direction_sum, self._w - self._p.epoch_start
        rows.losses[0], rows.accuracy[0] = mean_loss(self._p.batch_losses), self._p.batch_correct / len(self.data.y_train)
        rows.state[0], rows.alphas[0] = self._opt_state.pack(), self.config.alpha_at(self._p.epoch)
        rows.batches[0] = self._p.epoch_batches
        rows.penalties[0] = mean_loss(self._p.batch_penalties)
        self._record(rows, 1, self._opt_state, self._p.last_step, self._p.last_direction)

    def _run_fused(self, target: int, rules: bool = True) -> str | None:
        """Full-batch epochs up to epoch `target`, a chunk at a time, through the fused loop.
        Returns 'tol' or 'patience' if one fired. If an epoch is not finite, the epochs before it
        are recorded and None is returned, so that `step_epoch` retakes that epoch and diverges
        exactly as a stepped run does."""
        cfg, rule = self.config, self.rule
        while self._p.epoch < target:
            count = min(kernel.CHUNK_EPOCHS, target - self._p.epoch)
            rows = self.history.reserve(count)
            stops = kernel.Stops(cfg.tol if rules else None, cfg.patience if rules else None, self._p.best_loss,
                                 self._p.best_epoch)
            with np.errstate(all="ignore"):
                ran, fired = kernel.full_batch_epochs(
                    self.data.X_train, self.data.y_train, self.loss, rule, self._w, self._opt_state, cfg.alpha_at,
                    cfg.schedule != "constant", self._p.epoch, cfg.momentum, rows, count, stops, self._workspace)
                good = kernel.finite_prefix(rows, ran, self._w, rule.name == "gd")
            if good:
                rows.accuracy[:good] = math.nan  # (measured when read: see `train_accuracy`)
                rows.batches[:good] = 1
                rows.penalties[:good] = 0.0  # (no penalty: the loop does not run with one)
                after, before, last_step = kernel.chunk_end(rows, good, self._opt_state, rule, cfg.momentum)
                self._record(rows, good, after, last_step, rows.directions[good - 1].copy())
                self._last = LastUpdate(cfg.loss, cfg.optimizer, float(rows.alphas[good - 1]), cfg.momentum,
                                        self._p.epoch_start, before, 0, len(self.data.y_train), None,
                                        self._p.epoch, 1, 1)
                self._p.order, self._p.last_rows = None, (0, len(self.data.y_train))
                self._p.epoch_batch_rows, self._p.epoch_batches, self._p.batch_losses = self.batch_rows, 1, []
                self._p.batch_penalties = []
            if good < ran:
                return None
            if fired is not None:
                return fired
        return None

    def _record(self, rows: Rows, count: int, state: OptState, last_step: np.ndarray,
                last_direction: np.ndarray) -> None:
        """Record `count` epochs written into `rows` and bring the trainer to the end of the last,
        whose last update took `last_step` along `last_direction` leaving the rule's memory
        `state`: the one way every epoch, stepped or fused, enters the history."""
        self.history.commit(count, self.config.optimizer)
        losses = rows.losses[:count]
        best = int(np.argmin(losses))
        if losses[best] < self._p.best_loss:
            self._p.best_loss, self._p.best_epoch = float(losses[best]), self._p.epoch + best + 1
        self._p.epoch_start = self._w.copy() if count == 1 else rows.weights[count - 2].copy()
        self._w = rows.weights[count - 1].copy()
        self._p.last_direction, self._p.last_step = last_direction, last_step
        self._opt_state, self._p.epoch, self._p.batch = state, self._p.epoch + count, 0
        self._p.direction_sum = np.zeros(self._w.shape)
        if self._workspace.rows != self.batch_rows:
            self._workspace = Workspace(self.batch_rows, self._w.shape)

    def fork(self, epoch: int) -> int:
        """Go back to the end of `epoch` and continue from there: the weights and optimizer state
        recorded then are restored, and every later epoch (and any partial epoch) is forgotten.
        The current settings stay (a different rule than then starts from a fresh state).
        Returns how many recorded epochs were discarded."""
        if not 0 <= epoch <= self._p.epoch:
            raise ValueError(f"epoch {epoch} is not in the history (0..{self._p.epoch})")
        history = self.history
        discarded = self._p.epoch - epoch
        rule, state = history.optimizer_at(epoch)
        self._w = history.weights[epoch].copy()
        self._opt_state = state if rule == self.config.optimizer else OptState.zeros(self._w.shape)
        self._p.last_step, self._p.last_direction = history.steps[epoch].copy(), history.directions[epoch].copy()
        self._last = None  # (`last_update` reads the epoch forked from back from the history)
        self._p.last_rows, self._p.epoch, self._p.batch, self._p.order, self._p.diverged = (0, 0), epoch, 0, None, False
        history.truncate(epoch + 1)
        losses = history.losses[1:]
        self._p.best_epoch = int(np.argmin(losses)) + 1 if len(losses) else 0
        self._p.best_loss = float(losses[self._p.best_epoch - 1]) if len(losses) else math.inf
        self._workspace = Workspace(self.batch_rows, self._w.shape)
        return discarded

def initial_loss(loss, X: np.ndarray, y: np.ndarray, w: np.ndarray, work: Workspace) -> tuple[float, int]:
    """The loss at `w` measured as an epoch measures it (the same kernel, the mean over batches of
    `work.rows`), so that row 0 and a full-batch epoch 1 agree to the bit (inf if not finite), and
    how many rows `w` classifies right."""
    size, losses, right = work.rows, [], 0
    with np.errstate(all="ignore"):
        for i in range(0, len(y), size):
            losses.append(loss.evaluate(X[i:i + size], y[i:i + size], w, work)[0])
            right += work.correct
        value = mean_loss(losses)
    return (value if math.isfinite(value) else math.inf), right


def create_trainer(config: TrainConfig) -> Trainer:
    """The one factory the CLI and the app both use: validate, load the data, build the trainer."""
    config = config.validated()
    return Trainer(load_dataset(config), config)
