"""The guided lesson: a short tour of gradient descent in the steps of the lesson it comes from.

Each step prepares a run (its settings, and how far it has trained), chooses what the left area
shows, says in two or three sentences what to look at, and names the key to press. The learner
may play between steps (every key works) and go back; the step reached is kept in
`<state>/lesson.json`, so that `gdtui lesson` comes back to it. Textual-free: the screen draws it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gdtui.engine import TrainConfig

from . import slots


@dataclass(frozen=True)
class Step:
    """One step of the tour."""

    title: str
    text: str
    """Two or three sentences, in our words."""
    key: str
    """What to press (shown with the text)."""
    settings: dict[str, Any] = field(default_factory=dict)
    """The run's settings for the step (the lesson's defaults otherwise)."""
    epochs: int = 0
    """Epochs trained before the step is shown."""
    left: str = "scatter"
    """What the left area shows: scatter, landscape or evaluation."""
    race: bool = False
    """Open the race view (gd, momentum, nesterov) once prepared."""
    breakpoints: dict[str, Any] = field(default_factory=dict)
    """Breakpoints to put in the form when the step asks for it."""

    def config(self) -> TrainConfig:
        return TrainConfig(**{"seed": 0, **self.settings})


WRONG_START = (5.0, 3.0, 3.0)
"""Weights that put every point far on the wrong side: the sigmoid saturates at once."""

STEPS = (
    Step("The loss is a landscape you cannot see",
         "Training looks for weights W with a low loss. Over all W the loss is a surface, a bowl; the trainer "
         "never sees it, it only measures the loss where it stands. Here is a slice over (w1, w2): ◉ is where "
         "it stands.", "space: one step downhill", left="landscape"),
    Step("The gradient",
         "The gradient says how the loss changes as each weight moves. A finite difference (L(w+h) - L(w-h))/2h "
         "estimates it slowly; the analytic formula gives it exactly. The inspector puts the two side by side.",
         "g: open the gradient inspector", epochs=2),
    Step("The bias trick",
         "Every point is written x = (1, x1, x2): the constant 1 makes the bias w0 one more weight. On the boundary "
         "σ(W·x) = 0.5, so 0 = w0 + w1·x + w2·y, which is the line y = (-w0 - w1·x)/w2 drawn on the data.",
         "y: the last step written out", epochs=3),
    Step("Gradient descent, one epoch at a time",
         "Each epoch: p = σ(X·W), e = p - y, g = Xᵀ(e·p(1-p)), then W += -α·g. Watch W, g and the boundary move "
         "with each press, and the loss fall.", "space, space, space…"),
    Step("Alpha too small",
         "The learning rate α scales every step. Far too small and the run barely moves: the loss falls, but "
         "painfully slowly.", "p: run 40 epochs", settings=dict(dataset="moons", loss="bce", alpha=0.0002, epochs=40)),
    Step("Alpha too large",
         "Too large and each step overshoots the bottom of the bowl: the loss zigzags and grows instead of "
         "falling. The same data and start as before, only α differs.", "p: run 40 epochs",
         settings=dict(dataset="moons", loss="bce", alpha=0.05, epochs=40)),
    Step("Saturation",
         "From weights far on the wrong side every p is 0 or 1, so p(1-p) in the sse gradient is about 0: the "
         "line hardly moves however wrong it is. Cross-entropy's gradient Xᵀ(p - y) has no such factor.",
         "p: run, then f: switch to bce and p again", settings=dict(loss="sse", init_weights=WRONG_START, epochs=20)),
    Step("Mini-batches",
         "Vanilla gradient descent updates once per epoch. Stochastic gradient descent updates after every "
         "mini-batch of rows (here 32): more, cheaper, noisier steps. The batch just used is drawn in capitals.",
         "n: one batch", settings=dict(batch_size=32)),
    Step("Momentum and Nesterov",
         "Momentum keeps a velocity v = μ·v + g and steps along it, so steps build up along a valley; Nesterov "
         "looks ahead along v. In the race all start from the same weights on the same data.",
         "space or p: race them; esc: back", race=True),
    Step("Three ways to stop",
         "Stop after a number of epochs; when the loss (or accuracy) is good enough; or when there has been no "
         "improvement for M epochs. The breakpoints form sets all three while you watch.",
         "b: breakpoints (enter runs)", breakpoints=dict(loss_below=1.0, patience=20, more_epochs=300)),
    Step("Treat it as convex",
         "On these moons no straight line separates the classes: gradient descent still finds a region of low "
         "loss, the best line it can, not a perfect one. That is the lesson's advice: treat the problem as "
         "convex, even when it is not.", "p: run; d: next data set", settings=dict(dataset="moons", loss="bce")),
)


def progress_path() -> Path:
    return slots.state_dir() / "lesson.json"


def load_progress() -> int:
    """The step the learner reached last time (0 if none, or if the file is not one of ours)."""
    try:
        with open(progress_path(), "rb") as handle:
            value = json.loads(handle.read(1000)).get("step")
    except (OSError, ValueError, AttributeError):
        return 0
    return value if type(value) is int and 0 <= value < len(STEPS) else 0


def save_progress(step: int) -> None:
    """Remember `step` (best effort: a lesson never fails on it)."""
    path = progress_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".lesson.{os.getpid()}.tmp")
        temp.write_text(json.dumps({"format": "gdtui-lesson", "step": step}))
        os.replace(temp, path)
    except OSError:
        pass
