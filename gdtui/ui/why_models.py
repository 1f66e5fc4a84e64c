"""The "why" panel's lines for what the lesson's model does not have: a hinge row, a softmax or svm
row with its K scores, their batches, the penalty's part, and the score function where there is
no boundary line to write (the numbers come from `gdtui.engine.explain`)."""

from __future__ import annotations

from gdtui.describe import PENALTY_FORMULAS, score_terms
from gdtui.engine.config import SIGMOID_LOSSES
from gdtui.engine.explain import Explanation

from . import theme
from .tables import near_zero, number, probability
from .why_text import block_or_vector, fit, heading, is_block, named, per_class, vector
from .widgets.lines import Line


def hinge_lines(e: Explanation, width: int) -> list[Line]:
    r = e.example
    lines = fit([f"t = 2y − 1 = {r.t:+g}", f"z = W·x = {number(r.z)}", f"margin 1 − t·z = {number(r.margin)}"], width)
    if r.active:
        lines += fit([f"> 0: inside the margin, active; part of g: −t·x = {vector(r.part)}"], width)
    else:
        lines += fit(["≤ 0: outside the margin; part of g: 0 (the hinge is flat there)"], width)
    lines += heading(f"the batch, {e.rows} rows: g = Σ −t·x over the active rows = {vector(e.data_g)}", width)
    p = e.pushes
    lines += fit([f"{p.down} pushed z down (t = −1, active), {p.up} up (t = +1, active), {p.idle} outside the "
                  "margin (they add 0)"], width, style=theme.DIM)
    lines += fit([f"printed loss Σ max(0, 1 − t·z) = {e.loss_value:.4g}; g is its subgradient (0 at the hinge)"],
                 width, style=theme.DIM)
    return lines


def class_lines(e: Explanation, labels: tuple[str, ...], width: int) -> list[Line]:
    """A softmax or svm row: its K scores, P or the margins, its coefficients and its K x d part."""
    r = e.example
    lines = fit([f"scores s = W·x: {named(labels, r.scores)}"], width)
    if e.loss == "softmax":
        lines += fit([f"P = e^s / Σ e^s: {named(labels, r.probabilities, probability)}"], width)
        lines += fit([f"P − Y (Y is 1 at {labels[r.y]}, else 0): {named(labels, r.coefficients, near_zero)}"], width)
        lines += fit(["part of g: (P − Y)ᵀx, row k = (P_k − Y_k)·x:"], width)
    else:
        others = [(labels[k], m, on) for k, (m, on) in enumerate(zip(r.margins, r.active)) if k != r.y]
        margins = ", ".join(f"{label}: {number(m)}{' active' if on else ''}" for label, m, on in others)
        lines += fit([f"margins s_j − s_y + 1 (j ≠ {labels[r.y]}): {margins}"], width)
        lines += fit([f"C: 1 per active margin, minus their count at {labels[r.y]}: {named(labels, r.coefficients)}"],
                     width)
        lines += fit(["part of g: Cᵀx, row k = C_k·x:"], width)
    lines += per_class(labels, r.part, width, show=lambda row: "(" + ", ".join(map(near_zero, row)) + ")")
    formula = "(P − Y)ᵀx" if e.loss == "softmax" else "Cᵀx"
    lines += heading(f"the batch, {e.rows} rows: g = Σ {formula}, one row per class:", width)
    lines += per_class(labels, e.data_g, width)
    p = e.pushes
    if e.loss == "softmax":
        said = (f"{p.pushing} pushed (each raises its class's score, lowers the others by their P), "
                f"{p.idle} barely (< 1e-6 of the top); {p.wrong} misclassified")
        loss = f"printed loss Σ log Σ e^s − s_y = {e.loss_value:.4g}; g is exactly its gradient"
    else:
        said = (f"{p.pushing} had active margins ({p.active} margins in all), {p.idle} none (they add 0); "
                f"{p.wrong} misclassified")
        loss = f"printed loss Σ Σ_(j≠y) max(0, s_j − s_y + 1) = {e.loss_value:.4g}; g is its subgradient"
    return lines + fit([said], width, style=theme.DIM) + fit([loss], width, style=theme.DIM)


def penalty_lines(e: Explanation, labels: tuple[str, ...], width: int) -> list[Line]:
    pen = e.penalty
    if pen is None:
        return []
    term, value = PENALTY_FORMULAS[pen.kind]
    bias = "the bias column of each class" if is_block(pen.part) else "the bias w0"
    lines = heading(f"penalty {pen.kind}, λ = {pen.lam:g}: its part {term}, on every weight but {bias} "
                    "(never on the bias), added to g", width)
    lines += block_or_vector(f"{term} at W before", pen.part, labels, width)
    lines += fit([f"penalty {value} = {pen.value:.4g} (not in the printed loss)"], width, style=theme.DIM)
    return lines + block_or_vector(f"g = Σ parts + {term}", e.g, labels, width)


def score_lines(e: Explanation, names: tuple[str, ...], labels: tuple[str, ...], width: int) -> list[Line]:
    """The score function of the weights after the update, where no boundary line is written."""
    where = " (on the standardized columns)" if e.standardized else ""
    if not is_block(e.after):
        rule = "p = σ(z) = 0.5" if e.loss in SIGMOID_LOSSES else "the class flips"
        lines = heading(f"now the score{where}: the boundary is where z = 0 ({rule})", width)
        return lines + fit([f"z = {' '.join(score_terms(e.after, names, 4))}"], width, style=theme.BOUNDARY_INK)
    lines = heading(f"now the scores{where}: the largest one's class is predicted", width)
    for label, row in zip(labels, e.after):
        lines += fit([f"s_{label} = {' '.join(score_terms(row, names, 4))}"], width, style=theme.BOUNDARY_INK)
    return lines
