"""What the modal forms share: enter submits, escape cancels, a refusal is said in place, and the
form closes once, however many keys arrive (over SSH keys come in bursts: an Enter that follows
the one that closed the form must not close it again)."""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

Result = TypeVar("Result")


class Form(ModalScreen[Result], Generic[Result]):
    """A modal form in a titled box; subclasses give its `fields` and `submit` them."""

    BINDINGS = [Binding("escape", "cancel", "cancel", tooltip="Close the form and change nothing")]
    BOX_ID = "form-box"
    ERROR_ID = "form-error"
    TITLE = ""
    SUBTITLE = "enter applies · escape cancels"

    def __init__(self) -> None:
        super().__init__()
        self.closing = False
        """Set once the form has been dismissed; later keys change nothing."""

    def compose(self) -> ComposeResult:
        with Vertical(id=self.BOX_ID) as box:
            box.border_title, box.border_subtitle = self.TITLE, self.SUBTITLE
            yield from self.fields()
            yield Static("", id=self.ERROR_ID)

    def fields(self) -> ComposeResult:
        """The labels and inputs."""
        raise NotImplementedError

    def close(self, result: Result | None = None) -> None:
        if not self.closing:
            self.closing = True
            self.dismiss(result)

    def refuse(self, message: str) -> None:
        """Say in place why the values cannot be used; the form stays open."""
        self.query_one(f"#{self.ERROR_ID}", Static).update(Text(f"refused: {message}"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not self.closing:
            self.submit()

    def submit(self) -> None:
        """Read the inputs: `close` with the result, or `refuse`."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.close(None)
