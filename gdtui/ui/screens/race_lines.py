"""The race screen's lines (Textual-free): the table of the racers and the status line."""

from __future__ import annotations

from gdtui.describe import schedule as schedule_words
from gdtui.engine.race import Standing

from .. import theme
from ..tables import compact, number
from ..widgets.lines import Line, fitting

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
