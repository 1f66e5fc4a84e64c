"""The number panels as plain fixed-width lines (see `widgets.lines`): the weights and their last
change with the boundary equation, the gradient with the step and the optimizer's memory, the
status line, the race's table, the evaluation. Textual-free: every function takes engine values and
returns lines, so what the screen says can be tested as text."""

from __future__ import annotations

import textwrap

from gdtui.describe import boundary_equation, schedule as schedule_words, weight_label
from gdtui.engine.evaluate import Evaluation
from gdtui.engine.losses import LOSSES
from gdtui.engine.optim import RULES
from gdtui.engine.race import Standing
from gdtui.engine.snapshot import Snapshot

from . import theme
from .widgets.lines import Line, width_of

COMPONENTS = ("w0 bias", "w1", "w2")
LABEL_WIDTH = 5


def number(value: float) -> str:
    """Sign always shown, at most 9 characters: 4 significant digits, or 3 in e-notation."""
    if value == 0:
        return "0"  # (no sign: a -0 from rounding says nothing)
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:+.4g}"
    return f"{value:+.2e}"


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
    """W = (w0 bias, w1, w2), the update direction g of the last update, the step it took and the
    rule's memory; |g| with the formula of g, and the boundary equation. `detailed` (tall
    terminals) adds the factor 2 of sse, the update rule and what its memory means."""
    rows = [_header(width), _row("W", snap.weights, width), _row("g", snap.direction, width),
            _row("step", snap.last_step, width)]
    rows += [_row(symbol, values, width) for symbol, _, values in snap.optimizer_state]
    loss = LOSSES[snap.loss_name]
    norm, formula = f"|g| {snap.direction_norm:.4g}", f"g = {loss.direction_formula}"
    notes = [f"{norm}   {formula}"] if len(norm) + 3 + len(formula) <= width else [norm, formula]
    if detailed:
        if loss.gradient_factor != 1:
            notes.append(f"g = ∇(½·SSE), so ∇(printed loss) = {loss.gradient_factor:g}·g")
        notes.append(RULES[snap.optimizer].title)
        if snap.optimizer_state:
            notes.append(", ".join(f"{s}: {meaning}" for s, meaning, _ in snap.optimizer_state))
    lines = list(rows)
    for note in notes:
        lines += prose(note, theme.DIM, width)
    lines += prose(boundary_equation(snap.weights), theme.BOUNDARY_INK, width)
    return tuple(lines)


def _fitting(forms: list[Line], width: int) -> Line:
    """The first of `forms` (longest first) that fits `width` cells, else the last."""
    return next((form for form in forms if width_of(form) <= width), forms[-1])


def status_line(snap: Snapshot, state: str, short_state: str, width: int) -> Line:
    """State, epoch (and batch), the alpha in force, the rule, and the loss and accuracies of the
    weights shown, on one line: shorter words, then fewer, when the width asks (never a number cut)."""
    style = theme.STATE_STYLES.get(state.split()[0], "bold")
    schedule = "" if snap.schedule == "constant" else f" {snap.schedule}"
    accuracy = (f"{100 * snap.train_accuracy:.1f}%", f"{100 * snap.test_accuracy:.1f}%")
    rewound = state.startswith("rewound")

    def form(state_text: str, gap: str, words: dict[str, str], batch: bool) -> Line:
        pieces: list[tuple[str, str]] = [(state_text, style)]
        if not rewound:
            pieces += [(f"{gap}{words['epoch']} ", theme.DIM), (str(snap.epoch), "bold")]
            if batch and snap.batch_size is not None:
                pieces += [(f" {words['batch']}", theme.DIM), (f"{snap.batch}/{snap.batches_per_epoch}", "bold")]
        pieces += [(f"{gap}{words['alpha']} ", theme.DIM), (f"{snap.alpha:.4g}{schedule}", "bold"),
                   (gap, ""), (snap.optimizer, "bold"),
                   (f"{gap}{snap.loss_name} ", theme.DIM), (f"{snap.loss_here:.4g}", "bold"),
                   (f"{gap}{words['train']} ", theme.DIM), (accuracy[0], "bold"),
                   (f"{gap}{words['test']} ", theme.DIM), (accuracy[1], "bold")]
        return tuple(pieces)

    full = dict(epoch="epoch", batch="batch ", alpha="alpha", train="train", test="test")
    short = dict(epoch="ep", batch="", alpha="α", train="tr", test="te")
    return _fitting([form(state, "  ", full, True), form(state, " ", short, True), form(short_state, "  ", full, True),
                     form(short_state, " ", short, True), form(short_state, " ", short, False)], width)


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
                     batch_size: int | None, start: tuple[float, ...], width: int) -> Line:
    """The race's status: state, epoch, the alpha in force (and its schedule), batch and the start,
    on one line (the schedule's words and the start give way first when the width asks)."""
    words = "" if schedule == "constant" else f" ({schedule_words(schedule, decay, decay_every)})"
    head = ((state, theme.STATE_STYLES.get(state.split()[0], "bold")), ("  epoch ", theme.DIM), (str(epoch), "bold"))
    batch = (("  batch ", theme.DIM), ("full" if batch_size is None else str(batch_size), "bold"))
    where = (("  start ", theme.DIM), ("(" + " ".join(number(w) for w in start) + ")", "bold"))
    forms = [head + (("  alpha ", theme.DIM), (f"{alpha:g}{words}", "bold")) + batch + where,
             head + (("  alpha ", theme.DIM), (f"{alpha:g}{words}", "bold")) + batch,
             head + (("  alpha ", theme.DIM), (f"{alpha:g} {schedule}".rstrip(), "bold")) + batch]
    return _fitting(forms, width)


FULL_REPORT_WIDTH = 56
"""From this width on, scikit-learn's report is shown as it prints it."""


def evaluation_lines(evaluation: Evaluation, width: int) -> tuple[Line, ...]:
    """scikit-learn's classification report (or a compact form of its numbers, as narrow as the
    panel) and the confusion matrix, right counts in green and wrong ones in red."""
    lines: list[Line] = list(prose("classification report (scikit-learn)", theme.DIM, width))
    if width >= FULL_REPORT_WIDTH:
        lines += [((line, ""),) for line in evaluation.report.rstrip("\n").split("\n")]
    else:
        name_width = max(6, min(14, width - 24))
        lines.append((("".ljust(name_width) + "prec".rjust(6) + "rec".rjust(6) + "f1".rjust(6) + "n".rjust(6),
                       theme.DIM),))
        for name, precision, recall, f1, support in evaluation.rows:
            shown = name if len(name) <= name_width - 1 else name[:name_width - 2] + "…"
            lines.append(((shown.ljust(name_width) + f"{precision:6.2f}{recall:6.2f}{f1:6.2f}{support:6d}", ""),))
    (tn, fp), (fn, tp) = evaluation.confusion
    names = [row[0] for row in evaluation.rows[:2]]
    label = max(len(f"true {n}") for n in names) + 2
    cells = [max(len(f"pred {n}"), 6) + 2 for n in names]
    lines += [(("", ""),), *prose("confusion matrix (rows true, columns predicted)", theme.DIM, width),
              (("".ljust(label) + "".join(f"pred {n}".rjust(c) for n, c in zip(names, cells)), ""),)]
    for name, right_first, counts in ((names[0], True, (tn, fp)), (names[1], False, (fn, tp))):
        run: list[tuple[str, str]] = [(f"true {name}".ljust(label), "")]
        for k, (count, cell) in enumerate(zip(counts, cells)):
            right = (k == 0) == right_first
            run.append((str(count).rjust(cell), f"bold {theme.GOOD if right else theme.BAD}"))
        lines.append(tuple(run))
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
