"""An update written out with its own numbers, in the lesson's notation: what one row contributes,
what the batch sums to, what the update rule does with it, and where the boundary goes.

The lesson's sigmoid unit (sse, bce) is written here; the other losses' rows and the penalty's
part come from `gdtui.engine.explain_models`, and `explain` assembles either.

Everything here is computed from the update's inputs (the weights before it, the rows it used,
alpha, the rule's memory before it) with the lesson's formulas written plainly, not through the
training kernels, so that the screen that shows it can be checked against another transcription.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from . import explain_models as models
from .config import SIGMOID_LOSSES
from .explain_models import ClassPushes, ClassRow, HingeRow, PenaltyPart, Pushes
from .config import is_line_model
from .features import LESSON, raw_weights
from .optim import ADAM_BETA1, ADAM_BETA2, ADAM_EPS, ADAGRAD_EPS, RMSPROP_EPS, RMSPROP_SMOOTHING, OptState
from .snapshot import plain


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -700.0, 700.0)))


@dataclass(frozen=True)
class Row:
    """One training row made concrete."""

    index: int
    """Its position among the training rows."""
    x: tuple[float, ...]
    """The row of the design matrix, d entries: the bias trick's constant 1, then the features."""
    y: float
    """Its label, 0 or 1."""
    z: float
    """z = W·x."""
    p: float
    """p = σ(z)."""
    e: float
    """e = p − y."""
    slope: float
    """What multiplies e in the row's part of g: p(1 − p) for sse (σ's derivative, written with its
    own output), 1 for bce."""
    part: tuple[float, ...]
    """The row's contribution to g: e·slope·x."""


def rows_of(loss: str, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """z, p, e, the slope and every row's contribution (n, d) to g, for rows X (n, d) at weights w."""
    z = X @ np.asarray(w, dtype=np.float64)
    p = sigmoid(z)
    e = p - y
    slope = p * (1.0 - p) if loss == "sse" else np.ones_like(p)
    return {"z": z, "p": p, "e": e, "slope": slope, "part": (e * slope)[:, None] * X}


def row(loss: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, index: int, rows=None) -> Row:
    """Row `index` of X made concrete (`rows`: `rows_of` for these X, y, w, if at hand)."""
    rows = rows_of(loss, X, y, w) if rows is None else rows
    return Row(int(index), tuple(X[index].tolist()), float(y[index]), float(rows["z"][index]),
               float(rows["p"][index]), float(rows["e"][index]), float(rows["slope"][index]),
               tuple(rows["part"][index].tolist()))


def strongest(parts: np.ndarray) -> int:
    """The row whose contribution to g is the largest (by its length)."""
    return int(np.argmax(np.einsum("ij,ij->i", parts, parts)))


def pushes(rows: dict[str, np.ndarray]) -> Pushes:
    push = rows["e"] * rows["slope"]
    scale = float(np.abs(push).max()) if push.size else 0.0
    idle = np.abs(push) <= 1e-6 * scale
    return Pushes(int(np.count_nonzero((push > 0) & ~idle)), int(np.count_nonzero((push < 0) & ~idle)),
                  int(np.count_nonzero(idle)))


@dataclass(frozen=True)
class RuleLine:
    """One line of the update rule: its symbol, its formula and its value (a vector or a number)."""

    symbol: str
    formula: str
    value: tuple[float, ...] | float
    before: tuple[float, ...] | None = None
    """The rule's memory of that name before the update (its lines that update a memory)."""


def rule_lines(rule: str, g: np.ndarray, state: OptState, alpha: float, mu: float) -> list[RuleLine]:
    """What `rule` computes from g and its memory before the update (`state`), line by line, as
    torch.optim writes it, ending with the step."""
    g = np.asarray(g, dtype=np.float64)
    t = state.steps + 1
    if rule == "gd":
        return [RuleLine("step", "−α·g", plain(-alpha * g))]
    if rule in ("momentum", "nesterov"):
        v = state.first * mu + g
        lines = [RuleLine("v", "μ·v + g", plain(v), plain(state.first))]
        if rule == "momentum":
            return lines + [RuleLine("step", "−α·v", plain(-alpha * v))]
        return lines + [RuleLine("step", "−α·(g + μ·v)", plain(-alpha * (g + mu * v)))]
    if rule == "adagrad":
        s = state.second + g * g
        return [RuleLine("s", "s + g²", plain(s), plain(state.second)),
                RuleLine("step", f"−α·g / (√s + {ADAGRAD_EPS:g})", plain(-alpha * g / (np.sqrt(s) + ADAGRAD_EPS)))]
    if rule == "rmsprop":
        s = state.second * RMSPROP_SMOOTHING + (1 - RMSPROP_SMOOTHING) * g * g
        return [RuleLine("s", f"{RMSPROP_SMOOTHING:g}·s + {1 - RMSPROP_SMOOTHING:.2g}·g²", plain(s),
                         plain(state.second)),
                RuleLine("step", f"−α·g / (√s + {RMSPROP_EPS:g})", plain(-alpha * g / (np.sqrt(s) + RMSPROP_EPS)))]
    m = state.first + (1 - ADAM_BETA1) * (g - state.first)
    v = state.second * ADAM_BETA2 + (1 - ADAM_BETA2) * g * g
    m_hat, v_hat = 1 - ADAM_BETA1 ** t, 1 - ADAM_BETA2 ** t
    step = -(alpha / m_hat) * (m / (np.sqrt(v) / math.sqrt(v_hat) + ADAM_EPS))
    return [RuleLine("m", f"{ADAM_BETA1:g}·m + {1 - ADAM_BETA1:.1g}·g", plain(m), plain(state.first)),
            RuleLine("v", f"{ADAM_BETA2:g}·v + {1 - ADAM_BETA2:.1g}·g²", plain(v), plain(state.second)),
            RuleLine("1−β1ᵗ", f"bias correction of m (t = {t})", m_hat),
            RuleLine("1−β2ᵗ", f"bias correction of v (t = {t})", v_hat),
            RuleLine("step", "−α/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + 1e-8)", plain(step))]


@dataclass(frozen=True)
class Explanation:
    """One update, written out. Vectors are tuples of floats, and K x d blocks K such tuples."""

    loss: str
    rule: str
    alpha: float
    momentum: float
    rows: int
    """How many rows the update used (the batch)."""
    example: "Row | HingeRow | ClassRow"
    """The row that pushed hardest, made concrete."""
    pushes: "Pushes | ClassPushes"
    g: tuple
    """The update direction: the sum of the rows' contributions, plus the penalty's part."""
    lines: tuple[RuleLine, ...]
    """The update rule's lines, ending with the step."""
    before: tuple
    after: tuple
    """W before and after the update (before + step)."""
    loss_value: float = math.nan
    """The batch's printed loss at the weights before: Σ e² (sse), Σ −y·log p − (1 − y)·log(1 − p)
    (bce), or the other losses' sums (`explain_models.loss_value`)."""
    steps_before: int = 0
    """Updates the rule had taken before this one (adam's t is one more)."""
    boundary: "Boundary | None" = None
    """The boundary of the weights after the update, in the points' coordinates (one score on
    the features x1, x2 only; else None)."""
    boundary_weights: tuple | None = None
    """(w0, w1, w2) of that boundary on the raw x1, x2 (the weights after, unless standardized)."""
    data_g: tuple = ()
    """The sum of the rows' contributions alone."""
    penalty: PenaltyPart | None = None
    features: tuple[str, ...] = LESSON
    """The model's columns after the bias (`TrainConfig.features` names)."""
    standardized: bool = False
    point: tuple[float, float] | None = None
    """The example's raw point (x1, x2), where its columns are not simply (1, x1, x2)."""


def explain(loss: str, rule: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, state: OptState, alpha: float,
            mu: float, indices: np.ndarray | None = None, penalty: str = "none", lam: float = 0.0,
            **described) -> Explanation:
    """The update that the rows X (n, d), y (n,) make from weights w with `rule`'s memory `state`
    (`indices`: those rows' positions among the training rows, for naming the example), with
    `penalty` of strength `lam`; `described`: the `Explanation` fields of the model's columns."""
    w = np.asarray(w, dtype=np.float64)
    if loss in SIGMOID_LOSSES:
        rows = rows_of(loss, X, y, w)
        data_g, top = rows["part"].sum(axis=0), strongest(rows["part"])
        example, push, value = row(loss, X, y, w, top, rows), pushes(rows), printed_loss(loss, rows)
    else:
        rows = models.model_rows(loss, X, y, w)
        data_g = models.batch_sum(rows["R"], X)
        top = int(np.argmax(models.lengths(rows["R"], X)))
        example = models.model_row(loss, X, y, rows, top)
        push, value = models.pushes_of(loss, rows), models.loss_value(loss, rows)
    part = models.penalty_part(penalty, lam, w)
    g = data_g if part is None else data_g + np.array(part.part)
    lines = rule_lines(rule, g, state, alpha, mu)
    after = w + np.array(lines[-1].value)
    example = replace(example, index=int(top if indices is None else indices[top]))
    return Explanation(loss, rule, float(alpha), float(mu), len(y), example, push, plain(g), tuple(lines), plain(w),
                       plain(after), value, int(state.steps), data_g=plain(data_g), penalty=part, **described)


def printed_loss(loss: str, rows: dict[str, np.ndarray]) -> float:
    """The loss the lesson prints, summed over the rows: Σ e² for sse; for bce Σ softplus(z) − y·z,
    which is Σ −y·log p − (1 − y)·log(1 − p) written so that it never takes log 0."""
    if loss == "sse":
        return float(np.sum(rows["e"] ** 2))
    z = rows["z"]
    y = rows["p"] - rows["e"]
    return float(np.sum(np.logaddexp(0.0, z) - y * z))


@dataclass(frozen=True)
class Boundary:
    """Where σ(W·x) = 0.5, i.e. 0 = w0 + w1·x + w2·y: the line y = intercept + slope·x (w2 ≠ 0),
    the vertical x = at (w2 = 0, w1 ≠ 0), or none (w1 = w2 = 0)."""

    kind: str
    """'line', 'vertical' or 'none'."""
    intercept: float = math.nan
    """−w0 / w2."""
    slope: float = math.nan
    """−w1 / w2."""
    at: float = math.nan
    """−w0 / w1 (a vertical line)."""


def boundary(w) -> Boundary:
    w0, w1, w2 = (float(v) for v in w)
    if w2 != 0:
        return Boundary("line", intercept=-w0 / w2, slope=-w1 / w2)
    if w1 != 0:
        return Boundary("vertical", at=-w0 / w1)
    return Boundary("none")


def explain_update(update, X: np.ndarray, y: np.ndarray, points: np.ndarray | None = None,
                   features: tuple[str, ...] = LESSON, scaling=None) -> Explanation:
    """The update whose inputs `update` (a `gdtui.engine.last_update.LastUpdate`) holds, over the
    training rows X (n, d), y (n,) of a model on `features`, standardized by `scaling` (a
    `gdtui.engine.features.Scaling`) if given; `points`: the training rows' raw (x1, x2)."""
    rows = update.rows
    e = explain(update.loss, update.rule, X[rows], y[rows], update.weights, update.state, update.alpha,
                update.momentum, rows, update.penalty, update.lam, features=tuple(features),
                standardized=scaling is not None)
    changes = {}
    if points is not None and (tuple(features) != LESSON or scaling is not None):
        changes["point"] = tuple(float(v) for v in points[e.example.index])
    if is_line_model(np.ndim(e.after) == 1, features):
        after = np.array(e.after)
        if scaling is not None:
            after = raw_weights(after, scaling)
        changes.update(boundary=boundary(after), boundary_weights=plain(after))
    return replace(e, **changes)
