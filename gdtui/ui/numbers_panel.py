"""The numbers panel as plain fixed-width lines (see `widgets.lines`): the weights W and their
last change, the update direction g with its formula and the penalty, the step and the rule's
memory, and the boundary's equation or the score functions. Textual-free: it takes a `Snapshot`
and returns lines, so what the screen says can be tested as text."""

from __future__ import annotations

from gdtui.describe import PENALTY_FORMULAS, boundary_equation, column_names, score_terms
from gdtui.engine.multiclass import loss_named
from gdtui.engine.optim import RULES
from gdtui.engine.snapshot import Snapshot

from . import theme
from .tables import LABEL_WIDTH, Plan, choose, number, table_lines, window_note
from .widgets.lines import Line, prose

COMPONENTS = ("w0 bias", "w1", "w2")
"""The header of the lesson's table (one row of weights on x1, x2)."""
ROOM, TALL_ROOM = 10, 18
"""Lines the numbers panel takes at most for other models (tall: `detailed`), so that the loss
curve under it keeps room."""


def _column(width: int) -> int:
    return max(10, (width - LABEL_WIDTH) // len(COMPONENTS))


def _row(label: str, values: tuple[float, ...], width: int, style: str = "bold") -> Line:
    column = _column(width)
    return ((label.ljust(LABEL_WIDTH), "bold"), ("".join(number(v).rjust(column) for v in values), style))


def _header(width: int) -> Line:
    column = _column(width)
    return ((" " * LABEL_WIDTH, ""), ("".join(name.rjust(column) for name in COMPONENTS), theme.DIM))


def numbers_lines(snap: Snapshot, width: int, detailed: bool = False) -> tuple[Line, ...]:
    """W, the update direction g of the last update, the step it took and the rule's memory; |g|
    with the formula of g, the penalty, and the boundary equation or the score functions.
    `detailed` (tall terminals) adds the factor 2 of sse, the update rule and what its memory
    means. The line model (`Snapshot.line_model`) has the lesson's table; any other shape a K x d
    table set that fits `width` and at most `ROOM` (tall: `TALL_ROOM`) lines."""
    if snap.line_model:
        return _lesson_numbers(snap, width, detailed)
    return _model_numbers(snap, width, detailed)


def _lesson_numbers(snap: Snapshot, width: int, detailed: bool) -> tuple[Line, ...]:
    rows = [_header(width), _row("W", snap.weights, width), _row("g", snap.direction, width),
            _row("step", snap.last_step, width)]
    rows += [_row(symbol, values, width) for symbol, _, values in snap.optimizer_state]
    notes = _gradient_notes(snap, width) + (_detail_notes(snap) if detailed else []) + _model_notes(snap, width)
    lines = list(rows)
    for note in notes:
        lines += prose(note, theme.DIM, width)
    return tuple(lines) + _equation(snap, width, ROOM)


def _model_numbers(snap: Snapshot, width: int, detailed: bool) -> tuple[Line, ...]:
    """Any shape: W and g (else W alone) and |g| with g's formula, then, in this order while lines
    are left, the penalty and the standardizing, the score functions, the step, the rule's memory
    and the detailed notes."""
    names = column_names(snap.features)
    room = TALL_ROOM if detailed else ROOM
    gradient = _prose_lines(_gradient_notes(snap, width), width)
    tables, plan = _first_tables(snap, names, width, room - len(gradient))
    left = room - len(gradient) - (plan.height(len(tables), snap.rows) if plan else 0)
    blocks, left = _first_notes(snap, width, left, hint=len(tables) == 1)
    if plan is not None and len(tables) == 2:
        tables, left = _more_tables(snap, plan, tables, names, left)
    if detailed:
        detail = _prose_lines(_detail_notes(snap, {symbol for symbol, _ in tables}), width)
        if len(detail) <= left:
            blocks["detail"] = detail
    out: list[Line] = []
    if plan is not None:
        out += table_lines(plan, tables, names)
        if plan.hidden:
            out.append(((window_note(plan, names, width), theme.DIM),))
    out += gradient
    for name in ("hint", "detail", "model", "equation"):
        out += blocks.get(name, ())
    return tuple(out)


def _first_tables(snap: Snapshot, names: tuple[str, ...], width: int, room: int) -> tuple[list, Plan | None]:
    """The tables W and g and their plan if they fit `room` lines, else W alone (plan None: not even W)."""
    tables = [_table("W", snap.weights, snap), _table("g", snap.direction, snap)]
    plan = choose(tables, names, width, room)
    if plan is None:
        tables = tables[:1]
        plan = choose(tables, names, width, room)
    return tables, plan


def _first_notes(snap: Snapshot, width: int, left: int, hint: bool) -> tuple[dict[str, tuple[Line, ...]], int]:
    """The penalty and standardizing note, the inspector's hint (`hint`: g is not shown) and the
    equation, each where it fits the `left` lines; and the lines left after them."""
    blocks: dict[str, tuple[Line, ...]] = {}
    shown = prose("g per weight: the gradient inspector (g)", theme.DIM, width) if hint else ()
    for name, lines in (("model", _prose_lines(_model_notes(snap, width), width)), ("hint", shown),
                        ("equation", None)):
        lines = _equation(snap, width, left) if lines is None else lines
        if len(lines) <= left:
            blocks[name], left = lines, left - len(lines)
    return blocks, left


def _more_tables(snap: Snapshot, plan: Plan, tables: list, names: tuple[str, ...], left: int) -> tuple[list, int]:
    """The step, then the rule's memory, added to `tables` where they fit the `left` lines (each
    number keeping a digit); and the lines left."""
    step = [_table("Δw" if snap.rows > 1 else "step", snap.last_step, snap)]
    memory = [_table(symbol, values, snap) for symbol, _, values in snap.optimizer_state]
    for group in (step, memory):
        cost = len(plan.bands) * len(group) * snap.rows
        if group and cost <= left and plan.least_digits(group, names) >= 1:
            tables, left = tables + group, left - cost
    return tables, left


def _table(symbol: str, values: tuple, snap: Snapshot) -> tuple[str, list[tuple[float, ...]]]:
    """A table of `tables`: its symbol and its rows (one, or one per class)."""
    return symbol, list(values) if snap.rows > 1 else [values]


def _prose_lines(notes: list[str], width: int) -> tuple[Line, ...]:
    return tuple(line for note in notes for line in prose(note, theme.DIM, width))


def _gradient_notes(snap: Snapshot, width: int) -> list[str]:
    """|g| and the formula of g (with the penalty's term), on one line if it holds them."""
    term = PENALTY_FORMULAS[snap.penalty].term if snap.penalty != "none" else None
    norm = f"|g| {snap.direction_norm:.4g}"
    formula = f"g = {loss_named(snap.loss_name).direction_formula}" + (f" + {term}" if term else "")
    return [f"{norm}   {formula}"] if len(norm) + 3 + len(formula) <= width else [norm, formula]


def _detail_notes(snap: Snapshot, shown: set[str] | None = None) -> list[str]:
    """The factor 2 of sse, the update rule, and what its memory (and the Δw of K rows) means,
    of the tables `shown` (None: all)."""
    notes = []
    loss = loss_named(snap.loss_name)
    if loss.gradient_factor != 1:
        notes.append(f"g = ∇(½·SSE), so ∇(printed loss) = {loss.gradient_factor:g}·g")
    notes.append(RULES[snap.optimizer].title)
    meanings = (["Δw: the last step"] if shown and "Δw" in shown else []) + [
        f"{s}: {meaning}" for s, meaning, _ in snap.optimizer_state if shown is None or s in shown]
    if meanings:
        notes.append(", ".join(meanings))
    return notes


def _model_notes(snap: Snapshot, width: int) -> list[str]:
    """The penalty and the standardizing, on one line if it holds both."""
    pieces = []
    if snap.penalty != "none":
        pieces.append(f"{snap.penalty} penalty λ={snap.lam:g}, not on the bias")
    if snap.standardize:
        pieces.append("x's standardized (train mean, std)")
    both = " · ".join(pieces)
    return [both] if both and len(both) <= width else pieces


def _equation(snap: Snapshot, width: int, room: int) -> tuple[Line, ...]:
    """The boundary's equation on the raw x1, x2 (the line model), else the score function(s)
    with their numbers, or, where they would take more than `room` lines, the rule in words."""
    if snap.line_model:
        equation = boundary_equation(snap.line_weights)
        if snap.standardize and len(equation) + 13 <= width:  # (the line is drawn on the raw points)
            equation += " (raw x1, x2)"
        return prose(equation, theme.BOUNDARY_INK, width)
    names = column_names(snap.features)
    rows = (snap.weights,) if snap.rows == 1 else snap.weights
    heads = ("z",) if snap.rows == 1 else tuple(f"s{k}" for k in range(snap.rows))
    lines = [line for head, row in zip(heads, rows) for line in _terms(head, score_terms(row, names), width)]
    if len(lines) <= room:
        return tuple(((line, theme.BOUNDARY_INK),) for line in lines)
    head, tail = ("class 1 where z = w·", " > 0") if snap.rows == 1 else ("class = argmax of W·", "")
    forms = [f"{head}({', '.join(names)}){tail}", f"{head}(1, {names[1]}, …){tail}", f"{head}x{tail}"]
    return prose(next((form for form in forms if len(form) <= width), forms[-1]), theme.BOUNDARY_INK, width)


def _terms(head: str, terms: tuple[str, ...], width: int) -> list[str]:
    """`head = terms`, broken between terms (never inside one), the next lines indented."""
    lines, line = [], f"{head} = {terms[0]}"
    for term in terms[1:]:
        if len(line) + 1 + len(term) <= width:
            line += " " + term
        else:
            lines.append(line)
            line = "  " + term
    return lines + [line]
