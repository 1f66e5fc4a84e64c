"""The stepping trainer: one screen, every panel redrawn from one engine snapshot.

A key press becomes one action on the `Trainer`, then one redraw. Run mode is a timer that
advances as many epochs as fit in a time budget per frame, then redraws once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from gdtui.engine import ConfigError, TrainConfig, Trainer, create_trainer
from gdtui.engine.config import OPTIMIZERS

from .screens.alpha_prompt import AlphaPrompt
from .screens.help import HelpScreen
from .widgets.loss_plot import LossPlot
from .widgets.panels import GradientPanel, WeightsPanel
from .widgets.scatter import Scatter
from .widgets.status import StatusLine

FRAMES_PER_SECOND = 20
ENGINE_SHARE = 0.5
"""Share of each frame that run mode spends training; the rest is left for drawing and keys."""
MOMENTUM_CHOICES = (0.5, 0.9, 0.99)
BATCH_CHOICES = (None, 256, 64, 32, 8, 1)
DETAIL_MIN_HEIGHT = 32
"""Below this many rows the gradient panel leaves out its formulas to give the loss curve room."""


@dataclass(frozen=True)
class Key:
    """One key binding with its footer label and its line in the help screen."""

    keys: str
    action: str
    label: str
    help: str
    footer: bool = True
    shown_as: str = ""


KEYS = (
    Key("space", "step_epoch", "step", "Step one epoch (finishes the epoch under way in mini-batch mode)."),
    Key("n", "step_batch", "batch", "Step one mini-batch (one epoch in full-batch mode)."),
    Key("p", "toggle_run", "run", "Run several epochs per frame until a stop rule fires, or pause."),
    Key("plus,equals_sign", "scale_alpha(2)", "α×2", "Double the learning rate alpha.", shown_as="+"),
    Key("minus", "scale_alpha(0.5)", "α÷2", "Halve the learning rate alpha.", shown_as="-"),
    Key("a", "type_alpha", "α=", "Type an exact alpha; a bad value is refused and the old one kept."),
    Key("o", "cycle_optimizer", "optim", "Next update rule: gd, momentum, nesterov, adagrad, rmsprop, adam."),
    Key("m", "cycle_momentum", "μ", "Next momentum coefficient (0.5, 0.9, 0.99) for momentum and nesterov.",
        footer=False),
    Key("B", "cycle_batch", "batch size", "Next batch size: full, 256, 64, 32, 8, 1 (applies from the next epoch).",
        footer=False),
    Key("r", "reset", "reset", "Start again from a fresh random initialisation (same data, same settings)."),
    Key("t", "toggle_view", "view", "Show the training or the test split on the scatter."),
    Key("L", "toggle_log", "log loss", "Log or linear scale for the loss curve.", footer=False),
    Key("question_mark", "help", "help", "This list.", shown_as="?"),
    Key("q", "quit", "quit", "Quit (the terminal is restored)."),
)


def _label(key: Key) -> str:
    return key.shown_as or key.keys.split(",")[0]


class GDApp(App[int]):
    """The gdtui main screen around one `Trainer`."""

    CSS_PATH = "app.tcss"
    TITLE = "gdtui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding(k.keys, k.action, k.label, show=k.footer, tooltip=k.help) for k in KEYS]

    def __init__(self, trainer: Trainer) -> None:
        super().__init__()
        self.trainer = trainer
        self.view = "train"
        """Split drawn on the scatter."""
        self.log_scale = False
        self.running = False
        self.halted_by: str | None = None
        """The stop rule that ended the last run, until the next key changes things."""
        self._run_until = 0
        self._seconds_per_epoch = 1e-4

    # ---- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        data = self.trainer.data
        with Horizontal(id="main"):
            yield Scatter(data, id="scatter")
            with Vertical(id="side"):
                weights = WeightsPanel(id="weights")
                weights.border_title = "weights"
                yield weights
                yield GradientPanel(id="gradient")
                yield LossPlot(id="loss")
        yield StatusLine(id="status")
        yield Static("", id="notice")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / FRAMES_PER_SECOND, self._tick, pause=True)
        self.redraw()

    # ---- drawing -----------------------------------------------------------------------------

    def state_word(self) -> str:
        if self.trainer.diverged:
            return "diverged"
        if self.running:
            return "running"
        if self.halted_by in ("tol", "patience"):
            return f"converged ({self.halted_by})"
        if self.halted_by == "epochs":
            return f"done ({self.trainer.epoch} epochs)"
        return "paused"

    def redraw(self) -> None:
        trainer = self.trainer
        snap = trainer.snapshot()
        highlight = None
        if snap.batch_size is not None and not self.running and snap.epoch + snap.batch > 0:
            highlight = trainer.last_batch_rows()
        with self.batch_update():
            self.query_one(StatusLine).show(snap, self.state_word())
            self.query_one(WeightsPanel).show(snap)
            self.query_one(GradientPanel).show(snap, detailed=self.size.height >= DETAIL_MIN_HEIGHT)
            plot = self.query_one(LossPlot)
            plot.border_title = f"loss {snap.loss:.6g} · {snap.loss_name}" + (" · log" if self.log_scale else "")
            plot.replot(np.array(trainer.history.losses), self.log_scale)
            scatter = self.query_one(Scatter)
            scatter.border_title = self._scatter_title()
            scatter.border_subtitle = f"o {self.trainer.data.labels[0]}  x {self.trainer.data.labels[1]}  • boundary"
            scatter.show(snap.weights, self.view, highlight)

    def _scatter_title(self) -> str:
        data = self.trainer.data
        rows = len(data.y_train) if self.view == "train" else len(data.y_test)
        return f"{data.name} · {self.view} ({rows})"

    def notify_in_place(self, message: str) -> None:
        """A one-line note under the status line, kept until the next key."""
        notice = self.query_one("#notice", Static)
        notice.update(message)
        notice.display = bool(message)

    def on_key(self) -> None:
        self.notify_in_place("")

    def on_resize(self) -> None:
        self.redraw()

    # ---- stepping ----------------------------------------------------------------------------

    def _pause(self) -> None:
        self.running = False
        self._timer.pause()

    def _after_step(self, ok: bool) -> None:
        self.halted_by = None
        if not ok:
            self.notify_in_place("diverged: the update was not finite, the last finite weights are kept "
                                 "(lower alpha with -, or reset with r)")
        self.redraw()

    def action_step_epoch(self) -> None:
        self._pause()
        self._after_step(self.trainer.step_epoch())

    def action_step_batch(self) -> None:
        self._pause()
        self._after_step(self.trainer.step_batch())

    def action_toggle_run(self) -> None:
        if self.running:
            self._pause()
            self.redraw()
            return
        epochs = self.trainer.config.epochs
        self._run_until = epochs if self.trainer.epoch < epochs else self.trainer.epoch + epochs
        self.halted_by = None
        self.running = True
        self._timer.resume()
        self.redraw()

    def _tick(self) -> None:
        if not self.running:
            return
        trainer = self.trainer
        budget = ENGINE_SHARE / FRAMES_PER_SECOND
        count = max(1, int(budget / self._seconds_per_epoch))
        started = time.perf_counter()
        done = 0
        reason = None
        while done < count:
            if not trainer.step_epoch():
                reason = "diverged"
                break
            done += 1
            reason = trainer.stop_reason
            if reason in ("tol", "patience"):
                break
            if trainer.epoch >= self._run_until:
                reason = "epochs"
                break
            reason = None
        if done:
            self._seconds_per_epoch = max((time.perf_counter() - started) / done, 1e-7)
        if reason is not None:
            self._pause()
            self.halted_by = reason
        self.redraw()

    # ---- hyperparameters ---------------------------------------------------------------------

    def _configure(self, **changes) -> bool:
        try:
            self.trainer.configure(**changes)
        except ConfigError as exc:
            self.notify_in_place(f"refused: {exc}")
            return False
        self.halted_by = None
        self.redraw()
        return True

    def action_scale_alpha(self, factor: float) -> None:
        self._configure(alpha=self.trainer.config.alpha * factor)

    def action_type_alpha(self) -> None:
        def check(value: float) -> str | None:
            try:
                self.trainer.config.with_changes(alpha=value)
            except ConfigError as exc:
                return str(exc)
            return None

        def apply(value: float | None) -> None:
            if value is not None:
                self._configure(alpha=value)

        self.push_screen(AlphaPrompt(self.trainer.config.alpha, check), apply)

    def action_cycle_optimizer(self) -> None:
        names = list(OPTIMIZERS)
        self._configure(optimizer=names[(names.index(self.trainer.config.optimizer) + 1) % len(names)])

    def action_cycle_momentum(self) -> None:
        current = self.trainer.config.momentum
        later = [m for m in MOMENTUM_CHOICES if m > current]
        self._configure(momentum=later[0] if later else MOMENTUM_CHOICES[0])

    def action_cycle_batch(self) -> None:
        current = self.trainer.config.batch_size
        index = BATCH_CHOICES.index(current) if current in BATCH_CHOICES else 0
        self._configure(batch_size=BATCH_CHOICES[(index + 1) % len(BATCH_CHOICES)])

    def action_reset(self) -> None:
        self._pause()
        self.trainer.reset()
        self.halted_by = None
        self.redraw()

    def action_toggle_view(self) -> None:
        self.view = "test" if self.view == "train" else "train"
        self.redraw()

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self.redraw()

    def action_help(self) -> None:
        self.push_screen(HelpScreen([(_label(k), k.help) for k in KEYS]))


def build_app(config: TrainConfig) -> GDApp:
    """The one factory the CLI, the tests and the screenshot script use."""
    return GDApp(create_trainer(config))


def run_app(config: TrainConfig) -> int:
    app = build_app(config)
    app.run()
    return app.return_code or 0
