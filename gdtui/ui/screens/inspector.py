"""`g`: the analytic gradient beside a centred finite difference of the printed loss."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from gdtui.engine.gradcheck import GradientCheck
from gdtui.engine.losses import Loss

from .. import theme
from ..panels import COMPONENTS, number

AGREEMENT = 1e-6
"""Largest relative error that still counts as agreement."""
FLOOR = 1e-8
"""Relative errors below this are shown as `< 1e-8`: their digits are round-off, which differs
from one CPU to the next (a finite difference divides the loss's rounding by 2h)."""


def decade(error: float) -> str:
    """A relative error as its decade band: `< 1e-8`, or one significant digit such as `3e-7`."""
    if error < FLOOR:
        return f"< {FLOOR:.0e}".replace("e-0", "e-")
    mantissa, exponent = f"{error:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def explain(check: GradientCheck, loss: Loss, epoch: int, mini_batch: bool) -> Group:
    """The inspector's content: a table per weight, the verdict and what the update steps along."""
    table = Table(box=None, padding=(0, 1), expand=True)
    table.add_column("", style="bold")
    for title in ("∇L analytic", "∇L numeric", "rel. error", "update g"):
        table.add_column(title, justify="right", header_style="dim")
    for i, name in enumerate(COMPONENTS):
        table.add_row(name, number(check.analytic[i]), number(check.numeric[i]),
                      decade(check.relative_error[i]), number(check.direction[i]))
    agree = check.max_error < AGREEMENT
    verdict = Text(f"largest relative error {decade(check.max_error)}: ", style="bold")
    verdict.append("the analytic gradient is right" if agree else "the two disagree",
                   style=theme.GOOD if agree else f"bold {theme.BAD}")
    lines = [
        Text(f"L = {loss.formula}  ({loss.name}, all training rows, weights of epoch {epoch})", style="dim"),
        table,
        verdict,
    ]
    if check.factor != 1:
        lines.append(Text(
            f"The update direction g = {loss.direction_formula} is NOT the gradient of the printed loss: "
            f"∇L = {check.factor:g}·g. g is the gradient of ½·SSE, so the lesson's factor {check.factor:g} "
            "is folded into alpha.", style=theme.WARN))
    else:
        lines.append(Text(f"The update direction g = {loss.direction_formula} is exactly ∇L.", style=theme.INFO))
    lines.append(Text("numeric: (L(w + h·e_i) - L(w - h·e_i)) / 2h with h = 1e-6"
                      + ("; in mini-batch mode each update uses only its batch's share of this" if mini_batch
                         else ""), style="dim"))
    return Group(*lines)


class GradientInspector(ModalScreen[None]):
    BINDINGS = [Binding("escape,g,q", "dismiss", "close", tooltip="Back to the trainer")]

    def __init__(self, content: Group) -> None:
        super().__init__()
        self.content = content
        """What the inspector shows (from `explain`)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="inspector-box") as box:
            box.border_title = "gradient inspector"
            box.border_subtitle = "escape / g closes"
            yield Static(self.content, id="inspector-body")

    def action_dismiss(self) -> None:
        self.dismiss(None)
