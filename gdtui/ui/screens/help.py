"""`?`: every key with one line on what it does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gdtui.engine.config import SIGMOID_LOSSES, TrainConfig

from .. import theme

GRADIENT_NOTE = ("The update direction g is the gradient of the loss the trainer steps on: for sse it is the "
                 "gradient of ½·SSE, half the gradient of the printed loss. ")


def help_note(config: TrainConfig) -> str:
    """What the keys do not say: g's factor, and the boundary (the lesson's sigmoid line as an equation)."""
    if config.line_model and config.loss in SIGMOID_LOSSES and not config.standardize:
        return GRADIENT_NOTE + "The boundary is where sigmoid(w0 + w1·x + w2·y) = 0.5, i.e. y = (-w0 - w1·x) / w2."
    return GRADIENT_NOTE + ("The boundary is where the class predicted changes: where the score z = W·x is 0 "
                            "(one weight row), where the two largest class scores meet (one row per class).")


class HelpScreen(ModalScreen[None]):
    """Lists `keys` as (key, explanation) pairs and a `note`; any of escape, ? or q closes it."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "close", tooltip="Back to the trainer"),
    ]

    def __init__(self, keys: list[tuple[str, str]], note: str) -> None:
        super().__init__()
        self._keys = keys
        self._note = note

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
        table.add_column(style=f"bold {theme.KEY}", no_wrap=True)
        table.add_column(overflow="fold")
        for key, text in self._keys:
            table.add_row(key, text)
        with VerticalScroll(id="help-box") as box:
            box.border_title = "keys"
            box.border_subtitle = "↑↓ scroll · escape / ? closes"
            yield Static(table)
            yield Static(self._note, id="help-note")

    def action_dismiss(self) -> None:
        self.dismiss(None)
