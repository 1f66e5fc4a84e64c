"""An immutable picture of a trainer for the UI: plain floats and tuples, no arrays."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .config import is_line_model
from .features import raw_weights
from .optim import RULES, OptState


def plain(array: np.ndarray) -> tuple:
    """An array as nested tuples of floats (a vector: a tuple of floats)."""
    values = np.asarray(array, dtype=np.float64).tolist()
    return tuple(tuple(row) for row in values) if isinstance(values[0], list) else tuple(values)


@dataclass(frozen=True)
class Snapshot:
    """Where a run stands (live), or stood at a recorded epoch (rewound)."""

    epoch: int
    batch: int
    """Batches done in the epoch under way (0 at an epoch boundary)."""
    batches_per_epoch: int
    weights: tuple
    """The weights, as `plain` gives them (bias first)."""
    last_step: tuple
    """The change of the weights made by the last update (batch or epoch)."""
    direction: tuple
    """The update direction of the last update: the loss's (see `gdtui.engine.losses`), plus the
    penalty's gradient when one is set."""
    loss: float
    """The lesson's loss of the last finished epoch as it was logged (measured before its updates;
    epoch 0: at the initial weights)."""
    loss_here: float
    """The printed loss over all training rows at the weights shown."""
    train_accuracy: float
    test_accuracy: float
    """Accuracies of the weights shown."""
    alpha: float
    """The alpha in force (live: for the next update; rewound: during that epoch)."""
    schedule: str
    """The learning-rate schedule's name."""
    momentum: float
    optimizer: str
    loss_name: str
    batch_size: int | None
    optimizer_state: tuple[tuple[str, str, tuple], ...]
    """(symbol, meaning, values) for each piece of memory the update rule keeps."""
    stop_reason: str | None
    features: tuple[str, ...] = ("x1", "x2")
    """The design matrix's columns after the bias (`TrainConfig.features`), in the weights' order."""
    standardize: bool = False
    """Whether the feature columns are standardized with the training split's statistics."""
    class_names: tuple[str, ...] = ("0", "1")
    """The data's label of each class, class 0 first (`Dataset.labels`: a file's text, unescaped)."""
    line_weights: tuple | None = None
    """(w0, w1, w2) of the boundary line on the raw x1, x2 for the line model (`line_model`): the
    weights, or, standardized, the weights written back on the raw columns; None for other models."""
    penalty: str = "none"
    """`none`, `l1` or `l2`: the penalty whose gradient `direction` includes."""
    lam: float = 0.0
    """The penalty's strength λ."""

    @property
    def direction_norm(self) -> float:
        return math.hypot(*np.ravel(self.direction).tolist())

    @property
    def classes(self) -> int:
        return len(self.class_names)

    @property
    def rows(self) -> int:
        """Rows of weights: 1 (one score) or K (one score per class)."""
        return len(self.weights) if isinstance(self.weights[0], tuple) else 1

    @property
    def line_model(self) -> bool:
        """One weight row over x1, x2 (`gdtui.engine.config.is_line_model`)."""
        return is_line_model(self.rows == 1, self.features)


def memory(rule: str, state: OptState) -> tuple[tuple[str, str, tuple], ...]:
    """The pieces of `state` that `rule` uses, as (symbol, meaning, values)."""
    return tuple((symbol, meaning, plain(getattr(state, name))) for name, symbol, meaning in RULES[rule].state_labels)


def snapshot_now(trainer) -> Snapshot:
    """A `Trainer` as it stands now."""
    return _snapshot(trainer, trainer.epoch, trainer.batch, trainer.weights, trainer.last_step, trainer.last_direction,
                     float(trainer.history.losses[-1]), trainer.alpha_now, trainer.config.optimizer,
                     trainer.optimizer_state, trainer.stop_reason)


def snapshot_at(trainer, epoch: int) -> Snapshot:
    """A `Trainer` as it stood at the end of a recorded `epoch`, read from its history."""
    h = trainer.history
    if not 0 <= epoch < len(h):
        raise ValueError(f"epoch {epoch} is not in the history (0..{len(h) - 1})")
    rule, state = h.optimizer_at(epoch)
    return _snapshot(trainer, epoch, 0, h.weights[epoch], h.steps[epoch], h.directions[epoch], float(h.losses[epoch]),
                     float(h.alphas[epoch]), rule, state, None)


def _snapshot(trainer, epoch, batch, w, step, direction, loss, alpha, rule, state, stop) -> Snapshot:
    cfg, scaling = trainer.config, trainer.data.scaling
    line = None
    if cfg.line_model:
        line = plain(w if scaling is None else raw_weights(w, scaling))
    here, train = trainer.measure(w)
    return Snapshot(
        epoch=epoch, batch=batch, batches_per_epoch=trainer.batches_per_epoch, weights=plain(w),
        last_step=plain(step), direction=plain(direction), loss=loss, loss_here=here, train_accuracy=train,
        test_accuracy=trainer.accuracy(w, "test"), alpha=float(alpha), schedule=cfg.schedule,
        momentum=float(cfg.momentum), optimizer=rule, loss_name=cfg.loss, batch_size=cfg.batch_size,
        optimizer_state=memory(rule, state), stop_reason=stop, features=tuple(cfg.features),
        standardize=cfg.standardize, class_names=tuple(trainer.data.labels), penalty=cfg.penalty, lam=float(cfg.lam),
        line_weights=line)
