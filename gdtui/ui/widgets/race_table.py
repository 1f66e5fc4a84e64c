"""The race's table: one row per racer with its key, rule, epoch, loss, accuracies and state."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from gdtui.engine.config import OPTIMIZERS
from gdtui.engine.race import Standing

from .racers import LOOKS

STOP_WORDS = {
    None: ("racing", "dim"),
    "epochs": ("done", "#ffaf5f"),
    "tol": ("below tol", "#5fafff"),
    "patience": ("no progress", "#5fafff"),
    "diverged": ("diverged", "bold #ffffff on #af0000"),
}
"""What the state column says for each stop reason, and in which style."""


COLUMN_WIDTHS = {"epoch": 7, "loss": 12, "train": 6, "test": 6}
"""Least widths of the number columns, so that the table keeps still while the numbers change."""


def state_word(standing: Standing) -> tuple[str, str]:
    return STOP_WORDS.get(standing.stop_reason, (str(standing.stop_reason), ""))


class RaceTable(Static):
    """The standings, redrawn only when a printed value changes."""

    _printed: tuple | None = None

    def show(self, standings: list[Standing], leader: str | None) -> None:
        """`leader`: the rule marked as the one with the lowest loss (None marks none)."""
        rows = tuple(
            (str(OPTIMIZERS.index(s.rule) + 1), s.rule, str(s.epoch), f"{s.loss:.6g}",
             f"{100 * s.train_accuracy:.1f}%", f"{100 * s.test_accuracy:.1f}%", *state_word(s),
             "◀ best" if s.rule == leader else "")
            for s in standings
        )
        if rows == self._printed:
            return
        old, self._printed = self._printed, rows
        self.update(_table(rows), layout=old is None or len(old) != len(rows))


def _table(rows: tuple[tuple[str, ...], ...]) -> Table:
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False)
    table.add_column("key", style="dim", justify="right", no_wrap=True, header_style="dim")
    table.add_column("rule", no_wrap=True, header_style="dim")
    for name, width in COLUMN_WIDTHS.items():
        table.add_column(name, justify="right", no_wrap=True, header_style="dim", min_width=width)
    table.add_column("state", no_wrap=True, header_style="dim")
    table.add_column("", style="bold", no_wrap=True)
    for key, rule, epoch, loss, train, test, word, word_style, lead in rows:
        look = LOOKS[rule]
        table.add_row(key, Text(f"{look.glyph} {rule}", style=f"bold {look.ink}"), epoch, loss, train, test,
                      Text(word, style=word_style), lead)
    return table
