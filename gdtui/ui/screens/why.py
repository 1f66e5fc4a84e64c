"""`y`: the last update written out with its own numbers (see `gdtui.ui.why`)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from ..why import Why, why_lines
from ..widgets.lines import Lines

MAX_WIDTH = 110
"""The panel's widest (in cells, border included)."""


class WhyScreen(ModalScreen[None]):
    """Shows a `Why`; escape, y or q closes it (once, however many arrive together)."""

    BINDINGS = [Binding("escape,y,q", "close", "close", tooltip="Back to the trainer")]

    def __init__(self, why: Why) -> None:
        super().__init__()
        self.why = why
        """What the panel explains."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="why-box") as box:
            box.border_title = self.why.title
            box.border_subtitle = "escape / y closes"
            yield Lines(id="why-body")

    def on_mount(self) -> None:
        self._lay_out()

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        scrollbar = self.query_one("#why-box").styles.scrollbar_size_vertical
        width = min(self.size.width, MAX_WIDTH) - 4 - scrollbar  # (the border, the padding, the scrollbar)
        self.query_one("#why-body", Lines).show(why_lines(self.why, width))

    def action_close(self) -> None:
        if self.is_current:
            self.dismiss(None)
