"""The keys written on the scatters' borders (Rich markup): each class's glyph and name, and what
the other marks mean, the richest form that the border's width holds."""

from __future__ import annotations

from rich.cells import cell_len
from textual.markup import escape

from . import theme
from .widgets.lines import fitting

Piece = tuple[str, int]
"""Markup and the cells it takes."""


def _fitting(forms: list[list[Piece]], width: int) -> str:
    """The first form whose pieces, two spaces apart, fit in `width` cells ("" if none)."""
    pieces = fitting(forms, width, lambda form: sum(cells for _, cells in form) + 2 * (len(form) - 1), [])
    return "  ".join(text for text, _ in pieces)


def _classes(labels: tuple[str, ...]) -> list[Piece]:
    """`o 0`, `x 1`, ...: the glyph of a cell holding points of class k only, and k's name."""
    return [(f"{theme.POINT_GLYPHS[1 + k]} {escape(label)}", cell_len(label) + 2) for k, label in enumerate(labels)]


def legend(labels: tuple[str, ...], width: int, batch: bool, ghosts: bool) -> str:
    """The solo scatter's key: the classes' glyphs (o x △ ◇ □ ▽) and `*` for several classes,
    their capitals for the last batch, the boundary, the preview's ghosts."""
    classes = _classes(labels)
    mixed = ("* both", 6) if len(labels) == 2 else ("* mixed", 7)
    marks = " ".join(theme.HIGHLIGHT_GLYPHS[1:1 + len(labels)] + theme.HIGHLIGHT_GLYPHS[theme.MIXED:])
    last = (f"{marks} batch", cell_len(marks) + 6)
    boundary, line = (f"[{theme.BOUNDARY_INK}]•[/] boundary", 10), (f"[{theme.BOUNDARY_INK}]•[/] line", 6)
    ghost = ("next " + " ".join(f"[{ink}]∙[/]{name}" for ink, name in zip(theme.GHOST_INK, ("α/2", "α", "2α"))), 16)
    extra = [ghost] if ghosts else []
    batches = [last] if batch else []
    return _fitting([[*classes, mixed, *batches, boundary, *extra], [*classes, *batches, boundary, *extra],
                     [*classes, line, *extra], [*classes, *extra], classes], width)


def race_legend(labels: tuple[str, ...], width: int) -> str:
    """The race scatter's key: the classes' glyphs and `SHARED`'s, where several boundaries meet."""
    classes = _classes(labels)
    shared = (f"[bold {theme.SHARED.ink}]{theme.SHARED.glyph}[/] several", 9)
    return _fitting([[*classes, shared], classes], width)
