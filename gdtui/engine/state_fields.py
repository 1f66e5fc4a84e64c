"""The fields of a saved `TrainerState`: one row per field saying how it is read and checked.

`STATE` is the table of format version 2 (arrays packed, see `gdtui.engine.packed`), `STATE_V1`
that of version 1 (arrays as JSON lists), read only. Both give the same `TrainerState`; then
`gdtui.engine.state_checks` checks the fields against each other, the config and the data.
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import Any

import numpy as np

from .codec import (Bad, Field, encode, flag, floats, indices, integer, keys, loss_value, number_list, optional,
                    pair_of_ints, rng_state, vector)
from .config import MAX_EPOCHS, MAX_SAMPLES, OPTIMIZERS
from .history import HistoryArrays
from .optim import OptState
from .packed import Packed, unpack

MAX_COUNT = 2**53
"""Update counters above this would not survive the history's float column."""
FIRST = ("momentum", "nesterov", "adam")
"""The rules that keep `OptState.first` (the others leave it zero)."""
SECOND = ("adagrad", "rmsprop", "adam")
"""The rules that keep `OptState.second`."""


def _optimizer_state(value: Any, where: str, shape: tuple[int, ...]) -> OptState:
    raw = keys(value, where, ("first", "second", "steps"))
    return OptState(vector(raw["first"], f"{where}.first", shape), vector(raw["second"], f"{where}.second", shape),
                    integer(0, 2**62)(raw["steps"], f"{where}.steps"))


def _write_optimizer_state(state: OptState) -> dict[str, Any]:
    return {"first": state.first.tolist(), "second": state.second.tolist(), "steps": int(state.steps)}


def derived_steps(weights: np.ndarray) -> np.ndarray:
    """The history's steps, which are weights[k] - weights[k-1] exactly (row 0: zeros)."""
    steps = np.zeros(weights.shape)
    np.subtract(weights[1:], weights[:-1], out=steps[1:])
    return steps


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
    if derived_steps(arrays["weights"]).view(np.uint64).tobytes() != arrays["steps"].view(np.uint64).tobytes():
        raise Bad(f"{where}.steps", "must be the differences of the history's weights, exactly")
    return HistoryArrays(**arrays, optimizers=tuple(names))


def _write_history(history: HistoryArrays) -> dict[str, Any]:
    rows = len(history)
    out = {key: encode(getattr(history, key).reshape(rows, -1) if key in ("weights", "directions", "steps")
                       else getattr(history, key)) for key in HISTORY_COLUMNS}
    out["optimizers"] = list(history.optimizers)
    return out


_POSITION = (
    Field("rng", rng_state),
    Field("epoch", integer(0, MAX_EPOCHS)),
    Field("batch", integer(0, MAX_SAMPLES)),
    Field("epoch_batch_rows", optional(integer(1, MAX_SAMPLES))),
    Field("epoch_batches", optional(integer(1, MAX_SAMPLES))),
)
"""Where a run stands (the random generator, the epoch and the batch in it), alike in every version."""


STATE_V1 = (
    Field("weights", vector),
    Field("optimizer_state", _optimizer_state, _write_optimizer_state),
    *_POSITION,
    Field("order", optional(indices(MAX_SAMPLES))),
    Field("batch_losses", number_list),
    Field("batch_correct", integer(0, MAX_SAMPLES)),
    Field("batch_penalties", number_list, absent=tuple),
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
"""How each field of a `TrainerState` is read from a version-1 session file."""


# ---- version 2 -----------------------------------------------------------------------------------


def _packed_vector(value: Any, where: str, shape: tuple[int, ...]) -> np.ndarray:
    array = unpack(value, where, "<f8", shape)
    if not np.isfinite(array).all():
        raise Bad(where, "must hold finite numbers only")
    return array.copy()


def _write_vector(array: np.ndarray) -> Packed:
    return Packed(array, "<f8")


def _optimizer_state_v2(value: Any, where: str, shape: tuple[int, ...]) -> OptState:
    raw = keys(value, where, ("first", "second", "steps"))
    return OptState(_packed_vector(raw["first"], f"{where}.first", shape),
                    _packed_vector(raw["second"], f"{where}.second", shape),
                    integer(0, MAX_COUNT)(raw["steps"], f"{where}.steps"))


def _write_optimizer_state_v2(state: OptState) -> dict[str, Any]:
    return {"first": Packed(state.first, "<f8"), "second": Packed(state.second, "<f8"), "steps": int(state.steps)}


def _order(value: Any, where: str, shape: tuple = ()) -> np.ndarray | None:
    if value is None:
        return None
    order = unpack(value, where, "<i4", (None,))
    if ((order < 0) | (order >= MAX_SAMPLES)).any():
        raise Bad(where, f"must hold row indices in [0, {MAX_SAMPLES})")
    return order.astype(np.int64)


def _batch_losses(value: Any, where: str, shape: tuple = ()) -> tuple[float, ...]:
    return tuple(unpack(value, where, "<f8", (None,)).tolist())


V2_COLUMNS = ("weights", "directions", "losses", "train_accuracy", "alphas", "batches", "optimizer_steps_off",
              "optimizer_first", "optimizer_second", "optimizers")


def _history_v3(value: Any, where: str, shape: tuple[int, ...]) -> HistoryArrays:
    return _history_v2(value, where, shape, V2_COLUMNS + ("penalties",))


def _history_v2(value: Any, where: str, shape: tuple[int, ...], columns: tuple[str, ...] = V2_COLUMNS) -> HistoryArrays:
    raw = keys(value, where, columns)
    weights = unpack(raw["weights"], f"{where}.weights", "<f8", (None, *shape))
    rows = len(weights)
    runs = _rule_runs(raw["optimizers"], f"{where}.optimizers", rows)
    codes = rule_codes(runs)

    def column(key: str, dtype: str = "<f8", runs: bool = False) -> np.ndarray:
        return unpack(raw[key], f"{where}.{key}", dtype, (rows,), runs)

    def memory(key: str, rules: tuple[str, ...]) -> np.ndarray:
        uses = np.isin(codes, [OPTIMIZERS.index(rule) for rule in rules])
        kept = unpack(raw[key], f"{where}.{key}", "<f8", (int(uses.sum()), *shape))
        full = np.zeros((rows, *shape))
        full[uses] = kept
        return full

    directions = unpack(raw["directions"], f"{where}.directions", "<f8", (rows, *shape))
    first, second = memory("optimizer_first", FIRST), memory("optimizer_second", SECOND)
    for key, array in (("weights", weights), ("directions", directions), ("optimizer_first", first),
                       ("optimizer_second", second)):
        if not np.isfinite(array).all():
            raise Bad(f"{where}.{key}", "must hold finite numbers only")
    batches = column("batches", "<i4", runs=True)
    with np.errstate(over="ignore"):  # (a hostile file may overflow: the range check refuses it)
        counts = np.cumsum(column("optimizer_steps_off", "<i8", runs=True) + batches)
    if ((counts < 0) | (counts > MAX_COUNT)).any():
        raise Bad(f"{where}.optimizer_steps_off", "must give update counts in [0, 2**53]")
    size = int(np.prod(shape))
    packed = np.concatenate([first.reshape(rows, size), second.reshape(rows, size),
                             counts.astype(np.float64)[:, None]], axis=1)
    penalties = column("penalties", runs=True) if "penalties" in raw else np.zeros(rows)
    if not (np.isfinite(penalties) & ~np.signbit(penalties)).all():
        raise Bad(f"{where}.penalties", "must hold finite numbers >= 0")
    return HistoryArrays(weights, directions, derived_steps(weights), column("losses"),
                         column("train_accuracy", runs=True), column("alphas", runs=True), packed,
                         tuple(chain.from_iterable(repeat(name, count) for name, count in runs)),
                         batches, penalties)


def rule_runs(optimizers: tuple[str, ...]) -> list[tuple[str, int]]:
    """The rule of every row -> (rule, rows) runs. Each run's end is found by galloping over
    slices whose `count` runs in C: a few dozen Python steps per run, however long."""
    runs, start, n = [], 0, len(optimizers)

    def same(lo: int, hi: int) -> bool:
        return optimizers[lo:hi].count(rule) == hi - lo

    while start < n:
        rule, end, step = optimizers[start], start + 1, 1
        while end < n and same(end, min(n, end + step)):
            end, step = min(n, end + step), 2 * step
        high = min(n, end + step)
        while end < high:  # the first other rule lies in [end, high)
            middle = (end + high) // 2
            end, high = (middle + 1, high) if same(end, middle + 1) else (end, middle)
        runs.append((rule, end - start))
        start = end
    return runs


def rule_codes(runs: list[tuple[str, int]]) -> np.ndarray:
    """(rule, rows) runs -> each row's index into OPTIMIZERS."""
    return np.repeat(np.array([OPTIMIZERS.index(name) for name, _ in runs], dtype=np.int8),
                     [count for _, count in runs])


def _rule_runs(value: Any, where: str, rows: int) -> list[tuple[str, int]]:
    """[[rule, count], ...], checked."""
    if (type(value) is not list or not value
            or not all(type(r) is list and len(r) == 2 and r[0] in OPTIMIZERS and type(r[1]) is int and r[1] >= 1
                       for r in value)):
        raise Bad(where, "must be a non-empty list of [rule, rows] pairs")
    if sum(count for _, count in value) != rows or any(a[0] == b[0] for a, b in zip(value, value[1:])):
        raise Bad(where, f"must give a rule to each of the {rows} rows, in runs of different rules")
    return [(name, count) for name, count in value]


def _write_history_v2(history: HistoryArrays) -> dict[str, Any]:
    runs = rule_runs(history.optimizers)
    codes = rule_codes(runs)
    size = history.weights[0].size
    state = history.optimizer_state
    return {"weights": Packed(history.weights, "<f8"), "directions": Packed(history.directions, "<f8"),
            "losses": Packed(history.losses, "<f8"),
            "train_accuracy": Packed(history.train_accuracy, "<f8", runs=True),
            "alphas": Packed(history.alphas, "<f8", runs=True), "batches": Packed(history.batches, "<i4", runs=True),
            "optimizer_steps_off": Packed(_steps_off(state[:, -1].astype(np.int64), history.batches), "<i8", runs=True),
            "optimizer_first": Packed(state[np.isin(codes, [OPTIMIZERS.index(r) for r in FIRST]), :size].reshape(-1, *history.weights.shape[1:]),
                                      "<f8"),
            "optimizer_second": Packed(state[np.isin(codes, [OPTIMIZERS.index(r) for r in SECOND]), size:2 * size].reshape(
                -1, *history.weights.shape[1:]), "<f8"),
            "optimizers": [[name, count] for name, count in runs],
            "penalties": Packed(history.penalties, "<f8", runs=True)}


def _steps_off(counts: np.ndarray, batches: np.ndarray) -> np.ndarray:
    """Each row's update count less (the row before's + the row's batches): 0 where the rule went
    on through the epoch, so a long run packs into one run of zeros."""
    off = counts.copy()
    off[1:] -= counts[:-1] + batches[1:]
    return off


STATE = (
    Field("weights", _packed_vector, _write_vector),
    Field("optimizer_state", _optimizer_state_v2, _write_optimizer_state_v2),
    *_POSITION,
    Field("order", _order, lambda order: None if order is None else Packed(order, "<i4")),
    Field("batch_losses", _batch_losses, lambda losses: Packed(np.array(losses, dtype=np.float64), "<f8")),
    Field("batch_correct", integer(0, MAX_SAMPLES)),
    Field("batch_penalties", _batch_losses, lambda values: Packed(np.array(values, dtype=np.float64), "<f8")),
    Field("epoch_start", _packed_vector, _write_vector),
    Field("direction_sum", _packed_vector, _write_vector),
    Field("last_step", _packed_vector, _write_vector),
    Field("last_direction", _packed_vector, _write_vector),
    Field("last_rows", pair_of_ints(0, MAX_SAMPLES)),
    Field("best_loss", loss_value),
    Field("best_epoch", integer(0, MAX_EPOCHS)),
    Field("diverged", flag),
    Field("history", _history_v3, _write_history_v2),
)
"""How each field of a `TrainerState` is read from and written to a session file (version 3: the
version-2 layout, plus each epoch's penalty and the batch penalties of an epoch under way)."""

STATE_V2 = tuple(Field(f.key, _history_v2, f.write) if f.key == "history" else f for f in STATE
                 if f.key != "batch_penalties") + (Field("batch_penalties", _batch_losses, absent=tuple),)
"""How each field of a `TrainerState` is read from a version-2 file (written before penalties)."""
