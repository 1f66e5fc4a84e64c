"""`y`, "why": the update that led to the state shown, written out in the lesson's formulas with its
own numbers (`gdtui.engine.explain` computes them; this module only lays them out as lines).

Textual-free: `choose` picks the update and says what it is; `why_lines` gives the panel's lines
for a width. The lesson's sigmoid unit is written here; the hinge, the K class scores, the
penalty and the score function in `gdtui.ui.why_models`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from gdtui.describe import boundary_equation, column_names
from gdtui.engine.config import SIGMOID_LOSSES
from gdtui.engine.explain import Explanation, explain_update
from gdtui.engine.losses import LOSSES

from . import theme
from .tables import number
from .why_models import class_lines, hinge_lines, penalty_lines, score_lines
from .why_text import fit as _fit, heading as _heading, is_block, per_class, vector
from .widgets.lines import Line

NO_STEP = "No step yet: nothing to explain. Press space (one epoch) or n (one mini-batch), then y."


@dataclass(frozen=True)
class Why:
    """What the panel explains: an update (or None) with its title and a plain note."""

    explanation: Explanation | None
    title: str
    note: str = ""
    """Said above the explanation (or instead of it)."""
    labels: tuple[str, ...] = ("0", "1")
    """The classes' names, class 0 first (as text may show them)."""


def _where(update) -> str:
    if update.batches == 1:
        return f"epoch {update.epoch} (full batch)"
    return f"epoch {update.epoch}, batch {update.batch}/{update.batches}"


def choose(session) -> Why:
    """The update that led to the epoch shown: while rewound, that epoch's if it can be read back
    from the history (a full-batch epoch), else the latest update, said plainly."""
    trainer = session.trainer
    data, features = trainer.data, trainer.config.features
    labels = data.shown_labels

    def written(update):
        return explain_update(update, data.X_train, data.y_train, data.train_points, features, data.scaling)

    note = ""
    if session.viewing is not None:
        if session.viewing == 0:
            return Why(None, "why: epoch 0", "Epoch 0 is the start: no update led to it. Press → or End to "
                       "come forward.")
        update = trainer.last_update(session.viewing)
        if update is not None:
            return Why(written(update), f"why: the update that ended {_where(update)}", labels=labels)
        note = (f"Epoch {session.viewing} was a mini-batch epoch (or its inputs cannot be read back): only its end is "
                "recorded, so this explains only the latest update.")
    update = trainer.last_update()
    if update is None:
        if trainer.epoch or trainer.batch:
            return Why(None, "why", "The inputs of the latest update are not at hand: it was made before this "
                       "session was resumed (a session file does not keep them), or this run was forked from a "
                       "mini-batch epoch, of which only the end is recorded. Take one step (space or n), then y.")
        return Why(None, "why", NO_STEP)
    return Why(written(update), f"why: the latest update, {_where(update)}", note, labels)


# ---- the lines ---------------------------------------------------------------------------------------


def why_lines(why: Why, width: int) -> tuple[Line, ...]:
    """The panel's lines at `width` cells."""
    lines: list[Line] = []
    if why.note:
        lines += [((line, theme.WARN),) for line in textwrap.wrap(why.note, max(width, 20))]
    e = why.explanation
    if e is None:
        return tuple(lines)
    r, labels, names = e.example, why.labels, column_names(e.features)
    label = f"{r.y:g}" if labels[int(r.y)] == f"{r.y:g}" else f"{r.y:g} ({labels[int(r.y)]})"
    lines += _heading(f"one row: the one that pushed hardest, training row {r.index}, label y = {label}", width)
    lines += _row_entries(e, names, width)
    if e.loss in SIGMOID_LOSSES:
        lines += _sigmoid_lines(e, width)
    elif e.loss == "hinge":
        lines += hinge_lines(e, width)
    else:
        lines += class_lines(e, labels, width)
    lines += penalty_lines(e, labels, width)
    lines += _rule_lines(e, labels, width)
    if is_block(e.before):
        lines += _fit(["W, one row per class: before → after"], width, indent="")
        lines += per_class(labels, tuple(zip(e.before, e.after)), width, lambda pair: " → ".join(map(vector, pair)),
                           indent="  ")
    else:
        lines += _fit([f"W: {vector(e.before)} → {vector(e.after)}"], width, indent="")
    lines += _boundary_lines(e, width) if e.boundary is not None else score_lines(e, names, labels, width)
    return tuple(lines)


def _row_entries(e: Explanation, names: tuple[str, ...], width: int) -> list[Line]:
    """The row's design-matrix entries named by column (with its raw point where they differ)."""
    r = e.example
    lines = []
    if e.point is not None:
        how = "; its columns standardized by the training split's mean and std" if e.standardized else ""
        lines += _fit([f"point (x1, x2) = ({number(e.point[0])}, {number(e.point[1])}){how}"], width)
    entries = "(1, " + ", ".join(number(v) for v in r.x[1:]) + ")"
    return lines + _fit([f"x = ({', '.join(names)}) = {entries}", "the bias trick: the 1 carries w0"], width)


def _sigmoid_lines(e: Explanation, width: int) -> list[Line]:
    loss = LOSSES[e.loss]
    r = e.example
    sse = e.loss == "sse"
    part = "e·p(1−p)·x" if sse else "e·x"
    lines = _fit([f"z = W·x = {number(r.z)}", f"p = σ(z) = 1/(1 + e^−z) = {r.p:.4g}",
                  f"e = p − y = {number(r.e)}"], width)
    if sse:
        lines += _fit([f"part of g: {part} = {number(r.e)} · {r.slope:.4g} · x = {vector(r.part)}"], width)
        lines += _fit(["p(1−p) is σ's derivative written with its own output: σ' = σ·(1 − σ)"], width,
                      style=theme.DIM)
    else:
        lines += _fit([f"part of g: {part} = {number(r.e)} · x = {vector(r.part)}",
                       "(bce: σ's derivative cancels)"], width)
    lines += _heading(f"the batch, {e.rows} rows: g = Σ {part} = {vector(e.data_g)}", width)
    pushes = e.pushes
    lines += _fit([f"{pushes.down} pushed z down (p > y), {pushes.up} up (p < y), {pushes.idle} barely "
                   "(< 1e-6 of the top)"], width, style=theme.DIM)
    loss_name = "Σ e²" if sse else "Σ −y·log p − (1−y)·log(1−p)"
    if sse:
        factor = f"{loss.gradient_factor:g}"
        lines += _fit([f"printed loss {loss_name} = {e.loss_value:.4g}; ∇(Σ e²) = {factor}·g, as g = ∇(½·Σ e²): "
                       f"the {factor} is folded into α"], width, style=theme.WARN)
    else:
        lines += _fit([f"printed loss {loss_name} = {e.loss_value:.4g}; g is exactly its gradient"], width,
                      style=theme.DIM)
    return lines


def _rule_lines(e: Explanation, labels: tuple[str, ...], width: int) -> list[Line]:
    head = f"the rule: {e.rule}, α = {e.alpha:.4g}"
    if e.rule in ("momentum", "nesterov"):
        head += f", μ = {e.momentum:g}"
    if e.rule == "adam":
        head += f", t = {e.steps_before + 1}"
    lines = _heading(head, width)
    corrections = []
    for line in e.lines:
        if isinstance(line.value, float):
            corrections.append(f"{line.symbol} = {line.value:.4g}")
            continue
        if corrections:
            lines += _fit(corrections + ["(bias corrections)"], width)
            corrections = []
        if is_block(line.value):
            pairs = line.value if line.before is None else tuple(zip(line.before, line.value))
            show = vector if line.before is None else (lambda pair: " → ".join(map(vector, pair)))
            lines += _fit([f"{line.symbol} = {line.formula}, elementwise" + (": before → after" if line.before
                                                                             is not None else ":")], width)
            lines += per_class(labels, pairs, width, show)
        elif line.before is not None:
            lines += _fit([f"{line.symbol} = {line.formula}", f"{vector(line.before)} → {vector(line.value)}"], width)
        else:
            lines += _fit([f"{line.symbol} = {line.formula} = {vector(line.value)}"], width)
    return lines


def _boundary_lines(e: Explanation, width: int) -> list[Line]:
    where = "σ = 0.5 where z = 0" if e.loss in SIGMOID_LOSSES else "the class flips where z = 0"
    lines = _heading(f"boundary: {where}: 0 = w0 + w1·x + w2·y, so y = (−w0 − w1·x)/w2", width)
    if e.standardized:
        lines += _fit(["(W written back on the raw x1, x2 from the standardized columns)"], width, style=theme.DIM)
    b = e.boundary
    after = boundary_equation(e.boundary_weights)
    if b.kind == "line":
        lines += _fit([f"now {after} = {number(b.intercept)} {'+' if b.slope >= 0 else '−'} "
                       f"{abs(b.slope):.4g}·x"], width, style=theme.BOUNDARY_INK)
    else:
        lines += _fit([f"now {after}"], width, style=theme.BOUNDARY_INK)
    return lines
