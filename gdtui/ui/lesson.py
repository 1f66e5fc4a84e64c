"""The guided lesson: a short tour of gradient descent in the steps of the lesson it comes from.

Each step prepares a run (its settings, and how far it has trained), chooses what the left area
shows, says in two or three sentences what to look at, and names the key to press. The learner
may play between steps (every key works) and go back; the step reached is kept in
`<state>/lesson.json`, so that `gdtui lesson` comes back to it. Textual-free: the screen draws it
(`gdtui.ui.screens.tour`).
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gdtui.engine import TrainConfig, Trainer, create_trainer
from gdtui.engine.atomic import write_atomic
from gdtui.engine.regular import read_regular

from . import slots, theme

TEXT_LINES = 3
"""A step's text fits in this many lines of the panel at 80 columns (`TEXT_WIDTH`)."""
TEXT_WIDTH = 76
"""The panel's inner width at 80 columns (its border and padding take 4)."""
RACE_RULES = ("gd", "momentum", "nesterov")


@dataclass(frozen=True)
class Step:
    """One step of the tour."""

    title: str
    text: str
    """Two or three sentences, in our words."""
    key: str
    """What to press (shown under the text)."""
    settings: dict[str, Any] = field(default_factory=dict)
    """The run's settings for the step (the lesson's defaults otherwise, seed 0)."""
    epochs: int = 0
    """Epochs trained before the step is shown."""
    left: str = "scatter"
    """What the left area shows: scatter, landscape or evaluation."""
    race: bool = False
    """Open the race view (`RACE_RULES`) once prepared."""
    breakpoints: dict[str, Any] = field(default_factory=dict)
    """Breakpoints put in the form (b), not armed: the learner arms them with enter."""

    def config(self) -> TrainConfig:
        return TrainConfig(**{"seed": 0, **self.settings})


WRONG_START = (5.0, 3.0, 3.0)
"""Weights that put almost every point far on the wrong side: the sigmoid saturates at once."""

STEPS = (
    Step("The loss is a landscape you cannot see",
         "Training looks for weights W = (w0, w1, w2) with a low loss. Over every W the loss is a surface, "
         "a bowl; the trainer never sees it, it only measures the loss where it stands: ◉ on this slice.",
         "space: one step downhill (◉ moves, • is the path)", left="landscape"),
    Step("The gradient",
         "The gradient says how the loss changes as each weight moves; downhill is against it. A finite "
         "difference (L(w+h) - L(w-h))/2h only estimates it, the formula gives it exactly.",
         "g: the inspector puts the two side by side (esc closes it)", epochs=2),
    Step("The bias trick",
         "Each point is written (1, x1, x2): the constant 1 makes the bias w0 one more weight. On the "
         "boundary σ(W·x) = 0.5, so w0 + w1·x + w2·y = 0: the line drawn on the data.",
         "space: the line and its equation (W panel) move together", epochs=3),
    Step("Gradient descent, one epoch at a time",
         "Each epoch: p = σ(X·W), e = p - y, g = Xᵀ(e·p·(1-p)), then W += -α·g. One press is one "
         "epoch: watch W, g and the line move, and the loss fall.",
         "space, space, space… (← goes back an epoch)"),
    Step("Alpha too small",
         "The learning rate α scales every step. With α = 0.0002 on the moons the run crawls: after 40 "
         "epochs the loss has fallen by a third and the line has hardly turned.",
         "p: run the 40 epochs", settings=dict(dataset="moons", loss="bce", alpha=0.0002, epochs=40)),
    Step("Alpha too large",
         "Same data, same start, α = 0.05: each step jumps past the bottom of the bowl. The loss goes up "
         "and down, and the line flips from side to side instead of settling.",
         "p: run the 40 epochs; then ← → replay them", settings=dict(dataset="moons", loss="bce", alpha=0.05,
                                                                     epochs=40)),
    Step("Saturation",
         "Here almost every p is 0 or 1, on the wrong side, so the factor p·(1-p) in the sse gradient is "
         "nearly 0: the line barely moves, however wrong. The gradient of bce, Xᵀ(p - y), has no such factor.",
         "p: run; then f: the loss becomes bce, and p again (L: log scale)",
         settings=dict(loss="sse", init_weights=WRONG_START, epochs=20)),
    Step("Mini-batches",
         "Vanilla gradient descent updates once per epoch. Mini-batch (stochastic) descent updates after "
         "every batch of 32 rows: more, cheaper, noisier steps. The batch just used is in capitals.",
         "n: one batch; space: the rest of the epoch", settings=dict(batch_size=32)),
    Step("Momentum and Nesterov",
         "Momentum keeps a velocity v = μ·v + g and steps along it, so steps grow while the slope keeps its "
         "direction; Nesterov also looks ahead along v. The three start alike, with α = 0.001.",
         "p: race 30 epochs; esc: back to the solo view", settings=dict(alpha=0.001, epochs=30), race=True),
    Step("Three ways to stop",
         "The lesson stops after a number of epochs, when the loss is low enough, or when it has not "
         "improved for M epochs. The breakpoints form holds all three, filled in for you.",
         "b, then enter: run until one of them fires",
         breakpoints=dict(loss_below=1.0, patience=20, more_epochs=300)),
    Step("Treat it as convex",
         "No straight line separates the moons. Gradient descent still finds a region of low loss, the best "
         "line it can: the lesson's advice is to treat the problem as convex even when it is not.",
         "p: run; then d: circles, and p again", settings=dict(dataset="moons", loss="bce")),
)


def prepared(step: Step) -> Trainer:
    """The run `step` shows: built from its settings, trained its epochs."""
    trainer = create_trainer(step.config())
    if step.epochs:
        trainer.run(step.epochs)
    return trainer


def panel_title(index: int) -> str:
    return f"lesson {index + 1}/{len(STEPS)} · {STEPS[index].title}"


PANEL_KEYS = "< back · > next · T close"


def panel_lines(index: int, width: int) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The step's text broken between words to `width`, then the key to press: (text, style) runs."""
    step = STEPS[index]
    lines = textwrap.wrap(step.text, max(width, 20), break_long_words=False, break_on_hyphens=False)
    key = textwrap.wrap(f"▶ {step.key}", max(width, 20), break_long_words=False)
    return tuple(((line, ""),) for line in lines) + tuple(((line, f"bold {theme.KEY}"),) for line in key)


def progress_path() -> Path:
    return slots.state_dir() / "lesson.json"


def load_progress() -> int:
    """The step the learner reached last time (0 if none, or if the file is not one of ours)."""
    try:  # (never blocks: a pipe or a device under the name is not read)
        value = json.loads(read_regular(progress_path(), 1000)).get("step")
    except (OSError, ValueError, AttributeError):
        return 0
    return value if type(value) is int and 0 <= value < len(STEPS) else 0


def save_progress(step: int) -> None:
    """Remember `step` (best effort: a lesson never fails on it)."""
    path = progress_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, [json.dumps({"format": "gdtui-lesson", "step": step})])
    except OSError:
        pass
