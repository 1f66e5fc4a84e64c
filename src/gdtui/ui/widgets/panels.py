"""Numeric panels: the weights with their last change and the boundary equation, the gradient
with the step taken and the optimizer's state, and the status line."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from gdtui.engine import Snapshot
from gdtui.engine.losses import LOSSES
from gdtui.engine.optim import OPTIMIZERS
from gdtui.engine.raster import boundary_equation

COMPONENTS = ("w0 bias", "w1", "w2")
BOUNDARY_INK = "#ffff5f"


def number(value: float) -> str:
    """Sign always shown, at most 9 characters: 4 significant digits, or 3 in e-notation."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:+.4g}"
    return f"{value:+.2e}"


def _table(rows: list[tuple[str, tuple[float, float, float]]]) -> Table:
    table = Table(box=None, padding=(0, 0, 0, 1), pad_edge=False, expand=True, show_edge=False)
    table.add_column("", style="bold", no_wrap=True)
    for name in COMPONENTS:
        table.add_column(name, justify="right", no_wrap=True, header_style="dim")
    for label, values in rows:
        table.add_row(label, *(number(v) for v in values))
    return table


def _line(text: str, style: str = "") -> Text:
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


class WeightsPanel(Static):
    """W = (w0 bias, w1, w2), the change made by the last update, and the boundary equation."""

    def show(self, snap: Snapshot) -> None:
        self.update(Group(_table([("W", snap.weights), ("ΔW", snap.last_step)]),
                          _line(boundary_equation(snap.weights), BOUNDARY_INK)))


class GradientPanel(Static):
    """The update direction, its norm, the step the optimizer took and the optimizer's state."""

    def show(self, snap: Snapshot, detailed: bool = True) -> None:
        """`detailed` adds the formulas: the sse factor, the update rule and the state's meaning."""
        rows = [("g", snap.direction), ("step", snap.last_step)]
        rows += [(symbol, values) for symbol, _, values in snap.optimizer_state]
        loss = LOSSES[snap.loss_name]
        lines = [_table(rows), _line(f"|g| {snap.direction_norm:.4g}   g = {loss.direction_formula}", "dim")]
        if detailed:
            if loss.gradient_factor != 1:
                lines.append(_line(f"g = ∇(½·SSE), so ∇(printed loss) = {loss.gradient_factor:g}·g", "dim"))
            lines.append(_line(OPTIMIZERS[snap.optimizer].title, "dim"))
            if snap.optimizer_state:
                lines.append(_line(", ".join(f"{s}: {meaning}" for s, meaning, _ in snap.optimizer_state), "dim"))
        self.border_title = f"gradient · {snap.optimizer}"
        self.update(Group(*lines))
