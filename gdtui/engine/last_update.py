"""What an update started from: the inputs `gdtui.engine.explain` needs to write it out again.

The trainer keeps the inputs of its latest update as it takes it (`Trainer.last_update`). For a
recorded full-batch epoch they can also be read back from the history: the weights and the rule's
memory of the epoch before, the alpha of the epoch. Such a reading is accepted only if the update
it gives is the one recorded (its direction and its weights), because the history does not say
which loss, penalty or momentum was in force then, nor whether the rule's memory was cleared in
between. (A penalty's strength is read from the penalty the epoch recorded.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import explain_models as models
from . import penalties
from .explain import SIGMOID_LOSSES, rows_of
from .optim import RULES, OptState

AGREEMENT = 1e-8
"""How close (relative to the size of the terms) a reading must reproduce the recorded update."""


@dataclass(frozen=True, eq=False)
class LastUpdate:
    """The inputs of one update and where it stood in its epoch."""

    loss: str
    rule: str
    alpha: float
    """The alpha in force for it (the schedule applied)."""
    momentum: float
    weights: np.ndarray
    """The weights before it."""
    state: OptState
    """The rule's memory before it."""
    start: int
    stop: int
    """Its rows: positions [start, stop) in the epoch's order."""
    order: np.ndarray | None
    """The epoch's shuffled order of the training rows (None: in order)."""
    epoch: int
    """The epoch it belongs to (1 for the first)."""
    batch: int
    """Its batch in that epoch (1 for the first)."""
    batches: int
    """Batches in that epoch."""
    penalty: str = "none"
    lam: float = 0.0
    """The penalty in force for it and its strength."""

    @property
    def rows(self) -> np.ndarray:
        """Indices into the training rows of the rows it used."""
        rows = np.arange(self.start, self.stop)
        return rows if self.order is None else self.order[rows]


def from_history(history, epoch: int, X: np.ndarray, y: np.ndarray, losses: tuple[str, ...],
                 momentum: float, penalty: tuple[str, float] = ("none", 0.0)) -> LastUpdate | None:
    """The update of recorded full-batch `epoch` read back from `history`, with the first of
    `losses` (and of `penalty`, then the penalties the epoch's record allows) under which it
    reproduces the record; None if the epoch made several updates (its last batch's start is not
    kept) or if no reading reproduces it."""
    if not 1 <= epoch < len(history) or int(history.batches[epoch]) != 1:
        return None
    (rule, recorded), (before_rule, kept) = history.optimizer_at(epoch), history.optimizer_at(epoch - 1)
    weights = np.array(history.weights[epoch - 1])
    alpha = float(history.alphas[epoch])
    fresh = OptState.zeros(weights.shape)
    states = (kept, fresh) if before_rule == rule else (fresh,)
    g_recorded, w_recorded = history.directions[epoch], history.weights[epoch]
    kinds = _penalties(penalty, float(history.penalties[epoch]), weights)
    for loss in losses:
        parts_sum, scale = _parts(loss, X, y, weights)
        for kind, lam in kinds:
            extra = penalties.gradient(kind, lam, weights)
            g = parts_sum + extra
            if not _close(g, g_recorded, scale + np.abs(extra)):
                continue
            for state in states:
                with np.errstate(all="ignore"):
                    step, after = RULES[rule].update(g, state, alpha, momentum)
                if _close(weights + step, w_recorded, np.abs(weights) + np.abs(step)) and \
                        after.steps == recorded.steps:
                    return LastUpdate(loss, rule, alpha, float(momentum), weights, state, 0, len(y), None, epoch, 1, 1,
                                      kind, lam)
    return None


def _parts(loss: str, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows' contributions summed, and the sum of their sizes (the scale of its rounding)."""
    if loss in SIGMOID_LOSSES:
        parts = rows_of(loss, X, y, w)["part"]
        return parts.sum(axis=0), np.abs(parts).sum(axis=0)
    R = models.model_rows(loss, X, y, w)["R"]
    return models.batch_sum(R, X), models.batch_sum(np.abs(R), np.abs(X))


def _penalties(first: tuple[str, float], recorded: float, w: np.ndarray) -> list[tuple[str, float]]:
    """`first`, then the penalties whose value at `w` is the `recorded` one: none where it is 0,
    else l2 and l1 with the strength that value gives."""
    kinds = [first]
    if recorded == 0:
        kinds.append(("none", 0.0))
    else:
        free = w[..., 1:]
        squares, sizes = float(np.sum(free * free)), float(np.sum(np.abs(free)))
        kinds += [(kind, lam) for kind, lam in (("l2", 2 * recorded / squares if squares else 0.0),
                                                 ("l1", recorded / sizes if sizes else 0.0)) if lam > 0]
    return list(dict.fromkeys(kinds))


def _close(a: np.ndarray, b: np.ndarray, scale: np.ndarray) -> bool:
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(a - b) <= AGREEMENT * scale + 1e-300))
