"""The number panels as plain fixed-width lines (see `widgets.lines`): the weights and their last
change with the boundary equation, the gradient with the step and the optimizer's memory, the
status line, the race's table, the evaluation. Textual-free: every function takes engine values and
returns lines, so what the screen says can be tested as text."""

from __future__ import annotations

import textwrap

from gdtui.describe import PENALTY_FORMULAS, boundary_equation, column_names, schedule as schedule_words, score_terms, weight_label
from gdtui.engine.evaluate import Evaluation
from gdtui.engine.multiclass import loss_named
from gdtui.engine.optim import RULES
from gdtui.engine.race import Standing
from gdtui.engine.snapshot import Snapshot

from . import theme
from .tables import LABEL_WIDTH, choose, compact, number, table_lines, window_note
from .widgets.lines import Line, clipped, fitting

COMPONENTS = ("w0 bias", "w1", "w2")
"""The header of the lesson's table (one row of weights on x1, x2)."""
ROOM, TALL_ROOM = 10, 18
"""Lines the numbers panel takes at most for other models (tall: `detailed`), so that the loss
curve under it keeps room."""


def prose(text: str, style: str, width: int) -> tuple[Line, ...]:
    """A sentence as lines of at most `width` cells, broken between words (never inside one)."""
    lines = textwrap.wrap(text, max(width, 8), break_long_words=False, break_on_hyphens=False)
    return tuple(((line, style),) for line in lines) or (((text, style),),)


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
    tables = [_table("W", snap.weights, snap), _table("g", snap.direction, snap)]
    plan = choose(tables, names, width, room - len(gradient))
    if plan is None:
        tables = tables[:1]
        plan = choose(tables, names, width, room - len(gradient))
    left = room - len(gradient) - (plan.height(len(tables), snap.rows) if plan else 0)
    blocks: dict[str, tuple[Line, ...]] = {}
    hint = prose("g per weight: the gradient inspector (g)", theme.DIM, width) if len(tables) == 1 else ()
    for name, lines in (("model", _prose_lines(_model_notes(snap, width), width)), ("hint", hint),
                        ("equation", None)):
        lines = _equation(snap, width, left) if lines is None else lines
        if len(lines) <= left:
            blocks[name], left = lines, left - len(lines)
    if plan is not None and len(tables) == 2:
        step = [_table("Δw" if snap.rows > 1 else "step", snap.last_step, snap)]
        memory = [_table(symbol, values, snap) for symbol, _, values in snap.optimizer_state]
        for group in (step, memory):
            cost = len(plan.bands) * len(group) * snap.rows
            if group and cost <= left and plan.least_digits(group, names) >= 1:
                tables, left = tables + group, left - cost
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
        raw = " (raw x1, x2)" if snap.standardize else ""
        return prose(boundary_equation(snap.line_weights) + raw, theme.BOUNDARY_INK, width)
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


def status_line(snap: Snapshot, state: str, short_state: str, width: int) -> Line:
    """State, epoch (and batch), the alpha in force, the rule, the penalty (if any), and the loss
    and accuracies of the weights shown, on one line: shorter words, then fewer, when the width
    asks (never a number cut)."""
    style = theme.STATE_STYLES.get(state.split()[0], "bold")
    schedule = "" if snap.schedule == "constant" else f" {snap.schedule}"
    accuracy = (f"{100 * snap.train_accuracy:.1f}%", f"{100 * snap.test_accuracy:.1f}%")
    rewound = state.startswith("rewound")

    def form(state_text: str, gap: str, words: dict[str, str], batch: bool, penalty: bool = True) -> Line:
        pieces: list[tuple[str, str]] = [(state_text, style)]
        if not rewound:
            pieces += [(f"{gap}{words['epoch']} ", theme.DIM), (str(snap.epoch), "bold")]
            if batch and snap.batch_size is not None:
                pieces += [(f" {words['batch']}", theme.DIM), (f"{snap.batch}/{snap.batches_per_epoch}", "bold")]
        pieces += [(f"{gap}{words['alpha']} ", theme.DIM), (f"{snap.alpha:.4g}{schedule}", "bold"),
                   (gap, ""), (snap.optimizer, "bold")]
        if penalty and snap.penalty != "none":  # (the loss shown is the data's: the penalty apart)
            pieces += [(f"{gap}{snap.penalty} ", theme.DIM), (f"λ={snap.lam:g}", "bold")]
        pieces += [(f"{gap}{snap.loss_name} ", theme.DIM), (f"{snap.loss_here:.4g}", "bold"),
                   (f"{gap}{words['train']} ", theme.DIM), (accuracy[0], "bold"),
                   (f"{gap}{words['test']} ", theme.DIM), (accuracy[1], "bold")]
        return tuple(pieces)

    full = dict(epoch="epoch", batch="batch ", alpha="alpha", train="train", test="test")
    short = dict(epoch="ep", batch="", alpha="α", train="tr", test="te")
    return fitting([form(state, "  ", full, True), form(state, " ", short, True), form(short_state, "  ", full, True),
                     form(short_state, " ", short, True), form(short_state, " ", short, False),
                     form(short_state, " ", short, False, penalty=False)], width)


def loss_subtitle(snap: Snapshot, marked_loss: float | None, width: int) -> str:
    """What a point of the loss curve is: the epoch's loss as the lesson logs it, measured with
    the weights at its start (mini-batches: the mean of the batch sums, which changes with B)."""
    if marked_loss is None:
        return "loss at the start" if width >= 20 else ""
    how = "mean of batch sums" if snap.batch_size is not None else "at its start"
    for text in (f"epoch {snap.epoch}: {marked_loss:.6g}, {how}", f"ep {snap.epoch}: {marked_loss:.4g}, {how}",
                 f"ep {snap.epoch}: {marked_loss:.4g}"):
        if len(text) <= width:
            return text
    return ""


def scale_markup(surface, width: int) -> str:
    """The landscape's colour key as border markup: the lowest loss, a block per band in its
    colour (equal steps of log loss), the highest loss."""
    low, high = float(surface.values.min()), float(surface.values.max())
    blocks = "".join(f"[{colour}]█[/]" for colour in theme.BAND_BG)
    text = f"low {low:.3g} {blocks} {high:.3g} high"
    if len(f"low {low:.3g} ") + len(theme.BAND_BG) + len(f" {high:.3g} high") <= width:
        return text
    return f"{low:.3g} {blocks} {high:.3g}"


def landscape_title(loss: str, sl, value: float, width: int) -> str:
    """The landscape's title: which objective over which two weights (by label), the value at ◉,
    the weights held (each by value while they fit, else how many)."""
    a, b = (weight_label(i, sl.shape) for i in sl.axes)
    name = f"({loss})" if " " in loss else loss
    held = " ".join(f"{weight_label(i, sl.shape)}={sl.held[i]:.3g}" for i in sl.held_axes)
    kept = [held] + ([f"{len(sl.held_axes)} others held"] if len(sl.held_axes) > 1 else [])
    texts = [text for words in kept for text in (f"landscape {name}({a}, {b}) · ◉ L = {value:.5g} · {words}",
                                                 f"{name}({a},{b}) · ◉ {value:.4g} · {words}")]
    for text in texts + [f"{name}({a},{b}) ◉ {value:.4g}"]:
        if len(text) <= width:
            return text
    return f"{name}({a},{b})"


COLUMN_WIDTHS = {"epoch": 7, "loss": 12, "train": 6, "test": 6}
"""Least widths of the race table's number columns, so that it keeps still while the numbers change."""


def race_table_lines(standings: list[Standing], leader: str | None, keys: dict[str, str]) -> tuple[Line, ...]:
    """One line per racer: its key, rule (in its look), epoch, loss, accuracies, state and whether
    it leads (`leader`: the rule with the lowest loss, or None)."""
    rows = [(keys[s.rule], s.rule, str(s.epoch), f"{s.loss:.6g}", f"{100 * s.train_accuracy:.1f}%",
             f"{100 * s.test_accuracy:.1f}%", *theme.RACE_STATES.get(s.stop_reason, (str(s.stop_reason), "")),
             "◀ best" if s.rule == leader else "") for s in standings]
    rule_width = max([len("rule")] + [len(r[1]) + 2 for r in rows])
    widths = [max([COLUMN_WIDTHS[name], len(name)] + [len(r[k]) for r in rows])
              for k, name in enumerate(COLUMN_WIDTHS, start=2)]
    head = "key".rjust(3) + " " + "rule".ljust(rule_width) + "".join(
        " " + name.rjust(w) for name, w in zip(COLUMN_WIDTHS, widths)) + " state"
    lines: list[Line] = [((head, theme.DIM),)]
    for key, rule, epoch, loss, train, test, word, word_style, lead in rows:
        look = theme.LOOKS[rule]
        numbers = "".join(" " + value.rjust(w) for value, w in zip((epoch, loss, train, test), widths))
        lines.append(((key.rjust(3) + " ", theme.DIM), (f"{look.glyph} {rule}".ljust(rule_width), f"bold {look.ink}"),
                      (numbers + " ", ""), (word, word_style), ((" " + lead) if lead else "", "bold")))
    return tuple(lines)


def race_status_line(state: str, epoch: int, alpha: float, schedule: str, decay: float | None, decay_every: int,
                     batch_size: int | None, start: tuple, width: int) -> Line:
    """The race's status: state, epoch, the alpha in force (and its schedule), batch and the start
    (one row of weights, or K rows: rows apart by `;`), on one line (the schedule's words and the
    start give way first when the width asks; any start but the lesson's 3 weights shows 2
    significant digits before it gives way)."""
    words = "" if schedule == "constant" else f" ({schedule_words(schedule, decay, decay_every)})"
    head = ((state, theme.STATE_STYLES.get(state.split()[0], "bold")), ("  epoch ", theme.DIM), (str(epoch), "bold"))
    batch = (("  batch ", theme.DIM), ("full" if batch_size is None else str(batch_size), "bold"))
    rows = [tuple(row) for row in start] if start and not isinstance(start[0], (int, float)) else [tuple(start)]
    alpha_full = head + (("  alpha ", theme.DIM), (f"{alpha:g}{words}", "bold")) + batch
    looks = (number,) if len(rows) == 1 and len(rows[0]) == 3 else (number, lambda w: compact(w, 2))
    forms = [alpha_full + (("  start ", theme.DIM), ("(" + "; ".join(" ".join(look(w) for w in row) for row in rows)
                                                     + ")", "bold")) for look in looks]
    forms += [alpha_full, head + (("  alpha ", theme.DIM), (f"{alpha:g} {schedule}".rstrip(), "bold")) + batch]
    return fitting(forms, width)


FULL_REPORT_WIDTH = 56
"""From this width on, scikit-learn's report is shown as it prints it."""


def evaluation_lines(evaluation: Evaluation, width: int) -> tuple[Line, ...]:
    """scikit-learn's classification report (or a compact form of its numbers, as narrow as the
    panel) and the K x K confusion matrix, right counts (its diagonal) in green and wrong ones in red."""
    classes = len(evaluation.confusion)
    title = "classification report (scikit-learn)"
    if classes > 2 and len(title) > width:  # (K rows need the line)
        title = "classification report (sklearn)"
    lines: list[Line] = list(prose(title, theme.DIM, width))
    report = evaluation.report.rstrip("\n").split("\n")
    if width >= FULL_REPORT_WIDTH and all(len(line) <= width for line in report):
        lines += [((line, ""),) for line in report]
    else:
        name_width = max(6, min(14, width - 24))
        lines.append((("".ljust(name_width) + "prec".rjust(6) + "rec".rjust(6) + "f1".rjust(6) + "n".rjust(6),
                       theme.DIM),))
        for name, precision, recall, f1, support in evaluation.rows:
            lines.append(((clipped(name, name_width - 1).ljust(name_width) + f"{precision:6.2f}{recall:6.2f}{f1:6.2f}{support:6d}", ""),))
    names = [row[0] for row in evaluation.rows[:classes]]
    lines += [(("", ""),), *prose("confusion matrix (rows true, columns predicted)", theme.DIM, width)]
    return tuple(lines) + _confusion(evaluation.confusion, names, width)


def _confusion(matrix: tuple[tuple[int, ...], ...], names: list[str], width: int) -> tuple[Line, ...]:
    """The matrix with `true n` / `pred n` labels, else the names alone, else the class numbers
    and a key of their names: the first that fits `width`."""
    digits = max(len(str(count)) for row in matrix for count in row)
    numbers = [str(k) for k in range(len(names))]
    forms = [([f"true {n}" for n in names], [f"pred {n}" for n in names], 2, 6), (names, names, 2, 0),
             (numbers, numbers, 1, 0)]
    for rows, heads, gap, least in forms:
        label = max(len(r) for r in rows) + gap
        cells = [max(len(h), least, digits) + gap for h in heads]
        if label + sum(cells) <= width:
            break
    lines: list[Line] = [(("".ljust(label) + "".join(h.rjust(c) for h, c in zip(heads, cells)), ""),)]
    for t, (name, counts) in enumerate(zip(rows, matrix)):
        run: list[tuple[str, str]] = [(name.ljust(label), "")]
        for p, (count, cell) in enumerate(zip(counts, cells)):
            run.append((str(count).rjust(cell), f"bold {theme.GOOD if p == t else theme.BAD}"))
        lines.append(tuple(run))
    if rows is numbers and names != numbers:
        room = max(width - 4, 4)
        key = ", ".join(f"{k} {clipped(n, room)}" for k, n in enumerate(names))
        lines += prose(key, theme.DIM, width)
    return tuple(lines)


def _tick(value: float) -> str:
    return f"{value:.3g}"


def y_axis_lines(top: float, bottom: float, name: str, height: int) -> tuple[Line, ...]:
    """The y axis beside a picture `height` rows tall: its top value, its name half-way, its bottom value."""
    rows = [""] * max(height, 0)
    if height >= 3:
        rows[0], rows[height // 2], rows[-1] = _tick(top), name, _tick(bottom)
    return tuple(((row, theme.DIM),) for row in rows)


def y_axis_width(top: float, bottom: float, name: str) -> int:
    return max(len(_tick(top)), len(_tick(bottom)), len(name)) + 1


def x_axis_line(left: float, right: float, name: str, indent: int, width: int) -> Line:
    """The x axis under a picture `width` cells wide that starts `indent` cells in: its left value,
    its name in the middle, its right value."""
    low, high = _tick(left), _tick(right)
    middle = width // 2 - len(name) // 2
    text = low.ljust(max(middle, len(low) + 1)) + name
    text = text.ljust(max(width - len(high), len(text) + 1)) + high
    return ((" " * indent + text, theme.DIM),)
