"""`b`: set breakpoints (the lesson's stopping rules) and run until one fires.

Empty fields are rules that are off; all empty clears the breakpoints. A bad value is refused in
place with the reason and nothing changes.
"""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label

from gdtui.engine.breakpoints import Breakpoints

from .form import Form

FIELDS = (
    ("loss_below", "pause when the loss is below", float, 1.0),
    ("test_accuracy", "pause when the test accuracy reaches (%)", float, 100.0),
    ("gradient_below", "pause when |g| is below", float, 1.0),
    ("patience", "pause after this many epochs without a new best loss", int, 1),
    ("more_epochs", "pause after this many more epochs", int, 1),
)
"""(field, label, type, shown/stored scale: the accuracy is typed in percent)."""


def parse_breakpoints(texts: dict[str, str]) -> Breakpoints:
    """The form's texts -> validated `Breakpoints` (ValueError/ConfigError with one line)."""
    values = {}
    for name, label, kind, scale in FIELDS:
        text = texts.get(name, "").strip()
        if not text:
            continue
        try:
            number = kind(text)
        except ValueError:
            raise ValueError(f"{label.removeprefix('pause ')}: {text!r} is not "
                             f"{'a whole number' if kind is int else 'a number'}") from None
        if scale != 1:
            if not 0 < number <= scale:  # (checked as typed: in percent)
                raise ValueError(f"{label.removeprefix('pause ')}: must be a percentage in (0, {scale:g}] "
                                 f"(got {text})")
            number /= scale
        values[name] = number
    return Breakpoints(**values).validated()


def _shown(points: Breakpoints, name: str, scale: float) -> str:
    value = getattr(points, name)
    return "" if value is None else f"{value * scale:g}"


class BreakpointsForm(Form[None]):
    """`apply(points)` arms them (and starts the run) once they are valid."""

    BOX_ID, ERROR_ID, TITLE = "breakpoints-box", "bp-error", "breakpoints: run until"
    SUBTITLE = "enter runs · empty = off · escape cancels"

    def __init__(self, current: Breakpoints, apply: Callable[[Breakpoints], None]) -> None:
        super().__init__()
        self._current = current
        self._apply = apply

    def fields(self) -> ComposeResult:
        for name, label, _, scale in FIELDS:
            with Horizontal(classes="bp-row"):
                yield Label(label)
                yield Input(value=_shown(self._current, name, scale), id=f"bp-{name}", compact=True)

    def submit(self) -> None:
        texts = {name: self.query_one(f"#bp-{name}", Input).value for name, *_ in FIELDS}
        try:
            points = parse_breakpoints(texts)
        except ValueError as exc:  # (ConfigError is a ValueError)
            self.refuse(str(exc))
            return
        self.close(None)
        self._apply(points)
