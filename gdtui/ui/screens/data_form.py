"""`D`: choose the data: a generated set or a CSV path, the sample count and the noise.

Nothing changes until the new data load; a bad value or file is refused in place with the reason.
"""

from __future__ import annotations

import os
from typing import Callable

from textual.app import ComposeResult
from textual.widgets import Input, Label

from gdtui.engine import TrainConfig
from gdtui.engine.config import show

from ..sessions import served
from .form import Form


class DataForm(Form[None]):
    """`apply(dataset, samples, noise)` loads the data and returns an error line, or None when done;
    the form checks that the samples are a whole number and the noise a number (or empty), and
    expands a `~` in a path."""

    BOX_ID, ERROR_ID, TITLE = "data-box", "data-error", "data"
    SUBTITLE = "enter applies · tab next field · escape cancels"

    def __init__(self, config: TrainConfig, apply: Callable[[str, int, float | None], str | None]) -> None:
        super().__init__()
        self._config = config
        self._apply = apply

    def fields(self) -> ComposeResult:
        cfg = self._config
        yield Label("blobs, moons, circles, or the path of a CSV file (x1,x2,label)")
        yield Input(value=cfg.dataset, id="data-dataset", compact=True)
        yield Label("samples (generated sets)")
        yield Input(value=str(cfg.samples), id="data-samples", compact=True)
        yield Label("noise / cluster std (generated sets; empty: the set's default)")
        yield Input(value="" if cfg.noise is None else f"{cfg.noise:g}", id="data-noise", compact=True)

    def submit(self) -> None:
        dataset, samples, noise = (self.query_one(f"#data-{name}", Input).value.strip()
                                   for name in ("dataset", "samples", "noise"))
        if not (samples.isascii() and samples.isdigit()):
            self.refuse(f"samples must be a whole number (got {show(samples)})")
            return
        level = _number(noise) if noise else None
        if noise and level is None:
            self.refuse(f"noise must be a number or empty (got {show(noise)})")
            return
        if not served():  # (on a server, ~ is the server's home: not the visitor's, and not to be shown)
            dataset = os.path.expanduser(dataset)
        problem = self._apply(dataset or "blobs", int(samples), level)
        if problem:
            self.refuse(problem)
        else:
            self.close(None)


def _number(text: str) -> float | None:
    """`text` as a number written in ASCII, or None."""
    try:
        return float(text) if text.isascii() else None
    except ValueError:
        return None
