"""The number panel's tables for any shape of weights (one row, or K rows of d columns): which
columns and how many digits fit the panel's width, without ever cutting a number.

A table set is the weights W, the direction g, the step and the rule's memory, one table each,
sharing one header of column names. When the columns do not fit the width, the numbers get fewer
significant digits (at least two when possible), then the columns are split into bands (each
with its header), or only the first columns are shown (a window, with a note of what is left out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gdtui.engine.points import SATURATED

from . import theme
from .widgets.lines import Line

LABEL_WIDTH = 5
"""The label cells before the numbers: `step ` (one row), `Δw 0 ` (K rows)."""
MOST_BANDS = 3


def number(value: float) -> str:
    """Sign always shown, at most 9 characters: 4 significant digits, or 3 in e-notation."""
    if value == 0:
        return "0"  # (no sign: a -0 from rounding says nothing)
    if 1e-3 <= abs(value) < 1e4:
        return f"{value:+.4g}"
    return f"{value:+.2e}"


def signed(value: float, digits: int) -> str:
    """`value` to `digits` significant digits, its sign always shown (`0` without one)."""
    return "0" if value == 0 else f"{value:+.{digits}g}"


SATURATED_WORDS = f"{SATURATED:.0e}".replace("e-0", "e-")
"""`SATURATED` as the screen writes it: `1e-6`."""


def probability(value: float, digits: int = 4) -> str:
    """A probability to `digits` significant digits; a saturated one (below `SATURATED`) only as
    `<1e-6`: its digits come from the far tail of exp, and differ from one CPU to another."""
    return f"<{SATURATED_WORDS}" if value < SATURATED else f"{value:.{digits}g}"


def near_zero(value: float) -> str:
    """`number(value)`, or `≈0` for a value the size of a saturated probability (0 < |value| <
    `SATURATED`), such as P − Y at a saturated P: its digits are round-off's."""
    return "≈0" if 0 < abs(value) < SATURATED else number(value)


def compact(value: float, digits: int) -> str:
    """`value` to `digits` significant digits, as short as can be: no `+`, an exponent without
    padding (`1.2e-5`), whichever of the plain and the exponent form is shorter."""
    if value == 0:
        return "0"
    forms = (f"{value:.{digits}g}", f"{value:.{digits - 1}e}")
    return min((_short_exponent(form) for form in forms), key=len)


def _short_exponent(text: str) -> str:
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else text


def fitted(value: float, room: int) -> tuple[str, int] | None:
    """The most digits of `value` (4 down to 1) that fit `room` characters: (text, digits), or None."""
    for digits in (4, 3, 2, 1):
        text = compact(value, digits)
        if len(text) <= room:
            return text, digits
    return None


@dataclass(frozen=True)
class Plan:
    """How a table set's columns are laid out."""

    bands: tuple[tuple[int, ...], ...]
    """The columns of each band, shown one band under the other (one band: the whole row)."""
    cells: int
    """Cells per number (its text right-aligned, at least one space before it)."""
    hidden: tuple[int, ...] = ()
    """The columns left out (a window of the first ones is shown)."""

    def least_digits(self, tables: list[tuple[str, list[tuple[float, ...]]]], names: tuple[str, ...]) -> int:
        """The fewest significant digits any number of `tables` would show (0: a number or a
        column's name does not fit)."""
        columns = [j for band in self.bands for j in band]
        if any(len(names[j]) >= self.cells for j in columns):
            return 0
        found = [fitted(row[j], self.cells - 1) for _, rows in tables for row in rows for j in columns]
        return min((f[1] if f else 0) for f in found) if found else 4

    def height(self, tables: int, rows: int) -> int:
        """Lines of `tables` tables of `rows` rows: a header and the rows per band, and the note of a window."""
        return len(self.bands) * (1 + tables * rows) + (1 if self.hidden else 0)


def plans(columns: int, width: int) -> list[Plan]:
    """Every layout worth trying for `columns` columns in `width` cells, the whole row first, then
    bands, then windows of fewer and fewer columns."""
    room = width - LABEL_WIDTH
    out = []
    for count in range(1, min(MOST_BANDS, columns) + 1):
        size = math.ceil(columns / count)
        out.append(Plan(tuple(tuple(range(start, min(start + size, columns))) for start in range(0, columns, size)),
                        room // size))
    for shown in range(columns - 1, 0, -1):
        out.append(Plan((tuple(range(shown)),), room // shown, tuple(range(shown, columns))))
    return [plan for plan in out if plan.cells >= 2]


def choose(tables: list[tuple[str, list[tuple[float, ...]]]], names: tuple[str, ...], width: int,
           room: int) -> Plan | None:
    """The first of `plans` for the columns `names` whose numbers of `tables` show at least two
    digits (else one) and that is at most `room` lines tall; None if none is."""
    candidates = plans(len(names), width)
    rows = len(tables[0][1])
    for least in (2, 1):
        for plan in candidates:
            if plan.height(len(tables), rows) <= room and plan.least_digits(tables, names) >= least:
                return plan
    return None


def table_lines(plan: Plan, tables: list[tuple[str, list[tuple[float, ...]]]], names: tuple[str, ...]) -> list[Line]:
    """The tables as laid out by `plan`: per band, the header of column names, then each table's
    rows (K rows: the table's symbol on its first row and the class index on each). The lesson's
    signed numbers where every one fits, else each number with the most digits that fit (up to 4)."""
    values = [row[j] for _, rows in tables for row in rows for band in plan.bands for j in band]
    signed = all(len(number(v)) < plan.cells for v in values)

    def shown(value: float) -> str:  # (two spaces before a number that keeps 3 digits with them: easier to read)
        if signed:
            return number(value)
        roomy = fitted(value, plan.cells - 2)
        return roomy[0] if roomy and roomy[1] >= 3 else fitted(value, plan.cells - 1)[0]

    many = len(tables[0][1]) > 1
    lines: list[Line] = []
    for band in plan.bands:
        lines.append(((" " * LABEL_WIDTH, ""), ("".join(names[j].rjust(plan.cells) for j in band), theme.DIM)))
        for symbol, rows in tables:
            for k, row in enumerate(rows):
                text = "".join(shown(row[j]).rjust(plan.cells) for j in band)
                if many:
                    label = ((symbol if k == 0 else "").ljust(3), "bold"), (f"{k} ", theme.DIM)
                else:
                    label = ((symbol.ljust(LABEL_WIDTH), "bold"),)
                lines.append((*label, (text, "bold")))
    return lines


def window_note(plan: Plan, names: tuple[str, ...], width: int) -> str:
    """What a window leaves out, as long as `width` allows."""
    first, last = names[plan.hidden[0]], names[plan.hidden[-1]]
    span = first if first == last else f"{first} … {last}"
    for text in (f"not shown: column{'s' if len(plan.hidden) > 1 else ''} {span} (a wider panel shows all)",
                 f"not shown: {span}", f"+{len(plan.hidden)} columns not shown"):
        if len(text) <= width:
            return text
    return f"+{len(plan.hidden)}"
