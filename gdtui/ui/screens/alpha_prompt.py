"""`a`: type an exact learning rate. A bad value is refused in place and the old alpha kept."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.widgets import Input

from .form import Form


class AlphaPrompt(Form[float]):
    """Asks for a number; `check(value)` returns an error line or None. Dismisses with the value."""

    BOX_ID, ERROR_ID, TITLE = "alpha-box", "alpha-error", "learning rate alpha"

    def __init__(self, current: float, check: Callable[[float], str | None]) -> None:
        super().__init__()
        self._current = current
        self._check = check

    def fields(self) -> ComposeResult:
        yield Input(value=f"{self._current:g}", id="alpha-input", select_on_focus=True)

    def submit(self) -> None:
        text = self.query_one(Input).value.strip()
        try:
            value = float(text)
        except ValueError:
            self.refuse(f"{text!r} is not a number")
            return
        problem = self._check(value)
        if problem:
            self.refuse(problem)
        else:
            self.close(value)
