"""A panel of plain fixed-width lines: what gdtui's number panels, status line and tables are.

Each line is a tuple of (text, style) runs. The panel draws them as they are (cut at its width),
is as tall as its lines, and draws again only when a line changes; its border titles are set only
when they change (each assignment would redraw it)."""

from __future__ import annotations

import textwrap

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from .titled import Titled

Run = tuple[str, str]
"""A piece of a line: its text and its Rich style, as text ("" for the panel's own)."""
Line = tuple[Run, ...]


def text_of(line: Line) -> str:
    return "".join(text for text, _ in line)


def width_of(line: Line) -> int:
    return sum(cell_len(text) for text, _ in line)


def prose(text: str, style: str, width: int) -> tuple[Line, ...]:
    """A sentence as lines of at most `width` cells, broken between words (never inside one)."""
    lines = textwrap.wrap(text, max(width, 8), break_long_words=False, break_on_hyphens=False)
    return tuple(((line, style),) for line in lines) or (((text, style),),)


def clipped(name: str, room: int) -> str:
    """`name` if it takes at most `room` cells, else its head and `…` (`room` characters)."""
    return name if cell_len(name) <= room else name[:room - 1].rstrip() + "…"


def fitting(forms: list, width: int, measure=width_of, otherwise=None):
    """The first of `forms` (the richest first) that `measure`s at most `width` cells, else
    `otherwise` (None: the last form)."""
    return next((form for form in forms if measure(form) <= width), forms[-1] if otherwise is None else otherwise)


class Lines(Titled, Widget):
    """Shows `Line`s; its height follows their number."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    Lines { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: tuple[Line, ...] = ()
        self._styles: dict[tuple[str, Style], Style] = {}

    @property
    def text(self) -> str:
        """What the panel says, as plain text (one line per line)."""
        return "\n".join(text_of(line) for line in self.lines)

    def show(self, lines: tuple[Line, ...]) -> None:
        if lines == self.lines:
            return
        layout = len(lines) != len(self.lines)
        self.lines = lines
        self.refresh(layout=layout)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.lines)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.visual_style.rich_style
        if not 0 <= y < len(self.lines):
            return Strip.blank(width, base)
        segments = [Segment(text, self._style(style, base)) for text, style in self.lines[y] if text]
        return Strip(segments).crop_extend(0, width, base)

    def _style(self, text: str, base: Style) -> Style:
        found = self._styles.get((text, base))
        if found is None:
            found = self._styles[(text, base)] = base + Style.parse(text) if text else base
        return found


def status_rows(prefix: str = ""):
    """The rows under a view's panels: its status line, its one-line notice, the too-small note
    (shown instead of everything when the terminal is too small) and the footer."""
    from textual.widgets import Footer

    yield Lines(id=f"{prefix}status")
    yield Lines(id=f"{prefix}notice")
    yield Lines(id=f"{prefix}too-small", classes="too-small-note")
    yield Footer(compact=True)
