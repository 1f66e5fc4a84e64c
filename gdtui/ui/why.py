"""`y`, "why": the update that led to the state shown, written out in the lesson's formulas with its
own numbers (`gdtui.engine.explain` computes them; this module only lays them out as lines).

Textual-free: `choose` picks the update and says what it is; `why_lines` gives the panel's lines
for a width.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from gdtui.describe import boundary_equation
from gdtui.engine.explain import Explanation, explain_update
from gdtui.engine.losses import LOSSES

from . import theme
from .panels import number
from .widgets.lines import Line

NO_STEP = "No step yet: nothing to explain. Press space (one epoch) or n (one mini-batch), then y."


@dataclass(frozen=True)
class Why:
    """What the panel explains: an update (or None) with its title and a plain note."""

    explanation: Explanation | None
    title: str
    note: str = ""
    """Said above the explanation (or instead of it)."""


def _where(update) -> str:
    if update.batches == 1:
        return f"epoch {update.epoch} (full batch)"
    return f"epoch {update.epoch}, batch {update.batch}/{update.batches}"


def choose(session) -> Why:
    """The update that led to the epoch shown: while rewound, that epoch's if it can be read back
    from the history (a full-batch epoch), else the latest update, said plainly."""
    trainer = session.trainer
    X, y = trainer.data.X_train, trainer.data.y_train
    note = ""
    if session.viewing is not None:
        if session.viewing == 0:
            return Why(None, "why: epoch 0", "Epoch 0 is the start: no update led to it. Press → or End to "
                       "come forward.")
        update = trainer.last_update(session.viewing)
        if update is not None:
            return Why(explain_update(update, X, y), f"why: the update that ended {_where(update)}")
        note = (f"Epoch {session.viewing} was a mini-batch epoch (or its inputs cannot be read back): only its end is "
                "recorded, so this explains only the latest update.")
    update = trainer.last_update()
    if update is None:
        if trainer.epoch or trainer.batch:
            return Why(None, "why", "The inputs of the latest update are not at hand: it was made before this "
                       "session was resumed (a session file does not keep them), or this run was forked from a "
                       "mini-batch epoch, of which only the end is recorded. Take one step (space or n), then y.")
        return Why(None, "why", NO_STEP)
    return Why(explain_update(update, X, y), f"why: the latest update, {_where(update)}", note)


# ---- the lines ---------------------------------------------------------------------------------------


def vector(values) -> str:
    return "(" + ", ".join(number(v) for v in values) + ")"


def _fit(pieces: list[str], width: int, indent: str = "  ", style: str = "") -> list[Line]:
    """Pieces joined by three spaces, as many per line as fit `width`; the rest on lines indented
    one step more (a piece too long for a line is broken between words)."""
    lines: list[str] = []
    for piece in pieces:
        if lines and len(lines[-1]) + 3 + len(piece) <= width:
            lines[-1] += "   " + piece
        else:
            lead = indent if not lines else indent + "  "
            lines += textwrap.wrap(piece, max(width, 20), initial_indent=lead, subsequent_indent=lead + "  ",
                                   break_long_words=False, break_on_hyphens=False) or [lead]
    return [((line, style),) for line in lines]


def _heading(text: str, width: int) -> list[Line]:
    return [((line, f"bold {theme.INFO}"),) for line in textwrap.wrap(text, max(width, 20))]


def why_lines(why: Why, width: int) -> tuple[Line, ...]:
    """The panel's lines at `width` cells."""
    lines: list[Line] = []
    if why.note:
        lines += [((line, theme.WARN),) for line in textwrap.wrap(why.note, max(width, 20))]
    e = why.explanation
    if e is None:
        return tuple(lines)
    loss = LOSSES[e.loss]
    r = e.example
    sse = e.loss == "sse"
    part = "e·p(1−p)·x" if sse else "e·x"
    lines += _heading(f"one row: the one that pushed hardest, training row {r.index}, label y = {r.y:g}", width)
    lines += _fit([f"x = (1, x1, x2) = (1, {number(r.x[1])}, {number(r.x[2])})",
                   "the bias trick: the 1 carries w0"], width)
    lines += _fit([f"z = W·x = {number(r.z)}", f"p = σ(z) = 1/(1 + e^−z) = {r.p:.4g}",
                   f"e = p − y = {number(r.e)}"], width)
    if sse:
        lines += _fit([f"part of g: {part} = {number(r.e)} · {r.slope:.4g} · x = {vector(r.part)}"], width)
        lines += _fit(["p(1−p) is σ's derivative written with its own output: σ' = σ·(1 − σ)"], width,
                      style=theme.DIM)
    else:
        lines += _fit([f"part of g: {part} = {number(r.e)} · x = {vector(r.part)}",
                       "(bce: σ's derivative cancels)"], width)
    lines += _heading(f"the batch, {e.rows} rows: g = Σ {part} = {vector(e.g)}", width)
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
    lines += _rule_lines(e, width)
    lines += _fit([f"W: {vector(e.before)} → {vector(e.after)}"], width, indent="")
    lines += _boundary_lines(e, width)
    return tuple(lines)


def _rule_lines(e: Explanation, width: int) -> list[Line]:
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
        if line.before is not None:
            lines += _fit([f"{line.symbol} = {line.formula}", f"{vector(line.before)} → {vector(line.value)}"], width)
        else:
            lines += _fit([f"{line.symbol} = {line.formula} = {vector(line.value)}"], width)
    return lines


def _boundary_lines(e: Explanation, width: int) -> list[Line]:
    lines = _heading("boundary: σ = 0.5 where z = 0: 0 = w0 + w1·x + w2·y, so y = (−w0 − w1·x)/w2", width)
    b = e.boundary
    after = boundary_equation(e.after)
    if b.kind == "line":
        lines += _fit([f"now {after} = {number(b.intercept)} {'+' if b.slope >= 0 else '−'} "
                       f"{abs(b.slope):.4g}·x"], width, style=theme.BOUNDARY_INK)
    else:
        lines += _fit([f"now {after}"], width, style=theme.BOUNDARY_INK)
    return lines
