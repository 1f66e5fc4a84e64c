"""How engine values read for people: one place for the CLI's log and the TUI's panels.

The engine reports numbers and names; these turn them into the few words the screen or the log
shows (a schedule, the breakpoints set, the boundary's equation, the model's columns and weights).
"""

from __future__ import annotations

import math

from typing import NamedTuple

from gdtui.engine.breakpoints import Breakpoints
from gdtui.engine.schedules import DEFAULT_DECAY


LOG_EXPONENT_FROM = 1e12
"""From this size on, a loss is logged with an exponent."""


def log_loss(value: float) -> str:
    """A loss as the log prints it: the lesson's 7 decimals, or, from `LOG_EXPONENT_FROM` on, 7
    decimals of a mantissa and an exponent (a diverging loss must not run to 160 digits)."""
    if abs(value) >= LOG_EXPONENT_FROM and value == value:
        return f"{value:.7e}"
    return f"{value:.7f}"


class PenaltyFormula(NamedTuple):
    term: str
    """What the penalty adds to the update direction g."""
    value: str
    """The penalty itself."""


PENALTY_FORMULAS = {"l2": PenaltyFormula("λ·w", "λ/2·Σw²"), "l1": PenaltyFormula("λ·sign(w)", "λ·Σ|w|")}
"""Each penalty of `gdtui.engine.penalties` as written on screen (never on the bias column)."""


def weight_name(index: int) -> str:
    return f"w{index}"


def schedule(name: str, decay: float | None = None, decay_every: int = 10) -> str:
    """A learning-rate schedule in a few words."""
    d = DEFAULT_DECAY[name] if decay is None else decay
    return {
        "constant": "constant",
        "step": f"step ×{d:g} every {decay_every}",
        "exp": f"exp ×{d:g}/epoch",
        "inv": f"1/(1+{d:g}t)",
    }[name]


def breakpoints(points: Breakpoints) -> str:
    """The breakpoints that are set, in a few words."""
    words = []
    if points.loss_below is not None:
        words.append(f"loss < {points.loss_below:g}")
    if points.test_accuracy is not None:
        words.append(f"test acc ≥ {100 * points.test_accuracy:g}%")
    if points.gradient_below is not None:
        words.append(f"|g| < {points.gradient_below:g}")
    if points.patience is not None:
        words.append(f"no new best in {points.patience}")
    if points.more_epochs is not None:
        words.append(f"{points.more_epochs} more epochs")
    return ", ".join(words) or "none"


def boundary_equation(w: tuple[float, ...], digits: int = 4) -> str:
    """The decision boundary as text: y = (-w0 - w1*x) / w2, x = -w0/w1 when w2 = 0, or none."""
    w0, w1, w2 = w
    if w2 != 0:
        return f"y = ({-w0:.{digits}g} {_signed(-w1, digits)}·x) / {w2:.{digits}g}"
    if w1 != 0:
        return f"x = {-w0 / w1:.{digits}g}  (vertical: w2 = 0)"
    return "no boundary (w1 = w2 = 0)"


COLUMN_NAMES = {"x1": "x1", "x2": "x2", "x1^2": "x1²", "x2^2": "x2²", "x1x2": "x1·x2", "sin1": "sin x1",
                "sin2": "sin x2"}
"""How the screen writes each feature column (`gdtui.engine.features`)."""


def column_names(features: tuple[str, ...]) -> tuple[str, ...]:
    """The design matrix's columns as the screen names them: `1` (the bias), then each feature."""
    return ("1", *(COLUMN_NAMES[name] for name in features))


def weight_labels(shape: tuple[int, ...]) -> tuple[str, ...]:
    """Every `weight_label` of weights of `shape`, in flat order (k*d + j)."""
    return tuple(weight_label(i, shape) for i in range(math.prod(shape)))


def score_terms(row: tuple[float, ...], names: tuple[str, ...], digits: int = 3) -> tuple[str, ...]:
    """A score's terms with their numbers: the bias, then `+ 1.3·x1`, `- 0.8·x2`, ... (`names`:
    the columns, `column_names`)."""
    row = tuple(w + 0.0 for w in row)  # (-0.0 + 0.0 is 0.0: no `+ -0`)
    return (f"{row[0]:.{digits}g}", *(f"{_signed(w, digits)}·{name}" for w, name in zip(row[1:], names[1:])))


def _signed(value: float, digits: int) -> str:
    return f"- {-value:.{digits}g}" if value < 0 else f"+ {value:.{digits}g}"


def weight_label(index: int, shape: tuple[int, ...]) -> str:
    """The weight at flat `index` (row by row) of weights of `shape`: `w{j}` for one row, `w{k}.{j}`
    (class k, column j) for class rows; () is one row."""
    if len(shape) < 2:
        return weight_name(index)
    k, j = divmod(index, shape[1])
    return f"w{k}.{j}"
