"""Per-epoch records in preallocated, growing arrays: cheap to append, cheap to read."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .optim import OptState


class History:
    """Row k describes epoch k; row 0 is the initial state before any update.

    For epoch k >= 1: `weights[k]` after the epoch, `directions[k]` the summed update directions
    of its batches, `steps[k]` = weights[k] - weights[k-1], `losses[k]` the lesson's epoch loss
    (measured with the weights in force before each update; the mean over mini-batches) and
    `train_accuracy[k]` measured the same way. Row 0 holds the initial weights, zero direction
    and step, and the loss and accuracy at the initial weights.

    Each row also keeps what a fork from it needs: the optimizer's state after the epoch, the
    rule's name and the alpha in force.

    Rows can also be written in bulk (`reserve`, then `commit`): a long full-batch run fills
    thousands of rows without a Python call per row. Such rows may leave their accuracy to be
    measured when it is first read, by `accuracy_source` from the weights in force during the epoch.
    """

    def __init__(self, capacity: int = 256) -> None:
        capacity = max(int(capacity), 1) + 1
        self._weights = np.zeros((capacity, 3))
        self._directions = np.zeros((capacity, 3))
        self._steps = np.zeros((capacity, 3))
        self._losses = np.zeros(capacity)
        self._accuracy = np.zeros(capacity)
        self._alphas = np.zeros(capacity)
        self._state = np.zeros((capacity, 7))  # OptState: first (3), second (3), steps
        self._optimizers: list[str] = []
        self._rows = 0
        self._pending = False
        """Some rows' accuracy (NaN until then) is still to be measured by `accuracy_source`."""
        self.accuracy_source: Callable[[np.ndarray], float] | None = None
        """weights -> train accuracy with those weights (for rows committed without an accuracy)."""

    def __len__(self) -> int:
        return self._rows

    def append(self, weights: np.ndarray, direction: np.ndarray, step: np.ndarray, loss: float,
               accuracy: float, state: OptState, optimizer: str, alpha: float) -> None:
        if self._rows == len(self._losses):
            self._grow()
        k = self._rows
        self._weights[k] = weights
        self._directions[k] = direction
        self._steps[k] = step
        self._losses[k] = loss
        self._accuracy[k] = accuracy
        self._alphas[k] = alpha
        row = self._state[k]
        row[:3], row[3:6], row[6] = state.first, state.second, state.steps
        del self._optimizers[k:]
        self._optimizers.append(optimizer)
        self._rows = k + 1

    def reserve(self, count: int) -> "Rows":
        """Writable views of the next `count` rows (beyond the end: nothing is recorded until
        `commit`), to be filled in bulk: weights, directions, steps, losses, optimizer state, alphas."""
        while self._rows + count > len(self._losses):
            self._grow()
        k, end = self._rows, self._rows + count
        return Rows(self._weights[k:end], self._directions[k:end], self._steps[k:end], self._losses[k:end],
                    self._state[k:end], self._alphas[k:end])

    def commit(self, count: int, optimizer: str, accuracy: np.ndarray | None = None) -> None:
        """Record the first `count` reserved rows, as written, with `optimizer` in force. Without
        `accuracy`, each row's accuracy is measured when first read, with the weights of the row
        before it (full-batch epochs)."""
        k, end = self._rows, self._rows + count
        if accuracy is None:
            self._accuracy[k:end] = math.nan
            self._pending = self._pending or count > 0
        else:
            self._accuracy[k:end] = accuracy
        del self._optimizers[k:]
        self._optimizers.extend([optimizer] * count)
        self._rows = end

    def truncate(self, rows: int) -> None:
        """Forget every row from `rows` on (a fork from an earlier epoch)."""
        self._rows = max(0, min(rows, self._rows))
        del self._optimizers[self._rows:]

    def _grow(self) -> None:
        for name in ("_weights", "_directions", "_steps", "_losses", "_accuracy", "_alphas", "_state"):
            old = getattr(self, name)
            new = np.zeros((2 * len(old),) + old.shape[1:])
            new[: len(old)] = old
            setattr(self, name, new)

    @staticmethod
    def _view(array: np.ndarray, rows: int) -> np.ndarray:
        view = array[:rows]
        view.flags.writeable = False
        return view

    @property
    def weights(self) -> np.ndarray:
        """(epochs + 1, 3), read-only."""
        return self._view(self._weights, self._rows)

    @property
    def directions(self) -> np.ndarray:
        return self._view(self._directions, self._rows)

    @property
    def steps(self) -> np.ndarray:
        return self._view(self._steps, self._rows)

    @property
    def losses(self) -> np.ndarray:
        """(epochs + 1,), read-only; losses[1:] is the lesson's per-epoch log."""
        return self._view(self._losses, self._rows)

    @property
    def train_accuracy(self) -> np.ndarray:
        if self._pending:
            self._measure_pending()
        return self._view(self._accuracy, self._rows)

    def _measure_pending(self) -> None:
        accuracy = self._accuracy[: self._rows]
        for k in np.flatnonzero(np.isnan(accuracy)).tolist():
            accuracy[k] = self.accuracy_source(self._weights[k - 1])
        self._pending = False

    @property
    def alphas(self) -> np.ndarray:
        """The alpha in force during each epoch (row 0: at the start)."""
        return self._view(self._alphas, self._rows)

    def optimizer_at(self, row: int) -> tuple[str, OptState]:
        """The update rule of epoch `row` and a copy of its state after that epoch."""
        if not 0 <= row < self._rows:
            raise IndexError(f"no epoch {row} in a history of {self._rows} rows")
        state = self._state[row]
        return self._optimizers[row], OptState(state[:3].copy(), state[3:6].copy(), int(state[6]))

    def to_arrays(self) -> dict[str, np.ndarray | list[str]]:
        """Copies of every recorded row, keyed as `COLUMNS`, plus `optimizers`: the rule of each
        row. Accuracies still to be measured stay NaN (measuring 1e5 rows costs seconds; the
        rebuilt history measures them when first read, as this one would). `from_arrays` rebuilds
        the history."""
        out: dict[str, np.ndarray | list[str]] = {
            key: getattr(self, attribute)[: self._rows].copy() for key, attribute, _ in COLUMNS}
        out["optimizers"] = list(self._optimizers)
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray | list[str]]) -> "History":
        """The history `to_arrays` described (lengths and shapes as `COLUMNS`, checked by the caller)."""
        rows = len(arrays["optimizers"])
        history = cls(rows)
        for key, attribute, _ in COLUMNS:
            getattr(history, attribute)[:rows] = arrays[key]
        history._optimizers = list(arrays["optimizers"])
        history._rows = rows
        history._pending = bool(np.isnan(history._accuracy[:rows]).any())
        return history


COLUMNS = (
    ("weights", "_weights", 3),
    ("directions", "_directions", 3),
    ("steps", "_steps", 3),
    ("losses", "_losses", None),
    ("train_accuracy", "_accuracy", None),
    ("alphas", "_alphas", None),
    ("optimizer_state", "_state", 7),
)
"""(key in `History.to_arrays`, attribute, values per row or None for one) of every recorded column."""


class Rows:
    """Writable views of reserved history rows (see `History.reserve`)."""

    __slots__ = ("weights", "directions", "steps", "losses", "state", "alphas")

    def __init__(self, weights: np.ndarray, directions: np.ndarray, steps: np.ndarray, losses: np.ndarray,
                 state: np.ndarray, alphas: np.ndarray) -> None:
        self.weights = weights
        """(count, 3) weights after each epoch."""
        self.directions = directions
        """(count, 3) summed update directions."""
        self.steps = steps
        """(count, 3) change of the weights (weights[k] - weights[k-1])."""
        self.losses = losses
        """(count,) epoch losses."""
        self.state = state
        """(count, 7) optimizer state after each epoch: first (3), second (3), steps."""
        self.alphas = alphas
        """(count,) the alpha in force during each epoch."""
