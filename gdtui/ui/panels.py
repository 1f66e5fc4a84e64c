"""The number panels as plain fixed-width lines (see `widgets.lines`): the weights and their last
change with the boundary equation, the gradient with the step and the optimizer's memory, the
status line, the race's table, the evaluation. Textual-free: every function takes engine values and
returns lines, so what the screen says can be tested as text."""

from __future__ import annotations

from gdtui.describe import boundary_equation, schedule as schedule_words
from gdtui.engine.evaluate import Evaluation
from gdtui.engine.losses import LOSSES
from gdtui.engine.optim import RULES
from gdtui.engine.race import Standing
from gdtui.engine.snapshot import Snapshot

from . import theme
from .widgets.lines import Line

COMPONENTS = ("w0 bias", "w1", "w2")
LABEL_WIDTH = 6


def number(value: float) -> str:
    """Sign always shown, at most 9 characters: 4 significant digits, or 3 in e-notation."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:+.4g}"
    return f"{value:+.2e}"


def _column(width: int) -> int:
    return max(10, (width - LABEL_WIDTH) // len(COMPONENTS))


def _row(label: str, values: tuple[float, ...], width: int, style: str = "bold") -> Line:
    column = _column(width)
    return ((label.ljust(LABEL_WIDTH), "bold"), ("".join(number(v).rjust(column) for v in values), style))


def _header(width: int) -> Line:
    column = _column(width)
    return ((" " * LABEL_WIDTH, ""), ("".join(name.rjust(column) for name in COMPONENTS), theme.DIM))


def weights_lines(snap: Snapshot, width: int) -> tuple[Line, ...]:
    """W = (w0 bias, w1, w2), the change made by the last update, and the boundary equation."""
    return (_header(width), _row("W", snap.weights, width), _row("ΔW", snap.last_step, width),
            ((boundary_equation(snap.weights), theme.BOUNDARY_INK),))


def gradient_lines(snap: Snapshot, width: int, detailed: bool = True) -> tuple[Line, ...]:
    """The update direction, its norm, the step the optimizer took and the optimizer's memory;
    `detailed` adds the formulas: the sse factor, the update rule and the memory's meaning."""
    rows = [_header(width), _row("g", snap.direction, width), _row("step", snap.last_step, width)]
    rows += [_row(symbol, values, width) for symbol, _, values in snap.optimizer_state]
    loss = LOSSES[snap.loss_name]
    notes = [f"|g| {snap.direction_norm:.4g}   g = {loss.direction_formula}"]
    if detailed:
        if loss.gradient_factor != 1:
            notes.append(f"g = ∇(½·SSE), so ∇(printed loss) = {loss.gradient_factor:g}·g")
        notes.append(RULES[snap.optimizer].title)
        if snap.optimizer_state:
            notes.append(", ".join(f"{s}: {meaning}" for s, meaning, _ in snap.optimizer_state))
    return tuple(rows) + tuple(((note, theme.DIM),) for note in notes)


def status_line(snap: Snapshot, state: str) -> Line:
    """State, epoch (and batch), the alpha in force, the rule, the loss and both accuracies."""
    pieces: list[tuple[str, str]] = [(state, theme.STATE_STYLES.get(state.split()[0], "bold")),
                                     ("  epoch ", theme.DIM), (str(snap.epoch), "bold")]
    if snap.batch_size is not None:
        pieces += [(" batch ", theme.DIM), (f"{snap.batch}/{snap.batches_per_epoch}", "bold")]
    for label, value in (
        ("alpha", f"{snap.alpha:.4g}" + ("" if snap.schedule == "constant" else f" {snap.schedule}")),
        ("", snap.optimizer),
        (snap.loss_name, f"{snap.loss:.4g}"),
        ("train", f"{100 * snap.train_accuracy:.1f}%"),
        ("test", f"{100 * snap.test_accuracy:.1f}%"),
    ):
        pieces += [(f"  {label} " if label else "  ", theme.DIM), (value, "bold")]
    return tuple(pieces)


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
                     batch_size: int | None, start: tuple[float, ...]) -> Line:
    """The race's status: state, epoch, the alpha in force (and its schedule), batch and the start."""
    words = "" if schedule == "constant" else f" ({schedule_words(schedule, decay, decay_every)})"
    return ((state, theme.STATE_STYLES.get(state.split()[0], "bold")), ("  epoch ", theme.DIM), (str(epoch), "bold"),
            ("  alpha ", theme.DIM), (f"{alpha:g}{words}", "bold"),
            ("  batch ", theme.DIM), ("full" if batch_size is None else str(batch_size), "bold"),
            ("  start ", theme.DIM), ("(" + " ".join(number(w) for w in start) + ")", "bold"))


FULL_REPORT_WIDTH = 56
"""From this width on, scikit-learn's report is shown as it prints it."""


def evaluation_lines(evaluation: Evaluation, width: int) -> tuple[Line, ...]:
    """scikit-learn's classification report (or a compact form of its numbers) and the confusion
    matrix, right counts in green and wrong ones in red."""
    lines: list[Line] = [(("classification report (scikit-learn)", theme.DIM),)]
    if width >= FULL_REPORT_WIDTH:
        lines += [((line, ""),) for line in evaluation.report.rstrip("\n").split("\n")]
    else:
        lines.append((("".ljust(13) + "prec".rjust(6) + "recall".rjust(7) + "f1".rjust(6) + "n".rjust(6), theme.DIM),))
        for name, precision, recall, f1, support in evaluation.rows:
            lines.append(((name[:12].ljust(13) + f"{precision:6.2f}{recall:7.2f}{f1:6.2f}{support:6d}", ""),))
    (tn, fp), (fn, tp) = evaluation.confusion
    names = [row[0] for row in evaluation.rows[:2]]
    label = max(len(f"true {n}") for n in names) + 2
    cells = [max(len(f"pred {n}"), 6) + 2 for n in names]
    lines += [(("", ""),),
              (("confusion matrix (rows true, columns predicted)", theme.DIM),),
              (("".ljust(label) + "".join(f"pred {n}".rjust(c) for n, c in zip(names, cells)), ""),)]
    for name, right_first, counts in ((names[0], True, (tn, fp)), (names[1], False, (fn, tp))):
        run: list[tuple[str, str]] = [(f"true {name}".ljust(label), "")]
        for k, (count, cell) in enumerate(zip(counts, cells)):
            right = (k == 0) == right_first
            run.append((str(count).rjust(cell), f"bold {theme.GOOD if right else theme.BAD}"))
        lines.append(tuple(run))
    return tuple(lines)
