"""Everything a trainer's next steps depend on besides its data and config, as one typed value.

`Trainer.state()` gives it; `Trainer(data, config, state)` continues from it to the bit, down to a
half-done epoch. The session codec (`gdtui.engine.session`) writes and reads it field by field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from .history import HistoryArrays
from .optim import OptState


@dataclass(frozen=True, eq=False)
class TrainerState:
    """A trainer's progress. Arrays have the weights' shape unless said otherwise."""

    weights: np.ndarray
    """The current weights (mid-epoch: after the batches done)."""
    optimizer_state: OptState
    """The update rule's memory after the last update."""
    rng: dict[str, Any]
    """The PCG64 bit generator's state (it shuffles the rows before each epoch)."""
    epoch: int
    """Finished epochs."""
    batch: int
    """Batches done in the epoch under way (0 at an epoch boundary)."""
    epoch_batch_rows: int | None
    """Rows per batch of the last epoch started (None before any)."""
    epoch_batches: int | None
    """Batches of the last epoch started (None before any)."""
    order: np.ndarray | None
    """(n,) the last epoch's shuffled row order, None without shuffling."""
    batch_losses: tuple[float, ...]
    """Losses of the batches done in the epoch under way."""
    batch_correct: int
    """Rows the epoch under way has classified right so far."""
    batch_penalties: tuple[float, ...]
    """The weight penalty at each batch done in the epoch under way (empty without a penalty)."""
    epoch_start: np.ndarray
    """The weights when the last epoch started."""
    direction_sum: np.ndarray
    """The sum of the update directions of the epoch under way."""
    last_step: np.ndarray
    """What the last update added to the weights."""
    last_direction: np.ndarray
    """The update direction of the last update."""
    last_rows: tuple[int, int]
    """Positions (start, stop) in the epoch's order of the rows the last update used."""
    best_loss: float
    """The lowest epoch loss so far (inf before any epoch)."""
    best_epoch: int
    """The epoch of `best_loss` (0 before any epoch)."""
    diverged: bool
    """The next update was not finite, so the last finite state is kept."""
    history: HistoryArrays
    """Every recorded epoch."""


@dataclass
class Progress:
    """The trainer's own, mutable record of where it stands: the `TrainerState` fields besides the
    weights, the rule's memory, the RNG and the history (their meanings are documented there)."""

    epoch_start: np.ndarray
    direction_sum: np.ndarray
    last_step: np.ndarray
    last_direction: np.ndarray
    epoch: int = 0
    batch: int = 0
    epoch_batch_rows: int | None = None
    epoch_batches: int | None = None
    order: np.ndarray | None = None
    batch_losses: list[float] = field(default_factory=list)
    batch_correct: int = 0
    batch_penalties: list[float] = field(default_factory=list)
    last_rows: tuple[int, int] = (0, 0)
    best_loss: float = math.inf
    best_epoch: int = 0
    diverged: bool = False

    def copy(self) -> "Progress":
        """A copy that shares no array or list with this one."""
        return replace(self, **{f.name: _copied(getattr(self, f.name)) for f in fields(self)})

    @classmethod
    def of(cls, state: "TrainerState") -> "Progress":
        """The progress a saved state records (copies)."""
        progress = cls(**{f.name: _copied(getattr(state, f.name)) for f in fields(cls)})
        penalties = list(state.batch_penalties) or [0.0] * len(state.batch_losses)  # (a file from before penalties)
        return replace(progress, batch_losses=list(state.batch_losses), batch_penalties=penalties,
                       last_rows=tuple(state.last_rows))

    def copied(self) -> dict[str, Any]:
        """The fields as `TrainerState` keeps them (copies; the batch losses as a tuple)."""
        out = {f.name: _copied(getattr(self, f.name)) for f in fields(self)}
        out["batch_losses"] = tuple(out["batch_losses"])
        out["batch_penalties"] = tuple(out["batch_penalties"])
        return out


def _copied(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    return list(value) if isinstance(value, list) else value
