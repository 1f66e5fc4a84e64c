"""A read `TrainerState` checked against itself, its config and its data: what the trainer could
not have produced is refused (`Bad`), whatever the file's version.

Each check states an invariant of `Trainer` (gdtui.engine.trainer); the tests hold the trainer to
them. What no cheap check can tell (say, that a multi-batch epoch's weights follow from its
batches) is left to the reader's trust.
"""

from __future__ import annotations

import math

import numpy as np

from .codec import Bad
from .config import OPTIMIZERS, TrainConfig
from .history import HistoryArrays
from .optim import RULES, OptState
from .state import TrainerState
from .state_fields import FIRST, SECOND, rule_codes, rule_runs

MAX_START = 1e6
"""Initial weights are a standard-normal draw or `init_weights`, both within this."""
QUIET_NAN = np.float64(math.nan).view(np.uint64)


def check_state(state: TrainerState, where: str, config: TrainConfig, n: int) -> None:
    """Every check below, for a trainer on `n` training rows under `config`."""
    shape = state.weights.shape
    memory(state.optimizer_state, config.optimizer, f"{where}.optimizer_state")
    counters = check_history(state.history, f"{where}.history", n, shape)
    _progress(state, where, config, n)
    _against_history(state, where, config, n, counters)
    if len(state.batch_penalties) not in (0, len(state.batch_losses)):  # (0: a file from before penalties)
        raise Bad(f"{where}.batch_penalties", "must hold one penalty per batch loss")
    if not all(math.isfinite(p) and p >= 0 for p in state.batch_penalties):
        raise Bad(f"{where}.batch_penalties", "must hold finite numbers >= 0")


def memory(state: OptState, rule: str, where: str) -> None:
    """A rule's memory: what the rule does not keep is zero; sums and means of g^2 are >= 0."""
    for field, users in (("first", FIRST), ("second", SECOND)):
        value = getattr(state, field)
        if rule not in users and value.view(np.uint64).any():
            raise Bad(f"{where}.{field}", f"must be zero: {rule} keeps no {field} moment")
    if np.signbit(state.second).any():
        raise Bad(f"{where}.second", "must not be negative (it sums or averages squares)")


def _bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(np.ascontiguousarray(a).view(np.uint64),
                                                 np.ascontiguousarray(b).view(np.uint64))


# ---- the history ---------------------------------------------------------------------------------


def check_history(h: HistoryArrays, where: str, n: int, shape: tuple[int, ...]) -> np.ndarray:
    """Values in range, each row's rule memory, update counters and replayable rows; returns the
    counters."""
    rows, size = len(h), int(np.prod(shape))
    if np.abs(h.weights[0]).max(initial=0) > MAX_START:
        raise Bad(f"{where}.weights", f"row 0 (the initial weights) must lie within [-{MAX_START:g}, {MAX_START:g}]")
    with np.errstate(over="ignore", invalid="ignore"):
        if not np.isfinite(np.diff(h.weights, axis=0)).all():
            raise Bad(f"{where}.weights", "jump further between two epochs than a finite step goes")
    losses = h.losses
    if np.isnan(losses).any() or np.signbit(losses).any() or not np.isfinite(losses[1:]).all():
        raise Bad(f"{where}.losses", "must be numbers >= 0 (row 0 may be \"inf\")")
    _accuracy(h.train_accuracy, f"{where}.train_accuracy", n)
    alphas = h.alphas
    if not np.isfinite(alphas).all() or np.signbit(alphas).any() or (alphas > 1e6).any():
        raise Bad(f"{where}.alphas", "must be numbers in [0, 1e6] (a schedule only lowers alpha)")
    batches = h.batches.astype(np.int64)
    known = np.maximum.accumulate(batches > 0)
    if batches[0] or (batches[1:] > n).any() or (known[1:] & (batches[1:] == 0)).any():
        raise Bad(f"{where}.batches", f"must be 0 in row 0 and counts in [1, {n}] after (0: unknown, "
                                      "only in rows read from a version-1 file)")
    state = h.optimizer_state
    first, second = state[:, :size].reshape(rows, *shape), state[:, size:2 * size].reshape(rows, *shape)
    counts = state[:, -1].astype(np.int64)
    runs = rule_runs(h.optimizers)
    codes = rule_codes(runs)
    for code, rule in enumerate(OPTIMIZERS):
        mine = codes == code
        if mine.any():
            memory(OptState(first[mine], second[mine], 0), rule, f"{where}.optimizer_state ({rule} rows)")
    if counts[0] or state[0].view(np.uint64).any():
        raise Bad(f"{where}.optimizer_state", "row 0 must be a fresh rule memory (zeros, no update counted)")
    _counters(counts, batches, codes, f"{where}.optimizer_state", n)
    _replay(h, codes, counts, batches, first, second, where)
    return counts


def _accuracy(accuracy: np.ndarray, where: str, n: int) -> None:
    """nan (the quiet nan, never in row 0: not measured yet) or a share k/n of the rows, exactly."""
    unmeasured = np.isnan(accuracy)
    if unmeasured[0] or (accuracy[unmeasured].view(np.uint64) != QUIET_NAN).any():
        raise Bad(where, "must be shares of the training rows (nan: not measured yet, never in row 0)")
    measured = accuracy[~unmeasured]
    with np.errstate(invalid="ignore", over="ignore"):
        right = np.rint(measured * n)
    if not (np.isfinite(right).all() and (right >= 0).all() and (right <= n).all()
            and _bits_equal(right / n, measured)):
        raise Bad(where, f"must be shares k/{n} of the {n} training rows, in [0, 1]")


def _counters(counts: np.ndarray, batches: np.ndarray, codes: np.ndarray, where: str, n: int) -> None:
    """Row k's update counter goes on from row k-1's by the epoch's batches, under the same rule;
    or the rule's memory started afresh during the epoch (a change of rule), and it counts at most
    the epoch's batches. Where the batches are unknown (version 1), within [1, n]."""
    if len(counts) < 2:
        return
    now, before, b = counts[1:], counts[:-1], batches[1:]
    same = codes[1:] == codes[:-1]
    bound = np.where(b > 0, b, n)
    went_on = same & np.where(b > 0, now == before + b, (now - before >= 1) & (now - before <= n))
    afresh = (now >= 1) & (now <= bound)
    bad = np.flatnonzero(~(went_on | afresh))
    if len(bad):
        raise Bad(where, f"row {bad[0] + 1}: the update counter ({now[bad[0]]}) does not follow from row "
                         f"{bad[0]} ({before[bad[0]]}) and the epoch's batches")


def _replay(h: HistoryArrays, codes: np.ndarray, counts: np.ndarray, batches: np.ndarray, first: np.ndarray,
            second: np.ndarray, where: str) -> None:
    """An epoch of one update is taken again from the row before (gd, momentum, adagrad, rmsprop:
    the weights; adagrad, rmsprop, adam: the rule's memory), with the rule's own arithmetic."""
    one = batches[1:] == 1
    went_on = (codes[1:] == codes[:-1]) & (counts[1:] == counts[:-1] + 1)
    for rule in ("gd", "momentum", "adagrad", "rmsprop", "adam"):
        mine = one & (codes[1:] == OPTIMIZERS.index(rule))
        if not mine.any():
            continue
        # m: rows 1.. that are this rule's one-update epochs; k: those rows; p: the rows before
        if mine.all():  # (a long full-batch run: slices, no gathering)
            m, k, p = slice(None), slice(1, None), slice(None, -1)
        else:
            m = np.flatnonzero(mine)
            k, p = m + 1, m
        fresh = _column(~went_on[m], first[k])
        before = OptState(np.where(fresh, 0.0, first[p]), np.where(fresh, 0.0, second[p]), _column(counts[p], first[k]))
        g, alpha = h.directions[k], _column(h.alphas[k], first[k])
        with np.errstate(all="ignore"):
            if rule == "momentum":
                step, after = -alpha * first[k], None
            else:
                step, after = RULES[rule].update(g, before, alpha, 0.0)
            if rule in SECOND and not _bits_equal(after.second, second[k]):
                raise Bad(f"{where}.optimizer_state", f"{rule} rows do not follow from their direction")
            if rule == "adam":
                if not _bits_equal(after.first, first[k]):
                    raise Bad(f"{where}.optimizer_state", "adam rows do not follow from their direction")
                continue
            reached = h.weights[p] + step
        if not _bits_equal(reached, h.weights[k]):
            raise Bad(f"{where}.weights", f"{rule} epochs of one update do not follow from their direction and alpha")


def _column(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    return values.reshape((len(values),) + (1,) * (like.ndim - 1))


# ---- the state around the history ----------------------------------------------------------------


def _progress(state: TrainerState, where: str, config: TrainConfig, n: int) -> None:
    epoch, batch = state.epoch, state.batch
    if len(state.history) != epoch + 1:
        raise Bad(f"{where}.history", f"has {len(state.history)} rows for epoch {epoch} (expected {epoch + 1})")
    if (state.epoch_batch_rows is None) != (state.epoch_batches is None):
        raise Bad(where, "epoch_batch_rows and epoch_batches must both be set or both be null")
    rows = state.epoch_batch_rows
    if rows is None and (epoch or batch or state.diverged):
        raise Bad(f"{where}.epoch_batch_rows", "must be set once an epoch has started")
    if rows is not None and (rows > n or state.epoch_batches != -(-n // rows)):
        raise Bad(f"{where}.epoch_batch_rows", f"do not fit {n} training rows")
    order = state.order
    if order is not None and (len(order) != n or not (np.bincount(order, minlength=n) == 1).all()):
        raise Bad(f"{where}.order", f"must be a permutation of the {n} training rows")
    losses = np.array(state.batch_losses, dtype=np.float64)
    if not np.isfinite(losses).all() or np.signbit(losses).any():
        raise Bad(f"{where}.batch_losses", "must be finite numbers >= 0")
    start, stop = state.last_rows
    if not (start < stop <= n or start == stop == 0):
        raise Bad(f"{where}.last_rows", f"must be a range within the {n} training rows")
    if state.batch_correct > min(n, batch * rows if batch else n):
        raise Bad(f"{where}.batch_correct", "exceeds the rows seen")
    for name in ("epoch_start", "direction_sum", "last_step", "last_direction"):
        if getattr(state, name).shape != state.weights.shape:
            raise Bad(f"{where}.{name}", "must have the weights' shape")
    if batch:
        if batch >= state.epoch_batches:
            raise Bad(f"{where}.batch", "must be below epoch_batches in an epoch under way")
        if len(losses) != batch:
            raise Bad(f"{where}.batch_losses", f"must hold one loss per batch done ({batch})")
        if state.last_rows != ((batch - 1) * rows, min(n, batch * rows)):
            raise Bad(f"{where}.last_rows", "must be the rows of the last batch done")
    elif len(losses) > (state.epoch_batches or 0):
        raise Bad(f"{where}.batch_losses", "hold more losses than the last epoch had batches")
    best = _best(state.history.losses)
    if (state.best_epoch, np.float64(state.best_loss).view(np.uint64)) != (best[0], np.float64(best[1]).view(np.uint64)):
        raise Bad(f"{where}.best_loss", f"best_loss and best_epoch must be the history's lowest loss (epoch {best[0]})")


def _best(losses: np.ndarray) -> tuple[int, float]:
    if len(losses) < 2:
        return 0, math.inf
    epoch = int(np.argmin(losses[1:])) + 1
    return epoch, float(losses[epoch])


def _against_history(state: TrainerState, where: str, config: TrainConfig, n: int, counts: np.ndarray) -> None:
    h, opt = state.history, state.optimizer_state
    last_rule, last = h.optimizers[-1], OptState.unpack(h.optimizer_state[-1], state.weights.shape)
    fresh = not (opt.first.view(np.uint64).any() or opt.second.view(np.uint64).any() or opt.steps)
    if state.batch == 0:
        if not _bits_equal(state.weights, h.weights[-1]):
            raise Bad(f"{where}.weights", "differ from the last weights of the history")
        kept = (config.optimizer == last_rule and opt.steps == last.steps and _bits_equal(opt.first, last.first)
                and _bits_equal(opt.second, last.second))
        if not (kept or fresh):
            raise Bad(f"{where}.optimizer_state", "must be the last epoch's (or fresh, after a change of rule)")
        if state.diverged:
            _diverged_at_a_boundary(state, where, config, n)
        return
    if not _bits_equal(state.epoch_start, h.weights[-1]):
        raise Bad(f"{where}.epoch_start", "must be the last weights of the history in an epoch under way")
    went_on = config.optimizer == last_rule and opt.steps == int(counts[-1]) + state.batch
    if not (went_on or fresh or 1 <= opt.steps <= state.batch):  # (fresh: a change of rule, no update since)
        raise Bad(f"{where}.optimizer_state.steps", f"({opt.steps}) do not follow from the last epoch's "
                                                    f"({int(counts[-1])}) and the {state.batch} batches done")


def _diverged_at_a_boundary(state: TrainerState, where: str, config: TrainConfig, n: int) -> None:
    """The refused update was the first of an epoch: the epoch had started (its rows drawn)."""
    rows = n if config.batch_size is None else min(config.batch_size, n)
    started = (state.epoch_batch_rows == rows and not state.batch_losses and state.batch_correct == 0
               and _bits_equal(state.epoch_start, state.weights) and (state.order is None) != config.shuffle)
    if not started:
        raise Bad(f"{where}.diverged", "a divergence on an epoch's first batch leaves that epoch started")
