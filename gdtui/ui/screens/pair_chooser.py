"""`w`: the chooser of the two weights the landscape spans.

Every weight is listed by its label in a table: one line per column of the design matrix (`1`, `x1`,
`x2`, `x1²` …), one column per class row (one column for one row), so that 6 classes of 8 columns
still fit 80x24. Arrows move, space or enter picks the weight along x, then the one along y (the same
one twice is refused in place), escape cancels, `w` takes the next pair in order and closes (so `w w`
steps through the pairs as the old cycle did). Keys come in bursts over SSH: they may arrive before
the chooser is drawn (they still count) or after it closed (they change nothing).
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen

from gdtui.describe import column_names, weight_label

from .. import theme
from ..widgets.lines import Line, Lines, clipped

CLASS_WIDTH = 8
"""The most cells a class's name takes in the table's head."""
NOTE_WIDTH = 46
"""The least width of the box's text, so that its notes fit on one line."""
X_MARK, Y_MARK = "→", "↑"


class PairPick:
    """Where the cursor is and which weight was picked first, over weights of `shape` (flat indices,
    row by row), starting from the pair `current` (Textual-free)."""

    def __init__(self, shape: tuple[int, ...], current: tuple[int, int]) -> None:
        self.shape = tuple(shape)
        self.rows, self.d = (shape[0], shape[1]) if len(shape) == 2 else (1, shape[0])
        self.current = current
        self.cursor = current[0]
        self.first: int | None = None
        self.note = f"pick the weight along x ({X_MARK})"

    def label(self, index: int) -> str:
        return weight_label(index, self.shape)

    def move(self, rows: int, columns: int) -> None:
        """The cursor `rows` lines down (the design matrix's columns) and `columns` class rows to the
        right, staying in the table."""
        k, j = divmod(self.cursor, self.d)
        self.cursor = min(max(k + columns, 0), self.rows - 1) * self.d + min(max(j + rows, 0), self.d - 1)

    def pick(self) -> tuple[int, int] | None:
        """Pick the weight under the cursor: the first is along x; the second (another one) along y
        completes the pair, which comes back."""
        if self.first is None:
            self.first = self.cursor
            self.note = f"{self.label(self.cursor)} along x; now the one along y ({Y_MARK})"
            return None
        if self.cursor == self.first:
            self.note = f"refused: {self.label(self.cursor)} is along x already; pick another for y"
            return None
        return self.first, self.cursor

    def next_pair(self) -> tuple[int, int]:
        """The pair after the current one, in order (a < b) and round: for three weights (w1, w2) →
        (w0, w1) → (w0, w2), the lesson's old cycle."""
        n = self.rows * self.d
        pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
        return pairs[(pairs.index(tuple(sorted(self.current))) + 1) % len(pairs)]

    def marks(self) -> dict[int, str]:
        """The arrows beside the weights: the pair shown until a first pick, then that pick."""
        if self.first is None:
            return {self.current[0]: X_MARK, self.current[1]: Y_MARK}
        return {self.first: X_MARK}


def chooser_lines(pick: PairPick, features: tuple[str, ...], classes: tuple[str, ...]) -> tuple[Line, ...]:
    """The table of every weight: a head of class names (class rows only), then one line per column
    of the design matrix with its name and the weights of that column, the cursor's reversed."""
    names = column_names(features)
    left = max(cell_len(n) for n in names) + 1
    heads = [_head(classes[k] if k < len(classes) else str(k)) for k in range(pick.rows)]
    cell = max([cell_len(pick.label(pick.rows * pick.d - 1)) + 2] + [cell_len(h) for h in heads]) + 2
    lines: list[Line] = []
    if pick.rows > 1:
        lines.append(((" " * left + "".join(h.ljust(cell) for h in heads), theme.DIM),))
    marks = pick.marks()
    for j, name in enumerate(names):
        runs = [(name.ljust(left), theme.DIM)]
        for k in range(pick.rows):
            i = k * pick.d + j
            text = f"{marks.get(i, ' ')} {pick.label(i)}"
            style = "reverse bold" if i == pick.cursor else ("bold " + theme.KEY if i in marks else "")
            runs += [(text, style), (" " * (cell - cell_len(text)), "")]
        lines.append(tuple(runs))
    return tuple(lines)


def _head(name: str) -> str:
    """A class's name in the table's head: `class 2` for a number, else the name, cut."""
    text = f"class {name}" if name.isdigit() else name
    return clipped(text, CLASS_WIDTH)


class PairChooser(ModalScreen[tuple[int, int] | None]):
    """Lists the weights of `shape` (columns `features`, class rows named `classes`) with `current`
    marked; dismisses with the flat pair (x, y) picked, or None."""

    DEFAULT_CSS = """
    PairChooser { align: center middle; }
    #pair-box { height: auto; max-height: 100%; border: round $accent; background: $surface; padding: 0 1; }
    #pair-note { margin-top: 1; }
    """
    BINDINGS = [
        Binding("up", "move(-1, 0)", "up", show=False), Binding("down", "move(1, 0)", "down", show=False),
        Binding("left", "move(0, -1)", "left", show=False), Binding("right", "move(0, 1)", "right", show=False),
        Binding("space,enter", "pick", "pick", show=False), Binding("w", "next_pair", "next pair", show=False),
        Binding("escape", "cancel", "cancel", tooltip="Close the chooser and change nothing"),
    ]

    def __init__(self, shape: tuple[int, ...], features: tuple[str, ...], classes: tuple[str, ...],
                 current: tuple[int, int]) -> None:
        super().__init__()
        self.pick = PairPick(shape, current)
        self._columns = (tuple(features), tuple(classes))
        self.closing = False
        """Set once the chooser has been dismissed; later keys change nothing."""

    def compose(self) -> ComposeResult:
        table = chooser_lines(self.pick, *self._columns)
        width = max(NOTE_WIDTH, max(sum(cell_len(t) for t, _ in line) for line in table))
        with Vertical(id="pair-box") as box:
            box.border_title = "landscape over which two weights?"
            box.border_subtitle = "arrows · space picks · w next pair · esc"
            box.styles.width = width + 4  # (the border and the padding)
            yield Lines(id="pair-table")
            yield Lines(id="pair-note")

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        """Draw the table and the note (before the chooser is mounted there is nothing to draw yet)."""
        for table in self.query("#pair-table").results(Lines):
            table.show(chooser_lines(self.pick, *self._columns))
        for note in self.query("#pair-note").results(Lines):
            note.show((((self.pick.note, theme.BAD if self.pick.note.startswith("refused") else ""),),))

    def _close(self, pair: tuple[int, int] | None) -> None:
        if not self.closing and self.is_current:
            self.closing = True
            self.dismiss(pair)

    def action_move(self, rows: int, columns: int) -> None:
        if not self.closing:
            self.pick.move(rows, columns)
            self._show()

    def action_pick(self) -> None:
        if self.closing:
            return
        pair = self.pick.pick()
        if pair is None:
            self._show()
        else:
            self._close(pair)

    def action_next_pair(self) -> None:
        self._close(self.pick.next_pair())

    def action_cancel(self) -> None:
        self._close(None)
