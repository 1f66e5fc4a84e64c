"""Per-epoch records in preallocated, growing arrays: cheap to append, cheap to read."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .optim import OptState


@dataclass(frozen=True, eq=False)
class HistoryArrays:
    """Every recorded row as plain arrays (copies, or read-only arrays nothing else writes): what a
    session file keeps of the history."""

    weights: np.ndarray
    """(rows, *shape) the weights after each epoch; row 0 the initial weights."""
    directions: np.ndarray
    """(rows, *shape) the summed update directions of each epoch's batches."""
    steps: np.ndarray
    """(rows, *shape) weights[k] - weights[k-1]."""
    losses: np.ndarray
    """(rows,) the lesson's epoch loss (row 0: at the initial weights)."""
    train_accuracy: np.ndarray
    """(rows,) measured during each epoch; nan where not measured yet (see `History`)."""
    alphas: np.ndarray
    """(rows,) the alpha in force during each epoch."""
    optimizer_state: np.ndarray
    """(rows, 2 * size + 1) the rule's memory after each epoch, as `OptState.pack` lays it out."""
    optimizers: tuple[str, ...]
    """The update rule of each row."""
    batches: np.ndarray = None  # type: ignore[assignment]
    """(rows,) int32: the updates of each epoch (its batches); 0 in row 0, and where unknown (rows
    read from a version-1 session file)."""
    penalties: np.ndarray = None  # type: ignore[assignment]
    """(rows,) the weight penalty of each epoch, measured as its loss is (0 without a penalty, and
    in files written before penalties)."""

    def __post_init__(self) -> None:
        if self.batches is None:
            object.__setattr__(self, "batches", np.zeros(len(self.optimizers), dtype=np.int32))
        if self.penalties is None:
            object.__setattr__(self, "penalties", np.zeros(len(self.optimizers)))

    def __len__(self) -> int:
        return len(self.optimizers)


class History:
    """Row k describes epoch k; row 0 is the initial state before any update.

    For epoch k >= 1: `weights[k]` after the epoch, `directions[k]` the summed update directions
    of its batches, `steps[k]` = weights[k] - weights[k-1], `losses[k]` the lesson's epoch loss
    (measured with the weights in force before each update; the mean over mini-batches) and
    `train_accuracy[k]` counted the same way. Each row also keeps what a fork from it needs: the
    optimizer's state after the epoch, the rule's name, the alpha in force and how many updates
    (batches) the epoch made.

    Rows are written in blocks: `reserve(count)` gives writable views of the next rows, `commit`
    records them. A long full-batch run fills thousands of rows without a Python call per row and
    may leave their accuracy as nan, for the trainer to measure when it is read
    (`Trainer.train_accuracy`): counting costs as much as the epoch itself at small sizes.
    """

    def __init__(self, shape: tuple[int, ...], capacity: int = 256) -> None:
        capacity = max(int(capacity), 1) + 1
        self.shape = tuple(shape)
        """The shape of the weights."""
        size = int(np.prod(self.shape))
        self._weights = np.zeros((capacity, *self.shape))
        self._directions = np.zeros((capacity, *self.shape))
        self._steps = np.zeros((capacity, *self.shape))
        self._losses = np.zeros(capacity)
        self._accuracy = np.zeros(capacity)
        self._alphas = np.zeros(capacity)
        self._state = np.zeros((capacity, 2 * size + 1))
        self._batches = np.zeros(capacity, dtype=np.int32)
        self._penalties = np.zeros(capacity)
        self._optimizers: list[str] = []
        self._rows = 0

    def __len__(self) -> int:
        return self._rows

    def reserve(self, count: int) -> "Rows":
        """Writable views of the next `count` rows (nothing is recorded until `commit`)."""
        if self._rows + count > len(self._losses):
            self.expect(count)
        k, end = self._rows, self._rows + count
        return Rows(self._weights[k:end], self._directions[k:end], self._steps[k:end], self._losses[k:end],
                    self._accuracy[k:end], self._state[k:end], self._alphas[k:end], self._batches[k:end],
                    self._penalties[k:end])

    def expect(self, count: int) -> None:
        """Make room for `count` more rows at once: one copy of the rows so far, instead of one per
        doubling (the room not yet written costs no memory: fresh zeros are not touched)."""
        needed = self._rows + count
        if needed > len(self._losses):
            self._grow(needed if count > len(self._losses) else max(needed, 2 * len(self._losses)))

    def commit(self, count: int, optimizer: str) -> None:
        """Record the first `count` reserved rows, as written, with `optimizer` in force."""
        k = self._rows
        del self._optimizers[k:]
        self._optimizers.extend([optimizer] * count)
        self._rows = k + count

    def truncate(self, rows: int) -> None:
        """Forget every row from `rows` on (a fork from an earlier epoch)."""
        self._rows = max(0, min(rows, self._rows))
        del self._optimizers[self._rows:]

    def _grow(self, capacity: int) -> None:
        for name in ("_weights", "_directions", "_steps", "_losses", "_accuracy", "_alphas", "_state", "_batches",
                     "_penalties"):
            old = getattr(self, name)
            new = np.zeros((capacity,) + old.shape[1:], dtype=old.dtype)
            new[: self._rows] = old[: self._rows]
            setattr(self, name, new)

    def _view(self, array: np.ndarray) -> np.ndarray:
        view = array[: self._rows]
        view.flags.writeable = False
        return view

    weights = property(lambda self: self._view(self._weights), doc="(epochs + 1, *shape), read-only.")
    directions = property(lambda self: self._view(self._directions), doc="(epochs + 1, *shape), read-only.")
    steps = property(lambda self: self._view(self._steps), doc="(epochs + 1, *shape), read-only.")
    losses = property(lambda self: self._view(self._losses),
                      doc="(epochs + 1,), read-only; losses[1:] is the lesson's per-epoch log.")
    batches = property(lambda self: self._view(self._batches),
                       doc="(epochs + 1,) the updates of each epoch (0: row 0, or unknown: read from version 1).")
    alphas = property(lambda self: self._view(self._alphas),
                      doc="(epochs + 1,) the alpha in force during each epoch (row 0: at the start).")
    penalties = property(lambda self: self._view(self._penalties),
                         doc="(epochs + 1,) the weight penalty of each epoch, measured as its loss is.")

    @property
    def recorded_accuracy(self) -> np.ndarray:
        """(epochs + 1,) the training accuracy counted during each epoch; nan where it is still to
        be measured (`Trainer.train_accuracy` measures those)."""
        return self._view(self._accuracy)

    def unmeasured(self) -> np.ndarray:
        """Rows whose training accuracy is still nan."""
        return np.flatnonzero(np.isnan(self._accuracy[: self._rows]))

    def measured(self, rows: np.ndarray, accuracy: np.ndarray) -> None:
        """Fill in the training accuracy of `rows` (from `unmeasured`)."""
        self._accuracy[rows] = accuracy

    def optimizer_at(self, row: int) -> tuple[str, OptState]:
        """The update rule of epoch `row` and a copy of its state after that epoch."""
        if not 0 <= row < self._rows:
            raise IndexError(f"no epoch {row} in a history of {self._rows} rows")
        return self._optimizers[row], OptState.unpack(self._state[row], self.shape)

    def arrays(self, share: bool = False) -> HistoryArrays:
        """Copies of every recorded row (unmeasured accuracies stay nan); with `share`, read-only
        views instead, for a caller that reads them before the history changes (saving)."""
        n = self._rows
        columns = (self._weights, self._directions, self._steps, self._losses, self._accuracy, self._alphas,
                   self._state)
        taken = [self._view(a) if share else a[:n].copy() for a in columns]
        batches = self._view(self._batches) if share else self._batches[:n].copy()
        penalties = self._view(self._penalties) if share else self._penalties[:n].copy()
        return HistoryArrays(*taken, tuple(self._optimizers), batches, penalties)

    @classmethod
    def of(cls, arrays: HistoryArrays) -> "History":
        """The history that `arrays` describes (shapes consistent: the session codec checks them)."""
        rows = len(arrays)
        history = cls(arrays.weights.shape[1:], rows)
        block = history.reserve(rows)
        block.weights[:] = arrays.weights
        block.directions[:] = arrays.directions
        block.steps[:] = arrays.steps
        block.losses[:] = arrays.losses
        block.accuracy[:] = arrays.train_accuracy
        block.state[:] = arrays.optimizer_state
        block.alphas[:] = arrays.alphas
        block.batches[:] = arrays.batches
        block.penalties[:] = arrays.penalties
        history._optimizers = list(arrays.optimizers)
        history._rows = rows
        return history


class Rows:
    """Writable views of reserved history rows (see `History.reserve`)."""

    __slots__ = ("weights", "directions", "steps", "losses", "accuracy", "state", "alphas", "batches", "penalties")

    def __init__(self, weights, directions, steps, losses, accuracy, state, alphas, batches, penalties) -> None:
        self.weights = weights
        """(count, *shape) weights after each epoch."""
        self.directions = directions
        """(count, *shape) summed update directions."""
        self.steps = steps
        """(count, *shape) change of the weights (weights[k] - weights[k-1])."""
        self.losses = losses
        """(count,) epoch losses."""
        self.accuracy = accuracy
        """(count,) training accuracy counted during each epoch, or nan."""
        self.state = state
        """(count, 2 * size + 1) optimizer state after each epoch (`OptState.pack`)."""
        self.alphas = alphas
        """(count,) the alpha in force during each epoch."""
        self.batches = batches
        """(count,) the updates (batches) of each epoch."""
        self.penalties = penalties
        """(count,) the weight penalty of each epoch."""


def mean_loss(batch_losses: list[float]) -> float:
    """An epoch's loss from its batches' losses, as the lesson logs it: their mean (one batch:
    its loss). If the sum of finite batch losses overflows, the mean of their shares does not."""
    if len(batch_losses) == 1:
        return batch_losses[0]
    with np.errstate(over="ignore"):
        loss = float(np.mean(batch_losses))
    if not math.isfinite(loss):
        loss = float(np.sum(np.divide(batch_losses, len(batch_losses))))
    return loss
