"""`D`: choose the data: a generated set or a CSV path, the sample count and the noise.

Nothing changes until the new data load; a bad value or file is refused in place with the reason.
"""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from gdtui.engine import TrainConfig


class DataForm(ModalScreen[None]):
    """`apply(dataset, samples, noise)` loads the data and returns an error line, or None when done."""

    BINDINGS = [Binding("escape", "cancel", "cancel", tooltip="Keep the current data")]

    def __init__(self, config: TrainConfig, apply: Callable[[str, str, str], str | None]) -> None:
        super().__init__()
        self._config = config
        self._apply = apply

    def compose(self) -> ComposeResult:
        cfg = self._config
        with Vertical(id="data-box") as box:
            box.border_title = "data"
            box.border_subtitle = "enter applies · tab next field · escape cancels"
            yield Label("blobs, moons, circles, or the path of a CSV file (x1,x2,label)")
            yield Input(value=cfg.dataset, id="data-dataset", compact=True)
            yield Label("samples (generated sets)")
            yield Input(value=str(cfg.samples), id="data-samples", compact=True)
            yield Label("noise / cluster std (generated sets; empty: the set's default)")
            yield Input(value="" if cfg.noise is None else f"{cfg.noise:g}", id="data-noise", compact=True)
            yield Static("", id="data-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        values = [self.query_one(f"#data-{name}", Input).value.strip() for name in ("dataset", "samples", "noise")]
        problem = self._apply(*values)
        if problem:
            self.query_one("#data-error", Static).update(Text(f"refused: {problem}"))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
