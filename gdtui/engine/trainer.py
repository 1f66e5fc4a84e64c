"""The trainer: owns the weights, the optimizer state, the RNG and the history.

It can be advanced one mini-batch, one epoch or many epochs at a time, and its hyperparameters
can change between any two steps. A step that would produce a non-finite value is not taken:
the trainer keeps its last finite state and reports the verdict `diverged`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .config import DATA_FIELDS, TrainConfig
from .data import Dataset, load_dataset
from .history import History
from .losses import BLOCK_ROWS, LOSSES, Workspace, predicted_right, sse_rows
from .optim import OPTIMIZERS, OptState

STOP_REASONS = ("epochs", "tol", "patience", "diverged")
CHUNK_EPOCHS = 2048
"""A full-batch `run()` records this many epochs at a time in bulk (see `Trainer._run_full_batch`)."""


@dataclass(frozen=True)
class Snapshot:
    """An immutable picture of the trainer for the UI: plain floats and tuples, no arrays."""

    epoch: int
    batch: int
    """Batches done in the epoch under way (0 at an epoch boundary)."""
    batches_per_epoch: int
    weights: tuple[float, float, float]
    last_step: tuple[float, float, float]
    """The change of the weights made by the last update (batch or epoch)."""
    direction: tuple[float, float, float]
    """The update direction (loss gradient, see `gdtui.engine.losses`) of the last update."""
    loss: float
    """The lesson's loss of the last finished epoch (epoch 0: the loss at the initial weights)."""
    train_accuracy: float
    test_accuracy: float
    """Accuracies of the current weights."""
    alpha: float
    """The alpha in force (live: for the next update; rewound: during that epoch)."""
    schedule: str
    """The learning-rate schedule's name (`gdtui.engine.schedules.describe` says more)."""
    momentum: float
    optimizer: str
    loss_name: str
    batch_size: int | None
    optimizer_state: tuple[tuple[str, str, tuple[float, float, float]], ...]
    """(symbol, meaning, value) for each piece of state the update rule keeps."""
    stop_reason: str | None

    @property
    def direction_norm(self) -> float:
        return math.hypot(*self.direction)


class Trainer:
    """Gradient descent on one sigmoid unit over a `Dataset`, as a `TrainConfig` describes."""

    def __init__(self, data: Dataset, config: TrainConfig) -> None:
        config = config.validated()
        if config.seed is None:
            config = config.with_changes(seed=int(np.random.SeedSequence().entropy % 2**32))
        self.data = data
        self.config = config
        self._rng = np.random.default_rng(config.seed)
        first = np.array(config.init_weights, dtype=np.float64) if config.init_weights else None
        self.reset(first)

    # ---- state -------------------------------------------------------------------------------

    def reset(self, weights: np.ndarray | None = None) -> None:
        """Start again from `weights`, or from a fresh standard-normal draw of the trainer's RNG."""
        w = self._rng.standard_normal(3) if weights is None else np.array(weights, dtype=np.float64)
        self._w = w
        self._opt_state = OptState()
        self._epoch = 0
        self._batch = 0
        self._order: np.ndarray | None = None
        self._batch_losses: list[float] = []
        self._batch_correct = 0
        self._epoch_start = w.copy()
        self._direction_sum = np.zeros(3)
        self._last_step = np.zeros(3)
        self._last_direction = np.zeros(3)
        self._last_rows = slice(0, 0)
        self._best_loss = math.inf
        self._best_epoch = 0
        self._diverged = False
        self._workspace = Workspace(self.batch_rows)
        self._check = np.zeros((4, 3))
        self._accuracy_work: Workspace | None = None
        self.history = History(min(self.config.epochs, 100_000))
        self.history.accuracy_source = self._accuracy_during
        self.history.append(w, np.zeros(3), np.zeros(3), self._initial_loss(w), self.accuracy(w, "train"),
                            self._opt_state, self.config.optimizer, self.config.alpha_at(0))

    def _initial_loss(self, w: np.ndarray) -> float:
        """The loss at `w` measured as an epoch measures it (the same kernel, the mean over
        mini-batches), so that row 0 and the epochs after it agree to the bit where they measure
        the same weights (a full-batch epoch 1); inf if not finite."""
        X, y, size = self.data.X_train, self.data.y_train, self.batch_rows
        work = self._workspace
        with np.errstate(all="ignore"):
            losses = [self.loss.evaluate(X[i:i + size], y[i:i + size], w, work)[0] for i in range(0, len(y), size)]
            loss = float(np.mean(losses)) if len(losses) > 1 else float(losses[0])
        return loss if math.isfinite(loss) else math.inf

    @property
    def loss(self):
        return LOSSES[self.config.loss]

    @property
    def optimizer(self):
        return OPTIMIZERS[self.config.optimizer]

    @property
    def weights(self) -> np.ndarray:
        return self._w.copy()

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def batch(self) -> int:
        return self._batch

    @property
    def batch_rows(self) -> int:
        n = len(self.data.y_train)
        return n if self.config.batch_size is None else min(self.config.batch_size, n)

    @property
    def batches_per_epoch(self) -> int:
        if self._batch:  # an epoch under way keeps the batch count it started with
            return self._epoch_batches
        return -(-len(self.data.y_train) // self.batch_rows)

    @property
    def alpha_now(self) -> float:
        """The alpha of the epoch under way (or of the next one): the schedule applied to the base alpha."""
        return self.config.alpha_at(self._epoch)

    @property
    def diverged(self) -> bool:
        return self._diverged

    @property
    def stop_reason(self) -> str | None:
        """Why training should stop now, or None: diverged, tol, patience or epochs, first that holds."""
        if self._diverged:
            return "diverged"
        if self._batch:
            return None
        cfg = self.config
        if cfg.tol is not None and self._epoch and self.history.losses[-1] < cfg.tol:
            return "tol"
        if cfg.patience is not None and self._epoch - self._best_epoch >= cfg.patience:
            return "patience"
        if self._epoch >= cfg.epochs:
            return "epochs"
        return None

    def last_batch_rows(self) -> np.ndarray:
        """Indices into the training rows of the batch the last update used."""
        rows = np.arange(len(self.data.y_train))[self._last_rows]
        return rows if self._order is None else self._order[rows]

    def accuracy(self, weights: np.ndarray, split: str = "train") -> float:
        """Share of rows of `split` ('train' or 'test') that sigmoid(X @ w) > 0.5 classifies right."""
        X, y = (self.data.X_train, self.data.y_train) if split == "train" else (self.data.X_test, self.data.y_test)
        weights = np.asarray(weights, dtype=np.float64)
        if len(y) <= BLOCK_ROWS:
            with np.errstate(all="ignore"):
                return float(np.count_nonzero((X @ weights > 0) == (y > 0.5))) / len(y)
        work = self._accuracy_buffers()
        z, hit, truth = work.t, work.hit, work.truth
        right = 0
        with np.errstate(all="ignore"):
            for start in range(0, len(y), BLOCK_ROWS):  # in cache-sized blocks: no data-sized temporaries
                stop = min(len(y), start + BLOCK_ROWS)
                k = stop - start
                np.dot(X[start:stop], weights, out=z[:k])
                np.greater(z[:k], 0.0, out=hit[:k])
                np.greater(y[start:stop], 0.5, out=truth[:k])
                np.equal(hit[:k], truth[:k], out=hit[:k])
                right += int(np.count_nonzero(hit[:k]))
        return right / len(y)

    def _accuracy_buffers(self) -> Workspace:
        if self._accuracy_work is None:
            self._accuracy_work = Workspace(BLOCK_ROWS)
        return self._accuracy_work

    def _accuracy_during(self, weights: np.ndarray) -> float:
        """The training accuracy an epoch records for the weights in force during it (p > 0.5,
        with the arithmetic of the loss kernels); the history measures its bulk-written rows so."""
        with np.errstate(all="ignore"):
            right = predicted_right(self.data.X_train, self.data.y_train, -weights, self._accuracy_buffers())
        return right / len(self.data.y_train)

    def predict(self, weights: np.ndarray, split: str = "test") -> np.ndarray:
        """Class 0/1 per row of `split`."""
        X = self.data.X_train if split == "train" else self.data.X_test
        with np.errstate(all="ignore"):
            return (X @ weights > 0).astype(np.int64)

    # ---- hyperparameters ---------------------------------------------------------------------

    def configure(self, **changes: Any) -> None:
        """Change alpha, momentum, optimizer, loss, batch_size, shuffle, epochs, tol or patience.

        Validated first (`ConfigError` leaves everything as it was). A new optimizer starts from
        a fresh state; a new batch size applies from the next epoch. Clears a `diverged` verdict
        so that the learner can try again from the last finite weights.
        """
        fixed = set(DATA_FIELDS) & changes.keys()
        if fixed:
            raise ValueError(f"{', '.join(sorted(fixed))} cannot change on a live trainer")
        new = self.config.with_changes(**changes)
        if new.optimizer != self.config.optimizer:
            self._opt_state = OptState()
        self.config = new
        self._diverged = False
        if self._batch == 0:
            self._workspace = Workspace(self.batch_rows)

    # ---- stepping ----------------------------------------------------------------------------

    def step_batch(self) -> bool:
        """One update on the next mini-batch (the whole set in full-batch mode).

        Returns False, with nothing changed and the verdict `diverged`, if the update would
        produce a non-finite loss, direction or weight.
        """
        if self._diverged:  # until configure() or reset() clears the verdict (a retry would reshuffle)
            return False
        if self._batch == 0:
            self._start_epoch()
        X, y = self.data.X_train, self.data.y_train
        n, size = len(y), self._epoch_batch_rows
        rows = slice(self._batch * size, min(n, (self._batch + 1) * size))
        if self._order is not None:
            Xb, yb = self._epoch_X[rows], self._epoch_y[rows]
        else:
            Xb, yb = X[rows], y[rows]
        saved_state = self._opt_state.copy()
        check = self._check
        with np.errstate(all="ignore"):
            loss, direction = self.loss.evaluate(Xb, yb, self._w, self._workspace)
            step = self.optimizer.update(direction, self._opt_state, self.alpha_now, self.config.momentum)
            new_w = self._w + step
            direction_sum = self._direction_sum + direction  # the epoch's record must stay finite too
            np.subtract(new_w, self._epoch_start, out=check[0])  # the epoch's step
        # One test for everything the update produced. The direction and the new weights need no
        # test of their own: the epoch start and the earlier sum are finite, so a non-finite
        # direction or weight makes the sum or the epoch's step non-finite. The rule's memory is
        # tested too: g*g can overflow while the step stays finite.
        state = self._opt_state
        check[1], check[2], check[3] = direction_sum, state.first, state.second
        if not (math.isfinite(loss) and np.isfinite(check).all()):
            self._opt_state = saved_state
            self._diverged = True
            return False
        self._batch_losses.append(loss)
        self._batch_correct += self._workspace.correct
        self._direction_sum = direction_sum
        self._last_direction = direction
        self._last_step = step
        self._last_rows = rows
        self._w = new_w
        self._batch += 1
        if self._batch == self._epoch_batches:
            self._finish_epoch()
        return True

    def step_epoch(self) -> bool:
        """Finish the epoch under way (a whole epoch at a boundary). False if it diverged."""
        if self._fusable():  # a whole full-batch epoch: the fused path records it for less
            target = self._epoch + 1
            self._run_full_batch(target)
            if self._epoch == target:
                return True
            # the epoch was not finite: step_batch below refuses it and gives the verdict
        while True:
            if not self.step_batch():
                return False
            if self._batch == 0:
                return True

    def run(self, epochs: int | None = None) -> str | None:
        """Step whole epochs until a stop rule fires or `epochs` more have run (default: up to
        the configured maximum). Returns the stop reason, or None if only the count ran out.

        Full-batch runs without shuffling take a fused path that records the same history, to
        the bit, as stepping epoch by epoch would (see `_run_full_batch`)."""
        target = self.config.epochs if epochs is None else self._epoch + epochs
        while self._epoch < target:
            if self._fusable():
                reason = self._run_full_batch(target)
                if reason is not None:
                    return reason
                if self._epoch >= target:
                    break
            if not self.step_epoch():
                return "diverged"
            reason = self.stop_reason
            if reason is not None and reason != "epochs":
                return reason
        return self.stop_reason

    def _fusable(self) -> bool:
        return (not self._diverged and self._batch == 0 and not self.config.shuffle
                and self.batch_rows == len(self.data.y_train))

    def _run_full_batch(self, target: int) -> str | None:
        """Full-batch epochs up to epoch `target`, written into the history in chunks.

        Each epoch does exactly the arithmetic of `step_batch` (the same kernel, the same update),
        but without the per-epoch bookkeeping: the losses, directions and weights go straight into
        reserved history rows, and the finiteness tests run once per chunk over its rows. Returns
        'tol' or 'patience' if one fired. If an epoch was not finite, the epochs before it are
        recorded and None is returned, so that `step_epoch` retakes that epoch and diverges exactly
        as a stepped run does; the training accuracy of the recorded epochs is measured when the
        history is first asked for it.
        """
        cfg = self.config
        tol, patience = cfg.tol, cfg.patience
        while self._epoch < target:
            count = min(CHUNK_EPOCHS, target - self._epoch)
            rows = self.history.reserve(count)
            start_state = self._opt_state.copy()
            with np.errstate(all="ignore"):
                ran, fired = self._fused_epochs(rows, count, tol, patience)
                good = self._finite_prefix(rows, ran)
            if good < ran:
                fired = None
                self._opt_state = OptState(rows.state[good - 1, :3].copy(), rows.state[good - 1, 3:6].copy(),
                                           int(rows.state[good - 1, 6])) if good else start_state
            if good:
                with np.errstate(all="ignore"):
                    self._commit_fused(rows, good, start_state)
            if good < ran:
                return None  # step_epoch retakes the epoch that was not finite
            if fired is not None:
                return fired
        return None

    def _fused_epochs(self, rows, count: int, tol: float | None, patience: int | None) -> tuple[int, str | None]:
        """Up to `count` epochs into `rows`; stops after the epoch on which tol or patience fires.
        Returns (epochs run, the rule that fired or None)."""
        X, y = self.data.X_train, self.data.y_train
        cfg, loss_fn = self.config, self.loss
        gd = cfg.optimizer == "gd"
        work = self._workspace
        negated = rows.weights  # the weights are kept negated while running: see gdtui.engine.losses
        np.negative(self._w, out=self._check[0])
        previous = self._check[0]
        directions, losses, states = rows.directions, rows.losses, rows.state
        small_sse = loss_fn.name == "sse" and len(y) <= BLOCK_ROWS
        if small_sse:
            t, p, e = work.t[: len(y)], work.p[: len(y)], work.e[: len(y)]
        kernel = loss_fn.kernel
        update, state, momentum = self.optimizer.update, self._opt_state, cfg.momentum
        alpha_at, alphas = cfg.alpha_at, rows.alphas
        scheduled = cfg.schedule != "constant"
        alpha = cfg.alpha
        rate = np.array(alpha)  # gd multiplies by a 0-d array: half the cost of a Python float
        if not scheduled:  # (the common case pays nothing per epoch for schedules)
            alphas[:count] = alpha
        scaled = self._check[1]
        watch = tol is not None or patience is not None
        best_loss, best_epoch, epoch = self._best_loss, self._best_epoch, self._epoch
        first = epoch
        for i in range(count):
            if scheduled:
                alphas[i] = rate[...] = alpha = alpha_at(first + i)
            g, following = directions[i], negated[i]
            if small_sse:
                loss = sse_rows(X, y, previous, t, p, e, g)
            else:
                loss = kernel(X, y, previous, work, g)
            losses[i] = loss
            if gd:  # W -= alpha g, i.e. -W += alpha g: the same rounding, negated
                np.multiply(g, rate, out=scaled)
                np.add(previous, scaled, out=following)
            else:
                np.subtract(previous, update(g, state, alpha, momentum), out=following)
                row = states[i]
                row[:3], row[3:6], row[6] = state.first, state.second, state.steps
            previous = following
            if watch:
                epoch += 1
                if loss < best_loss:
                    best_loss, best_epoch = loss, epoch
                if tol is not None and loss < tol:
                    return i + 1, "tol"
                if patience is not None and epoch - best_epoch >= patience:
                    return i + 1, "patience"
        return count, None

    def _finite_prefix(self, rows, ran: int) -> int:
        """Turn the negated weights of the first `ran` rows into the weights and their steps;
        returns how many leading rows are finite throughout."""
        weights, steps = rows.weights[:ran], rows.steps[:ran]
        np.negative(weights, out=weights)
        if ran:
            np.subtract(weights[0], self._w, out=steps[0])
            np.subtract(weights[1:], weights[:-1], out=steps[1:])
        finite = np.isfinite(rows.losses[:ran])
        finite &= np.isfinite(rows.directions[:ran]).all(axis=1)
        finite &= np.isfinite(steps).all(axis=1)  # with finite weights before them: the weights too
        if self.config.optimizer != "gd":
            finite &= np.isfinite(rows.state[:ran, :6]).all(axis=1)
        return ran if finite.all() else int(np.argmin(finite))

    def _commit_fused(self, rows, count: int, start_state: OptState) -> None:
        """Record `count` fused epochs and bring the trainer to the state after the last
        (`start_state`: the rule's state before the first)."""
        cfg = self.config
        last = count - 1
        alpha = float(rows.alphas[last])
        g = rows.directions[last].copy()
        self._last_direction = g
        self._direction_sum = g + 0.0
        np.add(rows.directions[:count], 0.0, out=rows.directions[:count])  # the epoch's sum 0 + g, as stepped
        if cfg.optimizer == "gd":
            self._opt_state.steps += count
            states = rows.state[:count]
            states[:, :3], states[:, 3:6] = self._opt_state.first, self._opt_state.second
            states[:, 6] = np.arange(self._opt_state.steps - last, self._opt_state.steps + 1)
            self._last_step = -alpha * g
        else:
            # the step the rule took last, retaken from its state before that epoch (deterministic)
            before = start_state.copy() if last == 0 else OptState(
                rows.state[last - 1, :3].copy(), rows.state[last - 1, 3:6].copy(), int(rows.state[last - 1, 6]))
            self._last_step = self.optimizer.update(g, before, alpha, cfg.momentum)
        losses = rows.losses[:count]
        best = int(np.argmin(losses))
        if losses[best] < self._best_loss:
            self._best_loss, self._best_epoch = float(losses[best]), self._epoch + best + 1
        self._epoch_start = self._w if count == 1 else rows.weights[last - 1].copy()
        self._w = rows.weights[last].copy()
        self._epoch += count
        self._batch = 0
        self._order = None
        self._last_rows = slice(0, len(self.data.y_train))
        self._batch_losses = [float(losses[last])]
        self._epoch_batch_rows = self.batch_rows
        self._epoch_batches = 1
        self.history.commit(count, cfg.optimizer)

    def _start_epoch(self) -> None:
        self._epoch_start = self._w.copy()
        self._epoch_batch_rows = self.batch_rows
        self._epoch_batches = self.batches_per_epoch
        self._batch_losses = []
        self._batch_correct = 0
        self._direction_sum = np.zeros(3)
        if self.config.shuffle:
            self._order = self._rng.permutation(len(self.data.y_train))
            self._epoch_X = self.data.X_train[self._order]
            self._epoch_y = self.data.y_train[self._order]
        else:
            self._order = None

    def _finish_epoch(self) -> None:
        self._batch = 0
        self._epoch += 1
        with np.errstate(over="ignore"):
            loss = float(np.mean(self._batch_losses)) if len(self._batch_losses) > 1 else self._batch_losses[0]
        if not math.isfinite(loss):  # the sum of finite batch losses overflowed; their mean cannot
            loss = float(np.sum(np.divide(self._batch_losses, len(self._batch_losses))))
        accuracy = self._batch_correct / len(self.data.y_train)
        self.history.append(self._w, self._direction_sum, self._w - self._epoch_start, loss, accuracy,
                            self._opt_state, self.config.optimizer, self.config.alpha_at(self._epoch - 1))
        if loss < self._best_loss:
            self._best_loss, self._best_epoch = loss, self._epoch
        if self._workspace.rows != self.batch_rows:
            self._workspace = Workspace(self.batch_rows)

    def fork(self, epoch: int) -> int:
        """Go back to the end of `epoch` and continue from there: the weights and optimizer state
        recorded then are restored, and every later epoch (and any partial epoch) is forgotten.
        The current settings stay (a different rule than then starts from a fresh state).
        Returns how many recorded epochs were discarded."""
        if not 0 <= epoch <= self._epoch:
            raise ValueError(f"epoch {epoch} is not in the history (0..{self._epoch})")
        history = self.history
        discarded = self._epoch - epoch
        rule, state = history.optimizer_at(epoch)
        self._w = history.weights[epoch].copy()
        self._opt_state = state if rule == self.config.optimizer else OptState()
        self._last_step = history.steps[epoch].copy()
        self._last_direction = history.directions[epoch].copy()
        self._last_rows = slice(0, 0)
        self._epoch, self._batch, self._order = epoch, 0, None
        self._diverged = False
        history.truncate(epoch + 1)
        losses = history.losses[1:]
        self._best_epoch = int(np.argmin(losses)) + 1 if len(losses) else 0
        self._best_loss = float(losses[self._best_epoch - 1]) if len(losses) else math.inf
        self._workspace = Workspace(self.batch_rows)
        return discarded

    def preview(self, alphas: tuple[float, ...]) -> list[tuple[float, float, float] | None]:
        """The weights the next update (next mini-batch, or the epoch in full-batch mode) would
        reach with each alpha, without changing anything; None where it would not be finite."""
        X, y = self.data.X_train, self.data.y_train
        size = self._epoch_batch_rows if self._batch else self.batch_rows
        if self._batch and self._order is not None:
            X, y = self._epoch_X, self._epoch_y
        elif not self._batch and self.config.shuffle:
            order = copy.deepcopy(self._rng).permutation(len(y))  # the draw the next epoch will make
            X, y = X[order[:size]], y[order[:size]]
        rows = slice(self._batch * size, (self._batch + 1) * size) if self._batch else slice(0, size)
        with np.errstate(all="ignore"):
            _, direction = self.loss.evaluate(X[rows], y[rows], self._w, Workspace(size))
            reached = []
            for alpha in alphas:
                w = self._w + self.optimizer.update(direction, self._opt_state.copy(), alpha, self.config.momentum)
                reached.append(tuple(w.tolist()) if np.isfinite(w).all() else None)
        return reached

    # ---- reading -----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The trainer as it stands now."""
        cfg = self.config
        return self._snapshot(self._epoch, self._batch, self._w, self._last_step, self._last_direction,
                              float(self.history.losses[-1]), self.alpha_now, cfg.optimizer, self._opt_state,
                              self.stop_reason)

    def snapshot_at(self, epoch: int) -> Snapshot:
        """The trainer as it stood at the end of a recorded `epoch` (for rewinding), read from the
        history without copying any data."""
        if not 0 <= epoch < len(self.history):
            raise ValueError(f"epoch {epoch} is not in the history (0..{len(self.history) - 1})")
        h = self.history
        rule, state = h.optimizer_at(epoch)
        return self._snapshot(epoch, 0, h.weights[epoch], h.steps[epoch], h.directions[epoch],
                              float(h.losses[epoch]), float(h.alphas[epoch]), rule, state, None)

    def _snapshot(self, epoch: int, batch: int, w: np.ndarray, step: np.ndarray, direction: np.ndarray,
                  loss: float, alpha: float, rule: str, state: OptState, stop: str | None) -> Snapshot:
        cfg = self.config
        labels = OPTIMIZERS[rule].state_labels
        return Snapshot(
            epoch=epoch, batch=batch, batches_per_epoch=self.batches_per_epoch,
            weights=tuple(w.tolist()), last_step=tuple(step.tolist()), direction=tuple(direction.tolist()),
            loss=loss, train_accuracy=self.accuracy(w, "train"), test_accuracy=self.accuracy(w, "test"),
            alpha=float(alpha), schedule=cfg.schedule,
            momentum=float(cfg.momentum), optimizer=rule, loss_name=cfg.loss,
            batch_size=cfg.batch_size,
            optimizer_state=tuple((symbol, meaning, tuple(getattr(state, name).tolist()))
                                  for name, symbol, meaning in labels),
            stop_reason=stop,
        )

    # ---- saving and resuming (see gdtui.engine.session) ----------------------------------------

    def export_state(self) -> dict[str, Any]:
        """Copies of everything besides the data and the config that the next steps depend on,
        down to a half-done epoch: `Trainer.restore` continues from it to the bit."""
        opt = self._opt_state
        return {
            "weights": self._w.copy(),
            "optimizer_state": {"first": opt.first.copy(), "second": opt.second.copy(), "steps": int(opt.steps)},
            "rng": copy.deepcopy(self._rng.bit_generator.state),
            "epoch": self._epoch,
            "batch": self._batch,
            "epoch_batch_rows": getattr(self, "_epoch_batch_rows", None),  # set once an epoch has started
            "epoch_batches": getattr(self, "_epoch_batches", None),
            "order": None if self._order is None else self._order.copy(),
            "batch_losses": [float(loss) for loss in self._batch_losses],
            "batch_correct": int(self._batch_correct),
            "epoch_start": self._epoch_start.copy(),
            "direction_sum": self._direction_sum.copy(),
            "last_step": np.array(self._last_step, dtype=np.float64),
            "last_direction": np.array(self._last_direction, dtype=np.float64),
            "last_rows": (self._last_rows.start, self._last_rows.stop),
            "best_loss": float(self._best_loss),
            "best_epoch": self._best_epoch,
            "diverged": self._diverged,
            "history": self.history.to_arrays(),
        }

    @classmethod
    def restore(cls, data: Dataset, config: TrainConfig, state: dict[str, Any]) -> "Trainer":
        """A trainer on `data` with `config` (its seed set) in the `state` that `export_state`
        gave; `state` must be consistent with both (gdtui.engine.session checks it)."""
        trainer = cls(data, config)
        trainer._rng.bit_generator.state = state["rng"]
        opt = state["optimizer_state"]
        trainer._opt_state = OptState(np.array(opt["first"], dtype=np.float64),
                                      np.array(opt["second"], dtype=np.float64), int(opt["steps"]))
        trainer._w = np.array(state["weights"], dtype=np.float64)
        trainer._epoch, trainer._batch = state["epoch"], state["batch"]
        if state["epoch_batch_rows"] is not None:
            trainer._epoch_batch_rows, trainer._epoch_batches = state["epoch_batch_rows"], state["epoch_batches"]
        order = state["order"]
        trainer._order = None if order is None else np.array(order, dtype=np.int64)
        if order is not None:
            trainer._epoch_X, trainer._epoch_y = data.X_train[trainer._order], data.y_train[trainer._order]
        trainer._batch_losses = list(state["batch_losses"])
        trainer._batch_correct = state["batch_correct"]
        for name in ("epoch_start", "direction_sum", "last_step", "last_direction"):
            setattr(trainer, "_" + name, np.array(state[name], dtype=np.float64))
        trainer._last_rows = slice(*state["last_rows"])
        trainer._best_loss, trainer._best_epoch = state["best_loss"], state["best_epoch"]
        trainer._diverged = state["diverged"]
        trainer._workspace = Workspace(trainer._epoch_batch_rows if trainer._batch else trainer.batch_rows)
        trainer.history = History.from_arrays(state["history"])
        trainer.history.accuracy_source = trainer._accuracy_during
        return trainer


def create_trainer(config: TrainConfig) -> Trainer:
    """The one factory the CLI and the app both use: validate, load the data, build the trainer."""
    config = config.validated()
    return Trainer(load_dataset(config), config)
