"""Numeric panels: the weights with their last change and the boundary equation, the gradient
with the step taken and the optimizer's state, and the status line."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widgets import Static

from gdtui.engine import Snapshot
from gdtui.engine.losses import LOSSES
from gdtui.engine.optim import OPTIMIZERS
from gdtui.engine.raster import boundary_equation

COMPONENTS = ("w0 bias", "w1", "w2")
BOUNDARY_INK = "#ffff5f"


def number(value: float) -> str:
    """Sign always shown, at most 9 characters: 4 significant digits, or 3 in e-notation."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:+.4g}"
    return f"{value:+.2e}"


def _table(rows: list[tuple[str, tuple[float, float, float]]]) -> Table:
    return _table_of(_cells(rows))


def _cells(rows: list[tuple[str, tuple[float, float, float]]]) -> tuple[tuple[str, ...], ...]:
    """The table's rows as the strings it prints."""
    return tuple((label, *(number(v) for v in values)) for label, values in rows)


class _ReplayedTable:
    """Draws exactly what `_table_of(cells)` draws, at a fraction of the cost.

    Rich lays a table out from the width it is given and the lengths of its cells only. So the
    table is laid out by Rich once per layout, with each cell's text replaced by as many copies
    of a private-use character, and every later table with cells of the same lengths replays
    those segments with the characters swapped back for the cells' text. In run mode the
    numbers change on every frame but their lengths seldom do.
    """

    def __init__(self, cells: tuple[tuple[str, ...], ...]) -> None:
        self.cells = cells

    def __rich_console__(self, console, options):
        flat = [cell for row in self.cells for cell in row]
        if len(flat) > 256 or any(cell_len(cell) != len(cell) for cell in flat):
            yield _table_of(self.cells)
            return
        key = (options.max_width, options.min_width, options.justify, options.overflow, options.no_wrap,
               options.height, options.ascii_only, options.encoding, options.legacy_windows,
               tuple(len(cell) for cell in flat), tuple(len(row) for row in self.cells))
        template = _TEMPLATES.get(key)
        if template is None:
            stand_ins = iter(chr(_PRIVATE + k) * len(cell) for k, cell in enumerate(flat))
            placeholder_cells = tuple(tuple(next(stand_ins) for _ in row) for row in self.cells)
            template = list(console.render(_table_of(placeholder_cells), options))
            if len(_TEMPLATES) > 64:
                _TEMPLATES.clear()
            _TEMPLATES[key] = template
        replayed = []
        for segment in template:
            text = segment.text
            if any(_PRIVATE <= ord(ch) < _PRIVATE + 256 for ch in text):
                for k, cell in enumerate(flat):
                    if cell:
                        text = text.replace(chr(_PRIVATE + k) * len(cell), cell)
                if any(_PRIVATE <= ord(ch) < _PRIVATE + 256 for ch in text):  # a cell was cut short
                    yield _table_of(self.cells)
                    return
            replayed.append(Segment(text, segment.style, segment.control))
        yield from replayed

    def __rich_measure__(self, console, options) -> Measurement:
        return Measurement.get(console, options, _table_of(self.cells))


_PRIVATE = 0xE000
_TEMPLATES: dict[tuple, list[Segment]] = {}


def _table_of(cells: tuple[tuple[str, ...], ...]) -> Table:
    table = Table(box=None, padding=(0, 0, 0, 1), pad_edge=False, expand=True, show_edge=False)
    table.add_column("", style="bold", no_wrap=True)
    for name in COMPONENTS:
        table.add_column(name, justify="right", no_wrap=True, header_style="dim")
    for row in cells:
        table.add_row(*row)
    return table


def _line(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def retitle(widget, title: str | None = None, subtitle: str | None = None) -> None:
    """Set a widget's border title and subtitle, but only if they change: Textual redraws the
    widget on every assignment, even of the same text."""
    for name, value in (("border_title", title), ("border_subtitle", subtitle)):
        if value is None:
            continue
        done = widget.__dict__.get("_retitled_" + name)
        # (what was set, and the object Textual stored for it: a title set elsewhere is noticed)
        if done is None or done[0] != value or done[1] is not getattr(widget, "_" + name, None):
            setattr(widget, name, value)
            widget.__dict__["_retitled_" + name] = (value, getattr(widget, "_" + name, None))


class TemplatedStatic(Static):
    """A Static that draws its lines from a template, swapping in the characters it prints.

    Its content is made from a flat tuple of printed strings (`texts`) by a `build` function.
    The first time a given arrangement is drawn (the same lengths and the same spaces in every
    string, at the same size), Textual draws it once with each printed character replaced by a
    private-use character of its own; later frames of that arrangement take those lines and
    translate the characters back. Rich and Textual lay text out by cell widths and spaces only,
    so the lines are the same as Textual's own, at a fraction of the cost (a Rich table and its
    conversion cost more than the rest of a run-mode frame). Anything unusual, such as a wide
    character or a mouse selection, is drawn the ordinary way.
    """

    _texts: tuple[str, ...] | None = None
    _build = None
    _strips: list[Strip] | None = None
    _strips_for: tuple | None = None
    _templates: dict | None = None

    def _set_texts(self, texts: tuple[str, ...], build) -> None:
        self._texts, self._build, self._strips = texts, build, None

    def render_line(self, y: int) -> Strip:
        if self._build is None or self.text_selection is not None:
            return super().render_line(y)
        if self._strips is None or self._strips_for != (self.size, self.visual_style):
            self._strips = self._templated_strips()
            self._strips_for = (self.size, self.visual_style)
        if self._strips is None:
            return super().render_line(y)
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)

    def _templated_strips(self) -> list[Strip] | None:
        texts = self._texts
        if any(cell_len(text) != len(text) for text in texts):
            return None
        stand_ins, back, code = [], {}, _STAND_IN
        for text in texts:
            chars = []
            for ch in text:
                if ch == " ":
                    chars.append(ch)
                else:
                    chars.append(chr(code))
                    back[code] = ch
                    code += 1
            stand_ins.append("".join(chars))
        width, height = self.size
        key = (tuple(stand_ins), width, height, self.visual_style)
        if self._templates is None or len(self._templates) > 32:
            self._templates = {}
        template = self._templates.get(key)
        if template is None:
            visual = visualize(self, self._build(tuple(stand_ins)), markup=self._render_markup)
            template = self._templates[key] = Visual.to_strips(self, visual, width, height, self.visual_style)
        return [Strip([Segment(segment.text.translate(back), segment.style, segment.control) for segment in strip],
                      strip.cell_length) for strip in template]


_STAND_IN = 0xF0000
"""Private-use characters (plane 15) stand in for printed characters in templates."""


class _Panel(TemplatedStatic):
    """A Static that draws again only when what it prints changes, and lays the screen out again
    only when its number of lines changes: in run mode most frames change a few digits, and a
    layout pass or a Rich table costs as much as the rest of the frame."""

    _printed: object = None
    _lines: object = None

    def _show(self, texts: tuple[str, ...], lines: object, build) -> None:
        """`texts`: every string the panel prints; `lines`: what fixes its height; `build(texts)`:
        the renderable, made only if a text changed."""
        if texts == self._printed:
            return
        self._printed = texts
        self.update(build(texts), layout=lines != self._lines)
        self._set_texts(texts, build)
        self._lines = lines


def _rows_of(texts: tuple[str, ...], width: int = 4) -> tuple[tuple[str, ...], ...]:
    return tuple(texts[k:k + width] for k in range(0, len(texts), width))


class WeightsPanel(_Panel):
    """W = (w0 bias, w1, w2), the change made by the last update, and the boundary equation."""

    def show(self, snap: Snapshot) -> None:
        cells = _cells([("W", snap.weights), ("ΔW", snap.last_step)])
        texts = sum(cells, ()) + (boundary_equation(snap.weights),)
        self._show(texts, len(cells),
                   lambda t: Group(_ReplayedTable(_rows_of(t[:-1])), _line(t[-1], BOUNDARY_INK)))


class GradientPanel(_Panel):
    """The update direction, its norm, the step the optimizer took and the optimizer's state."""

    def show(self, snap: Snapshot, detailed: bool = True) -> None:
        """`detailed` adds the formulas: the sse factor, the update rule and the state's meaning."""
        rows = [("g", snap.direction), ("step", snap.last_step)]
        rows += [(symbol, values) for symbol, _, values in snap.optimizer_state]
        loss = LOSSES[snap.loss_name]
        cells = _cells(rows)
        notes = [f"|g| {snap.direction_norm:.4g}   g = {loss.direction_formula}"]
        if detailed:
            if loss.gradient_factor != 1:
                notes.append(f"g = ∇(½·SSE), so ∇(printed loss) = {loss.gradient_factor:g}·g")
            notes.append(OPTIMIZERS[snap.optimizer].title)
            if snap.optimizer_state:
                notes.append(", ".join(f"{s}: {meaning}" for s, meaning, _ in snap.optimizer_state))
        retitle(self, f"gradient · {snap.optimizer}")
        size = 4 * len(cells)
        self._show(sum(cells, ()) + tuple(notes), (len(cells), len(notes)),
                   lambda t: Group(_ReplayedTable(_rows_of(t[:size])), *(_line(note, "dim") for note in t[size:])))
