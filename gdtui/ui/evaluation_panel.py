"""The evaluation panel (`e`) as plain fixed-width lines: scikit-learn's classification report
and the confusion matrix, as narrow as the panel asks (Textual-free)."""

from __future__ import annotations

from gdtui.engine.evaluate import Evaluation

from . import theme
from .widgets.lines import Line, clipped, prose

FULL_REPORT_WIDTH = 56
"""From this width on, scikit-learn's report is shown as it prints it."""


def evaluation_lines(evaluation: Evaluation, width: int, height: int | None = None) -> tuple[Line, ...]:
    """scikit-learn's classification report (or a compact form of its numbers, as narrow as the
    panel) and the K x K confusion matrix, right counts (its diagonal) in green and wrong ones in red.
    Where `height` rows do not hold it all, the report gives way first: without its averages, then
    all but its title (the matrix and the panel's accuracy stay)."""
    classes = len(evaluation.confusion)
    names = [row[0] for row in evaluation.rows[:classes]]
    matrix = (*prose("confusion matrix (rows true, columns predicted)", theme.DIM, width),
              *_confusion(evaluation.confusion, names, width))
    full = _report(evaluation, width, evaluation.rows)
    forms = [full + ((("", ""),),), full, _report(evaluation, width, evaluation.rows[:classes]),
             prose("report: a taller terminal shows it", theme.DIM, width), ()]
    report = next((form for form in forms if height is None or len(form) + len(matrix) <= height), forms[-1])
    return report + matrix


def _report(evaluation: Evaluation, width: int, rows) -> tuple[Line, ...]:
    """The report's title and `rows`: as scikit-learn prints it (all rows) where it fits, else compact."""
    title = "classification report (scikit-learn)"
    if len(evaluation.confusion) > 2 and len(title) > width:  # (K rows need the line)
        title = "classification report (sklearn)"
    lines: list[Line] = list(prose(title, theme.DIM, width))
    printed = evaluation.report.rstrip("\n").split("\n")
    if rows is evaluation.rows and width >= FULL_REPORT_WIDTH and all(len(line) <= width for line in printed):
        return tuple(lines) + tuple(((line, ""),) for line in printed)
    name_width = max(6, min(14, width - 24))
    lines.append((("".ljust(name_width) + "prec".rjust(6) + "rec".rjust(6) + "f1".rjust(6) + "n".rjust(6),
                   theme.DIM),))
    for name, precision, recall, f1, support in rows:
        lines.append(((clipped(name, name_width - 1).ljust(name_width)
                       + f"{precision:6.2f}{recall:6.2f}{f1:6.2f}{support:6d}", ""),))
    return tuple(lines)


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
