"""`g`: the analytic gradient beside a centred finite difference of the printed loss (plus the
penalty, when one is set), for every component of the weights."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from gdtui.describe import PENALTY_FORMULAS, weight_labels
from gdtui.engine.gradcheck import GradientCheck
from gdtui.engine.losses import Loss

from .. import theme
from ..tables import number

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


def labels(check: GradientCheck, columns: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Each component's weight label (`describe.weight_labels`), with `bias` on the bias column
    and, given the `columns` names, the name of every column that is not simply `x{j}`."""
    shape = check.shape or (len(check.direction),)
    out = []
    for i, label in enumerate(weight_labels(shape)):
        j = i % shape[-1]
        name = "bias" if j == 0 else (columns[j] if columns and columns[j] != f"x{j}" else "")
        out.append(f"{label} {name}".rstrip())
    return tuple(out)


def explain(check: GradientCheck, loss: Loss, epoch: int, mini_batch: bool,
            columns: tuple[str, ...] | None = None) -> Group:
    """The inspector's content: a table row per weight (every component of K x d), the verdict and
    what the update steps along; with a penalty, the check is of the loss plus the penalty, J."""
    penalized = check.penalty != "none"
    f = "J" if penalized else "L"
    table = Table(box=None, padding=(0, 1), expand=True)
    table.add_column("", style="bold")
    for title in (f"∇{f} analytic", f"∇{f} numeric", "rel. error", "update g"):
        table.add_column(title, justify="right", header_style="dim")
    for i, name in enumerate(labels(check, columns)):
        table.add_row(name, number(check.analytic[i]), number(check.numeric[i]),
                      decade(check.relative_error[i]), number(check.direction[i]))
    agree = check.max_error < AGREEMENT
    verdict = Text(f"largest relative error {decade(check.max_error)}: ", style="bold")
    verdict.append("the analytic gradient is right" if agree else "the two disagree",
                   style=theme.GOOD if agree else f"bold {theme.BAD}")
    where = f"({loss.name}, all training rows, weights of epoch {epoch})"
    if penalized:
        term, value = PENALTY_FORMULAS[check.penalty]
        head = Text(f"J = L + P: L = {loss.formula}, P = {value} with λ = {check.lam:g}, "
                    f"not on the bias  {where}", style="dim")
        formula = f"{loss.direction_formula} + {term}"
    else:
        head = Text(f"L = {loss.formula}  {where}", style="dim")
        formula = loss.direction_formula
    lines = [head, table, verdict]
    if check.factor != 1 and penalized:
        lines.append(Text(
            f"The update direction g = {formula} is NOT ∇J: its loss part is the gradient of ½·SSE, "
            f"so ∇J = {check.factor:g}·(g - {term}) + {term} (the lesson's factor {check.factor:g} is folded "
            "into alpha).", style=theme.WARN))
    elif check.factor != 1:
        lines.append(Text(
            f"The update direction g = {formula} is NOT the gradient of the printed loss: "
            f"∇L = {check.factor:g}·g. g is the gradient of ½·SSE, so the lesson's factor {check.factor:g} "
            "is folded into alpha.", style=theme.WARN))
    else:
        lines.append(Text(f"The update direction g = {formula} is exactly ∇{f}.", style=theme.INFO))
    lines.append(Text(f"numeric: ({f}(w + h·e_i) - {f}(w - h·e_i)) / 2h with h = 1e-6"
                      + ("; in mini-batch mode each update uses only its batch's share of this" if mini_batch
                         else ""), style="dim"))
    return Group(*lines)


class GradientInspector(ModalScreen[None]):
    """The inspector's content in a box that scrolls when it is taller than the screen allows."""

    BINDINGS = [Binding("escape,g,q", "dismiss", "close", tooltip="Back to the trainer")]
    DEFAULT_CSS = """
    GradientInspector #inspector-box { max-height: 100%; }
    """

    def __init__(self, content: Group) -> None:
        super().__init__()
        self.content = content
        """What the inspector shows (from `explain`)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="inspector-box") as box:
            box.border_title = "gradient inspector"
            box.border_subtitle = "escape / g closes"
            yield Static(self.content, id="inspector-body")

    def on_resize(self) -> None:
        self.call_after_refresh(self._subtitle)

    def _subtitle(self) -> None:
        box = self.query_one("#inspector-box", VerticalScroll)
        box.border_subtitle = ("↑↓ scroll · " if box.max_scroll_y > 0 else "") + "escape / g closes"

    def action_dismiss(self) -> None:
        self.dismiss(None)
