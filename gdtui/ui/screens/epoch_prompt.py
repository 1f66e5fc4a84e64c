"""`j`: type an epoch to show; a bad value is refused in place."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.widgets import Input

from gdtui.engine.config import show

from .form import Form


class EpochPrompt(Form[None]):
    """`show(epoch)` rewinds to the typed epoch and returns an error line, or None when done."""

    BOX_ID, ERROR_ID, TITLE = "epoch-box", "epoch-error", "show epoch"

    def __init__(self, shown: int, last: int, show: Callable[[int], str | None]) -> None:
        super().__init__()
        self._shown, self._last = shown, last
        self._show = show

    def fields(self) -> ComposeResult:
        yield Input(value=str(self._shown), placeholder=f"0 … {self._last}", id="epoch-input", select_on_focus=True)

    def submit(self) -> None:
        text = self.query_one(Input).value.strip()
        if not (text.isascii() and text.isdigit()):
            self.refuse(f"an epoch is a whole number in [0, {self._last}] (got {show(text)})")
            return
        problem = self._show(int(text))
        if problem:
            self.refuse(problem)
        else:
            self.close(None)
