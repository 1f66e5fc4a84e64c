"""`a`: type an exact learning rate. A bad value is refused in place and the old alpha kept."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class AlphaPrompt(ModalScreen[float | None]):
    """Asks for a number; `check(value)` returns an error line or None. Dismisses with the value."""

    BINDINGS = [Binding("escape", "cancel", "cancel", tooltip="Keep the current alpha")]

    def __init__(self, current: float, check: Callable[[float], str | None]) -> None:
        super().__init__()
        self._current = current
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="alpha-box") as box:
            box.border_title = "learning rate alpha"
            box.border_subtitle = "enter applies · escape cancels"
            yield Input(value=f"{self._current:g}", id="alpha-input", select_on_focus=True)
            yield Static("", id="alpha-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            value = float(text)
        except ValueError:
            self._refuse(f"{text!r} is not a number")
            return
        problem = self._check(value)
        if problem:
            self._refuse(problem)
        else:
            self.dismiss(value)

    def _refuse(self, message: str) -> None:
        self.query_one("#alpha-error", Static).update(Text(f"refused: {message}"))

    def action_cancel(self) -> None:
        self.dismiss(None)
