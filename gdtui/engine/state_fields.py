"""The fields of a saved `TrainerState`: one row per field saying how it is read and checked.

`STATE` is the table the session codec reads and writes a trainer's state with; then
`check_consistency` checks the fields against each other and `check_fits` what depends on the
data (the number of training rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .codec import (Bad, Field, encode, flag, floats, indices, integer, keys, loss_value, number_list, optional,
                    pair_of_ints, rng_state, vector)
from .config import MAX_EPOCHS, MAX_SAMPLES, OPTIMIZERS
from .history import HistoryArrays
from .optim import OptState
from .state import TrainerState


def _optimizer_state(value: Any, where: str, shape: tuple[int, ...]) -> OptState:
    raw = keys(value, where, ("first", "second", "steps"))
    return OptState(vector(raw["first"], f"{where}.first", shape), vector(raw["second"], f"{where}.second", shape),
                    integer(0, 2**62)(raw["steps"], f"{where}.steps"))


def _write_optimizer_state(state: OptState) -> dict[str, Any]:
    return {"first": state.first.tolist(), "second": state.second.tolist(), "steps": int(state.steps)}


HISTORY_COLUMNS = ("weights", "directions", "steps", "losses", "train_accuracy", "alphas", "optimizer_state")


def _history(value: Any, where: str, shape: tuple[int, ...]) -> HistoryArrays:
    raw = keys(value, where, HISTORY_COLUMNS + ("optimizers",))
    size = int(np.prod(shape))
    widths = {"weights": size, "directions": size, "steps": size, "optimizer_state": 2 * size + 1}
    arrays = {key: floats(raw[key], f"{where}.{key}", width=widths.get(key),
                          finite=key not in ("losses", "train_accuracy")) for key in HISTORY_COLUMNS}
    names = raw["optimizers"]
    if type(names) is not list or not names or not all(type(n) is str and n in OPTIMIZERS for n in names):
        raise Bad(f"{where}.optimizers", "must be a non-empty list of rule names")
    lengths = {key: len(array) for key, array in arrays.items()} | {"optimizers": len(names)}
    if len(set(lengths.values())) != 1:
        raise Bad(where, "columns differ in length (" + ", ".join(f"{k} {v}" for k, v in lengths.items()) + ")")
    if np.isnan(arrays["losses"]).any():
        raise Bad(f"{where}.losses", "must not hold nan")
    accuracy = arrays["train_accuracy"]
    if ((accuracy < 0) | (accuracy > 1)).any() or np.isinf(accuracy).any() or np.isnan(accuracy[:1]).any():
        raise Bad(f"{where}.train_accuracy", "must lie in [0, 1] (nan: not measured yet, never in row 0)")
    steps = arrays["optimizer_state"][:, -1]
    if ((steps < 0) | (steps != np.floor(steps))).any():
        raise Bad(f"{where}.optimizer_state", "step counts (last column) must be whole numbers >= 0")
    rows = len(names)
    for key in ("weights", "directions", "steps"):
        arrays[key] = arrays[key].reshape((rows, *shape))
    return HistoryArrays(**arrays, optimizers=tuple(names))


def _write_history(history: HistoryArrays) -> dict[str, Any]:
    rows = len(history)
    out = {key: encode(getattr(history, key).reshape(rows, -1) if key in ("weights", "directions", "steps")
                       else getattr(history, key)) for key in HISTORY_COLUMNS}
    out["optimizers"] = list(history.optimizers)
    return out


STATE = (
    Field("weights", vector),
    Field("optimizer_state", _optimizer_state, _write_optimizer_state),
    Field("rng", rng_state),
    Field("epoch", integer(0, MAX_EPOCHS)),
    Field("batch", integer(0, MAX_SAMPLES)),
    Field("epoch_batch_rows", optional(integer(1, MAX_SAMPLES))),
    Field("epoch_batches", optional(integer(1, MAX_SAMPLES))),
    Field("order", optional(indices(MAX_SAMPLES))),
    Field("batch_losses", number_list),
    Field("batch_correct", integer(0, MAX_SAMPLES)),
    Field("epoch_start", vector),
    Field("direction_sum", vector),
    Field("last_step", vector),
    Field("last_direction", vector),
    Field("last_rows", pair_of_ints(0, MAX_SAMPLES)),
    Field("best_loss", loss_value),
    Field("best_epoch", integer(0, MAX_EPOCHS)),
    Field("diverged", flag),
    Field("history", _history, _write_history),
)
"""How each field of a `TrainerState` is read from (and written to) a session file."""


def check_consistency(state: TrainerState, where: str) -> None:
    """The fields of a read state against each other."""
    epoch, batch = state.epoch, state.batch
    if state.best_epoch > epoch:
        raise Bad(f"{where}.best_epoch", f"must be an integer in [0, {epoch}] (got {state.best_epoch})")
    if len(state.history) != epoch + 1:
        raise Bad(f"{where}.history", f"has {len(state.history)} rows for epoch {epoch} (expected {epoch + 1})")
    if (state.epoch_batch_rows is None) != (state.epoch_batches is None):
        raise Bad(where, "epoch_batch_rows and epoch_batches must both be set or both be null")
    if batch:
        if state.epoch_batches is None or batch >= state.epoch_batches:
            raise Bad(f"{where}.batch", "must be below epoch_batches in an epoch under way")
        if len(state.batch_losses) != batch:
            raise Bad(f"{where}.batch_losses", f"must hold one loss per batch done ({batch})")
    elif not np.array_equal(state.history.weights[-1], state.weights):
        raise Bad(f"{where}.weights", "differ from the last weights of the history")


def check_fits(state: TrainerState, n: int, where: str) -> None:
    """Check the parts of a state that depend on the number `n` of training rows."""
    order = state.order
    if order is not None and (len(order) != n or not (np.bincount(order, minlength=n) == 1).all()):
        raise Bad(f"{where}.order", f"must be a permutation of the {n} training rows")
    rows = state.epoch_batch_rows
    if rows is not None and (rows > n or state.epoch_batches != -(-n // rows)):
        raise Bad(f"{where}.epoch_batch_rows", f"do not fit {n} training rows")
    start, stop = state.last_rows
    if not start <= stop <= n:
        raise Bad(f"{where}.last_rows", f"must be a range within the {n} training rows")
    if state.batch_correct > min(n, state.batch * rows if state.batch else n):
        raise Bad(f"{where}.batch_correct", "exceeds the rows seen")
