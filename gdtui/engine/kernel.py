"""The fused full-batch loop: many epochs of the lesson's update in one call.

A full-batch epoch without shuffling is one evaluation and one update. `full_batch_epochs` runs
up to a chunk of them back to back, writing each epoch's loss, direction, weights, optimizer
state and alpha straight into reserved history rows, with exactly the arithmetic of
`Trainer.step_batch` (the same kernel, the same update, in the same order), so the record is the
same to the bit. What it leaves out is the per-epoch bookkeeping: finiteness is tested once per
chunk (`finite_prefix`), the training accuracy is measured when it is read, and the trainer
records the chunk through the same method as a stepped epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .history import Rows
from .losses import BLOCK_ROWS, Loss, Workspace, sse_rows
from .optim import OptState, Rule

CHUNK_EPOCHS = 2048
"""Epochs run (and tested for finiteness) per call."""


@dataclass(frozen=True)
class Stops:
    """The stop rules the loop checks after every epoch, and the best loss so far."""

    tol: float | None
    patience: int | None
    best_loss: float
    best_epoch: int

    @property
    def any(self) -> bool:
        return self.tol is not None or self.patience is not None


def full_batch_epochs(X: np.ndarray, y: np.ndarray, loss: Loss, rule: Rule, w: np.ndarray, state: OptState,
                      alpha_at: Callable[[int], float], scheduled: bool, epoch: int, momentum: float, rows: Rows,
                      count: int, stops: Stops, work: Workspace) -> tuple[int, str | None]:
    """Up to `count` epochs from weights `w` and rule memory `state` after `epoch` epochs, into
    `rows`: losses, directions, the NEGATED weights (turned back by `finite_prefix`), alphas and,
    except for gd (whose memory is only a count, filled in by `fill_plain_states`), the states.
    `alpha_at(t)` is the alpha of the epoch after t epochs (called per epoch only if `scheduled`).
    Stops after the epoch on which tol or patience fires. Returns (epochs run, the rule that fired)."""
    gd = rule.name == "gd"
    negated = rows.weights  # the weights are kept negated: see gdtui.engine.losses
    previous = -w
    directions, losses, states, alphas = rows.directions, rows.losses, rows.state, rows.alphas
    small_sse = loss.name == "sse" and len(y) <= BLOCK_ROWS
    if small_sse:
        t, p, e = work.t[: len(y)], work.p[: len(y)], work.e[: len(y)]
    kernel, update = loss.kernel, rule.update
    alpha = alpha_at(epoch)
    rate = np.array(alpha)  # gd multiplies by a 0-d array: half the cost of a Python float
    scaled = np.empty(w.shape)
    if not scheduled:  # (the common case pays nothing per epoch for schedules)
        alphas[:count] = alpha
    best_loss, best_epoch = stops.best_loss, stops.best_epoch
    for i in range(count):
        if scheduled:
            alphas[i] = rate[...] = alpha = alpha_at(epoch + i)
        g, following = directions[i], negated[i]
        value = sse_rows(X, y, previous, t, p, e, g) if small_sse else kernel(X, y, previous, work, g)
        losses[i] = value
        if gd:  # W -= alpha g, i.e. -W += alpha g: the same rounding, negated
            np.multiply(g, rate, out=scaled)
            np.add(previous, scaled, out=following)
        else:
            step, state = update(g, state, alpha, momentum)
            np.subtract(previous, step, out=following)
            states[i] = state.pack()
        previous = following
        if stops.any:
            if value < best_loss:
                best_loss, best_epoch = value, epoch + i + 1
            if stops.tol is not None and value < stops.tol:
                return i + 1, "tol"
            if stops.patience is not None and epoch + i + 1 - best_epoch >= stops.patience:
                return i + 1, "patience"
    return count, None


def finite_prefix(rows: Rows, ran: int, w: np.ndarray, gd: bool) -> int:
    """Turn the negated weights of the first `ran` rows into the weights, write their steps (from
    `w`, the weights before the first), and return how many leading rows are finite throughout."""
    weights, steps = rows.weights[:ran], rows.steps[:ran]
    np.negative(weights, out=weights)
    if ran:
        np.subtract(weights[0], w, out=steps[0])
        np.subtract(weights[1:], weights[:-1], out=steps[1:])
    axes = tuple(range(1, weights.ndim))
    finite = np.isfinite(rows.losses[:ran])
    finite &= np.isfinite(rows.directions[:ran]).all(axis=axes)
    finite &= np.isfinite(steps).all(axis=axes)  # with finite weights before them: the weights too
    if not gd:
        finite &= np.isfinite(rows.state[:ran, :-1]).all(axis=1)
    return ran if finite.all() else int(np.argmin(finite))


def fill_plain_states(rows: Rows, count: int, state: OptState) -> OptState:
    """gd keeps no memory but its count of updates: write it into the first `count` rows, after
    `state`, and return the state after the last."""
    packed = rows.state[:count]
    packed[:] = state.pack()
    packed[:, -1] = np.arange(state.steps + 1, state.steps + count + 1)
    return state._replace(steps=state.steps + count)


def chunk_end(rows: Rows, good: int, state: OptState, rule: Rule,
              momentum: float) -> tuple[OptState, OptState, np.ndarray]:
    """After `good` recorded epochs of a chunk that began with the rule's memory `state`: the
    memory after the last, the memory before it, and the step the last update took (taken again
    from the memory before it, the same arithmetic as the loop's)."""
    shape = state.first.shape
    if rule.name == "gd":
        after = fill_plain_states(rows, good, state)
        before = after._replace(steps=after.steps - 1)
    else:
        after = OptState.unpack(rows.state[good - 1], shape)
        before = state if good == 1 else OptState.unpack(rows.state[good - 2], shape)
    with np.errstate(all="ignore"):
        step, _ = rule.update(rows.directions[good - 1].copy(), before, float(rows.alphas[good - 1]), momentum)
    return after, before, step
