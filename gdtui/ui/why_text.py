"""How the "why" panel (`gdtui.ui.why`) lays its pieces out: vectors, K x d blocks one class a
line, pieces fitted to a width, headings."""

from __future__ import annotations

import textwrap

from . import theme
from .tables import number
from .widgets.lines import Line

def vector(values) -> str:
    return "(" + ", ".join(number(v) for v in values) + ")"


def is_block(values) -> bool:
    """K x d (a tuple of K tuples) rather than one row."""
    return bool(values) and isinstance(values[0], tuple)


def fit(pieces: list[str], width: int, indent: str = "  ", style: str = "") -> list[Line]:
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


def heading(text: str, width: int) -> list[Line]:
    return [((line, f"bold {theme.INFO}"),) for line in textwrap.wrap(text, max(width, 20))]


def per_class(labels: tuple[str, ...], rows, width: int, show=vector, indent: str = "    ") -> list[Line]:
    """One line per class k: `labels[k]: show(rows[k])`."""
    lines: list[Line] = []
    for label, row in zip(labels, rows):
        lines += fit([f"{label}: {show(row)}"], width, indent=indent)
    return lines


def named(labels: tuple[str, ...], values, show=number) -> str:
    """`A: +1.2, B: −0.3, …`: one value per class."""
    return ", ".join(f"{label}: {show(v)}" for label, v in zip(labels, values))


def block_or_vector(symbol: str, values, labels: tuple[str, ...], width: int, indent: str = "  ") -> list[Line]:
    """`symbol = (…)` for one row; `symbol, one row per class:` then a line per class for K."""
    if not is_block(values):
        return fit([f"{symbol} = {vector(values)}"], width, indent=indent)
    return fit([f"{symbol}, one row per class:"], width, indent=indent) + per_class(labels, values, width)
