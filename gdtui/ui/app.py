"""The stepping trainer: one screen, every panel redrawn from one engine snapshot.

A key press becomes one action on the `Trainer`, then one redraw. Run mode is a timer that
advances as many epochs as fit in a time budget per frame, then redraws once.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from gdtui.engine import ConfigError, DataError, TrainConfig, Trainer, create_trainer, landscape
from gdtui.engine.breakpoints import Breakpoints, Watch
from gdtui.engine.config import DATASETS, OPTIMIZERS
from gdtui.engine.evaluate import evaluate
from gdtui.engine.losses import gradient_check
from gdtui.engine.schedules import SCHEDULES, describe

from . import sessions
from .pacing import EpochCost
from .words import reason
from .screens.alpha_prompt import AlphaPrompt
from .screens.breakpoints_form import BreakpointsForm
from .screens.data_form import DataForm
from .screens.help import HelpScreen
from .screens.inspector import GradientInspector, explain
from .screens.race import RaceScreen
from .widgets.evaluation import EvaluationView
from .widgets.landscape_view import LandscapeView
from .widgets.loss_plot import LossPlot
from .widgets.panels import GradientPanel, WeightsPanel, retitle
from .widgets.scatter import GHOST_INK, Scatter
from .widgets.status import StatusLine

FRAMES_PER_SECOND = 20
FRAME_SECONDS = 0.047
"""Run mode's frame time: ~21 frames/s, so that a frame that takes longer keeps 20 frames/s."""
ENGINE_SHARE = 0.5
"""Share of a frame that run mode first spends training; then it trains for what drawing leaves."""
MOMENTUM_CHOICES = (0.5, 0.9, 0.99)
BATCH_CHOICES = (None, 256, 64, 32, 8, 1)
DETAIL_MIN_HEIGHT = 32
"""Below this many rows the gradient panel leaves out its formulas to give the loss curve room."""
PREVIEW_FACTORS = (0.5, 1.0, 2.0)
GHOST_NAMES = ("α/2", "α", "2α")
SURFACE_SYNC_LIMIT = 20_000_000
"""Rows x grid cells up to which the loss surface is computed at once; above it, in a worker thread."""
MIN_SIZE = (72, 22)
"""Below this many columns or rows the panels cannot be read: a note replaces them."""
SURFACE_HELD_TOLERANCE = 0.005
"""The surface is recomputed when the held weight moves by more than this share of the window."""


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
    Key("s", "cycle_schedule", "schedule", "Next learning-rate schedule: constant, step (×0.5 every 10 epochs), "
        "exp (×0.95 per epoch), 1/t (alpha/(1+0.1t)); the status line shows the alpha in force.", footer=False),
    Key("b", "breakpoints", "break…", "Breakpoints: run until the loss, the test accuracy or |g| passes a value, "
        "no new best loss for M epochs, or N more epochs; the status line says which fired."),
    Key("m", "cycle_momentum", "μ", "Next momentum coefficient (0.5, 0.9, 0.99) for momentum and nesterov.",
        footer=False),
    Key("B", "cycle_batch", "batch size", "Next batch size: full, 256, 64, 32, 8, 1 (applies from the next epoch).",
        footer=False),
    Key("d", "cycle_dataset", "data", "Next generated data set: blobs, moons, circles (same settings, same seed).",
        footer=False),
    Key("D", "data_form", "data…", "Choose the data: a generated set or a CSV path, the samples and the noise; "
        "a bad value or file is refused in place and the current data kept.", footer=False),
    Key("r", "reset", "reset", "Start again from a fresh random initialisation (same data, same settings)."),
    Key("t", "toggle_view", "view", "Show the training or the test split on the scatter."),
    Key("L", "toggle_log", "log loss", "Log or linear scale for the loss curve.", footer=False),
    Key("left,left_square_bracket", "rewind(-1)", "back", "Rewind one epoch: every panel shows that moment. A step or "
        "a change of settings from there forks a new run (the later epochs are discarded).", footer=False,
        shown_as="← ["),
    Key("right,right_square_bracket", "rewind(1)", "forward", "Forward one epoch through the recorded history.",
        footer=False, shown_as="→ ]"),
    Key("end", "live", "live", "Back to the latest epoch.", footer=False),
    Key("l", "toggle_landscape", "landscape", "Loss landscape over two weights (the third held at its value), "
        "with the run's path and the current point ◉.", footer=False),
    Key("w", "cycle_pair", "weights pair", "Landscape over the next pair of weights: (w1, w2), (w0, w1), (w0, w2).",
        footer=False),
    Key("e", "toggle_evaluation", "evaluate", "Evaluation panel: scikit-learn's classification report and the "
        "confusion matrix of the weights shown (t switches train/test).", footer=False),
    Key("g", "inspect", "inspect ∇", "Gradient inspector: analytic gradient beside a finite difference of the "
        "printed loss, and whether the update follows it.", footer=False),
    Key("v", "toggle_preview", "preview", "Preview: ghost boundaries of the next step with alpha/2, alpha and "
        "2·alpha, nothing committed.", footer=False),
    Key("c", "race", "race", "Race the update rules (gd, momentum, nesterov, adam; 1-6 pick) from this run's "
        "initial weights on the same data, in lock-step; escape comes back to this run, untouched.", footer=False),
    Key("S", "save", "save", "Save the session (data, settings, weights, optimizer state, history) into a new "
        "file in the current directory; `gdtui --resume FILE` continues it.", footer=False),
    Key("x", "export", "export", "Export the screen as SVG and the history as CSV into the current directory.",
        footer=False),
    Key("question_mark", "help", "help", "This list.", shown_as="?"),
    Key("q", "quit", "quit", "Quit, keeping the session for `gdtui --resume` (also kept when the terminal or the "
        "SSH link drops)."),
)


def _label(key: Key) -> str:
    return key.shown_as or key.keys.split(",")[0]


class GDApp(App[int]):
    """The gdtui main screen around one `Trainer`."""

    CSS_PATH = "app.tcss"
    TITLE = "gdtui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding(k.keys, k.action, k.label, show=k.footer, tooltip=k.help) for k in KEYS]

    def __init__(self, trainer: Trainer, opening_note: str = "") -> None:
        super().__init__()
        self.trainer = trainer
        self.opening_note = opening_note
        """Shown under the status line at start (e.g. which session was resumed)."""
        self.autosaved: str = ""
        """What the autosave on leaving did, in one line (printed after the terminal is restored)."""
        self.view = "train"
        """Split drawn on the scatter."""
        self.log_scale = False
        self.running = False
        self.halted_by: str | None = None
        """The stop rule that ended the last run, until the next key changes things."""
        self._run_until = 0
        self.breakpoints = Breakpoints()
        """The breakpoints last set (the form starts from them)."""
        self.watch: Watch | None = None
        """The breakpoints armed for the run, until one fires or the run is reset."""
        self.break_note = ""
        """Which breakpoint fired, in words."""
        self._epoch_cost = EpochCost()
        self.viewing: int | None = None
        """The recorded epoch shown while rewound; None shows the live state."""
        self.left = "scatter"
        """What the left panel shows: `scatter`, `landscape` or `evaluation`."""
        self.pair = 0
        """Index into `landscape.PAIRS` of the weights the landscape spans."""
        self.preview = False
        self.surface: landscape.Surface | None = None
        self.landscape_value = float("nan")
        """The loss at the point marked ◉ on the landscape."""
        self._surface_wanted: landscape.Slice | None = None
        self.evaluation = None
        """The report the evaluation panel shows."""
        self.eval_split = "test"
        """Split the evaluation panel reports on (t switches it while the panel is shown)."""
        self.inspection = None
        """The last gradient check the inspector showed."""

    # ---- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        data = self.trainer.data
        with Horizontal(id="main"):
            yield Scatter(data, id="scatter")
            yield LandscapeView(id="landscape")
            yield EvaluationView(id="evaluation")
            with Vertical(id="side"):
                weights = WeightsPanel(id="weights")
                weights.border_title = "weights"
                yield weights
                yield GradientPanel(id="gradient")
                yield LossPlot(id="loss")
        yield StatusLine(id="status")
        yield Static("", id="notice")
        yield Static("", id="too-small", classes="too-small-note")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._timer = self.set_interval(1 / FRAMES_PER_SECOND, self._tick, pause=True)
        sessions.on_hangup(self._hang_up)
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self.redraw()
        if self.opening_note:
            self.notify_in_place(self.opening_note)

    # ---- drawing -----------------------------------------------------------------------------

    def state_word(self) -> str:
        if self.viewing is not None:
            return f"rewound to epoch {self.viewing} of {self.trainer.epoch}"
        if self.trainer.diverged:
            return "diverged"
        if self.running:
            return "running" + (f" until {self.watch.points.describe()}" if self.watch else "")
        if self.halted_by == "breakpoint":
            return f"break: {self.break_note}"
        if self.halted_by in ("tol", "patience"):
            return f"converged ({self.halted_by})"
        if self.halted_by == "epochs":
            return f"done ({self.trainer.epoch} epochs)"
        return "paused"

    def redraw(self) -> None:
        if self.too_small:  # the panels are hidden (and sizeless) until the terminal grows
            return
        trainer = self.trainer
        live = self.viewing is None
        snap = trainer.snapshot() if live else trainer.snapshot_at(self.viewing)
        highlight = None
        if live and snap.batch_size is not None and not self.running and snap.epoch + snap.batch > 0:
            highlight = trainer.last_batch_rows()
        ghosts = ()
        if self.preview and live:
            ghosts = tuple(trainer.preview(tuple(f * snap.alpha for f in PREVIEW_FACTORS)))
        with self.batch_update():
            self.query_one(StatusLine).show(snap, self.state_word())
            self.query_one(WeightsPanel).show(snap)
            self.query_one(GradientPanel).show(snap, detailed=self.size.height >= DETAIL_MIN_HEIGHT)
            plot = self.query_one(LossPlot)
            retitle(plot, f"loss {snap.loss:.6g} · {snap.loss_name}" + (" · log" if self.log_scale else ""))
            plot.replot(np.array(trainer.history.losses), self.log_scale, self.viewing)
            scatter = self.query_one(Scatter)
            labels = self.trainer.data.labels
            legend = f"o {escape(labels[0])}  x {escape(labels[1])}  • boundary"
            if ghosts:
                legend += "  next: " + " ".join(f"[{ink}]∙{name}[/]" for ink, name in zip(GHOST_INK, GHOST_NAMES))
            retitle(scatter, self._scatter_title(), legend)  # (only if changed: each setting redraws)
            scatter.show(snap.weights, self.view, highlight, ghosts)
            if self.left == "landscape":
                self._draw_landscape(snap)
            elif self.left == "evaluation":
                self._draw_evaluation(snap)

    def _draw_landscape(self, snap) -> None:
        trainer, view = self.trainer, self.query_one(LandscapeView)
        if not (view.size.width and view.size.height):  # just shown: draw once the layout has sized it
            self.call_after_refresh(self.redraw)
            return
        path = trainer.history.weights[: snap.epoch + 1]
        if self.viewing is None and snap.batch:
            path = np.vstack([path, snap.weights])
        w = np.array(snap.weights)
        X, y = trainer.data.X_train, trainer.data.y_train
        self.landscape_value = float(landscape.losses_at(trainer.loss, X, y, w[None, :])[0])
        wanted = self._wanted_slice(path, w, view.size.width, view.size.height)
        if wanted != self._surface_wanted:
            self._surface_wanted = wanted
            if len(y) * wanted.frame.width * wanted.frame.height <= SURFACE_SYNC_LIMIT:
                self.surface = landscape.compute(trainer.loss, X, y, wanted)
            else:
                self._compute_surface(wanted)
        pair = ", ".join(landscape.NAMES[a] for a in wanted.axes)
        view.border_title = f"landscape {trainer.config.loss}({pair}) · ◉ L = {self.landscape_value:.5g}"
        view.border_subtitle = wanted.describe()
        view.show(self.surface, path)

    def _draw_evaluation(self, snap) -> None:
        trainer = self.trainer
        split = self.eval_split
        y = trainer.data.y_train if split == "train" else trainer.data.y_test
        self.evaluation = evaluate(y, trainer.predict(np.array(snap.weights), split), trainer.data.labels, split,
                                   snap.epoch)
        self.query_one(EvaluationView).show(self.evaluation)

    def _wanted_slice(self, path: np.ndarray, w: np.ndarray, width: int, height: int) -> landscape.Slice:
        """Keep the current slice while it still fits: the same pair and size, the whole path inside
        the window, the held weight within tolerance. Otherwise a new window around the path."""
        axes = landscape.PAIRS[self.pair]
        held = float(w[3 - sum(axes)])
        old = self._surface_wanted
        if old is not None and old.axes == axes and (old.frame.width, old.frame.height) == (width, height):
            f = old.frame
            pts = path[:, list(axes)]
            fits = (pts[:, 0].min() >= f.x_min and pts[:, 0].max() <= f.x_max
                    and pts[:, 1].min() >= f.y_min and pts[:, 1].max() <= f.y_max)
            span = max(f.x_max - f.x_min, f.y_max - f.y_min)
            if fits and abs(held - old.held) <= SURFACE_HELD_TOLERANCE * span:
                return old
        return landscape.Slice(axes, held, landscape.window(path, axes, width, height))

    @work(thread=True, exclusive=True)
    def _compute_surface(self, wanted: landscape.Slice) -> None:
        trainer = self.trainer
        surface = landscape.compute(trainer.loss, trainer.data.X_train, trainer.data.y_train, wanted)
        self.call_from_thread(self._surface_ready, surface)

    def _surface_ready(self, surface: landscape.Surface) -> None:
        if surface.slice == self._surface_wanted:
            self.surface = surface
            self.query_one(LandscapeView).show(surface, self.query_one(LandscapeView).path)

    def _scatter_title(self) -> str:
        data = self.trainer.data
        rows = len(data.y_train) if self.view == "train" else len(data.y_test)
        return f"{escape(data.name)} · {self.view} ({rows})"

    def notify_in_place(self, message: str) -> None:
        """A one-line note under the status line, kept until the next key."""
        notice = self.query_one("#notice", Static)
        notice.update(Text(message))  # plain text: messages quote what the user typed
        notice.display = bool(message) and not self.too_small

    def on_key(self) -> None:
        self.notify_in_place("")

    too_small = False
    """The terminal is below MIN_SIZE: a note replaces the panels."""

    def on_resize(self, event: events.Resize) -> None:
        self.fit(*event.size)
        self.redraw()
        if isinstance(self.screen, RaceScreen):
            self.screen.redraw()  # (a view on top with panels of its own)

    def _screen_changed(self, screen) -> None:
        """Back on the main screen from a view on top: the terminal may have changed size meanwhile."""
        if screen is self.screen_stack[0]:
            self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        self.fit(*self.size)
        self.redraw()

    def fit(self, width: int, height: int) -> None:
        """Show the panels, or the note that the terminal is too small for them. The class is set
        on the app, so that a view on top hides its panels too and shows its `.too-small-note`."""
        was_small, self.too_small = self.too_small, width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.set_class(self.too_small, "-too-small")
        if was_small != self.too_small:
            self.refresh_bindings()  # (the footer shows what acts now)
        if not self.too_small:
            return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, RaceScreen):
            self.pop_screen()  # a form, the help or the inspector would cover the note and take keys
        note = (f"gdtui needs a terminal of at least {MIN_SIZE[0]}×{MIN_SIZE[1]}; this one is "
                f"{width}×{height}.\nEnlarge it, or press q to quit. Nothing is lost.")
        self.query_one("#notice", Static).display = False
        for widget in (*self.screen_stack[0].query(".too-small-note"), *self.screen.query(".too-small-note")):
            widget.update(note)

    # ---- stepping ----------------------------------------------------------------------------

    def _pause(self) -> None:
        self.running = False
        self._timer.pause()

    def _fork_if_rewound(self) -> None:
        """A step or a change of settings while rewound continues from the epoch shown."""
        if self.viewing is None:
            return
        epoch, self.viewing = self.viewing, None
        partial = self.trainer.batch  # batches of an unfinished epoch after `epoch`
        discarded = self.trainer.fork(epoch)
        if self.watch is not None:  # the breakpoints count again from the fork
            self.watch = Watch(self.watch.points, self.trainer)
        if discarded:
            self.notify_in_place(f"forked a new run at epoch {epoch}: the {discarded} later epochs were discarded")
        elif partial:
            self.notify_in_place(f"forked a new run at epoch {epoch}: the {partial} batches of the unfinished "
                                 "epoch were discarded")

    def _after_step(self, ok: bool) -> None:
        self.halted_by = None
        if not ok:
            self.notify_in_place("diverged: the update was not finite, the last finite weights are kept "
                                 "(lower alpha with -, or reset with r)")
        self.redraw()

    def action_step_epoch(self) -> None:
        self._pause()
        self._fork_if_rewound()
        self._after_step(self.trainer.step_epoch())

    def action_step_batch(self) -> None:
        self._pause()
        self._fork_if_rewound()
        self._after_step(self.trainer.step_batch())

    def action_toggle_run(self) -> None:
        if self.running:
            self._pause()
            self.redraw()
            return
        self._fork_if_rewound()
        epochs = self.trainer.config.epochs
        epoch = self.trainer.epoch
        if self.watch is not None:  # breakpoints run up to --epochs more epochs beyond the current one
            self._start_run(epoch + self.watch.points.run_length(epochs))
        else:
            self._start_run(epochs if epoch < epochs else epoch + epochs)

    def _start_run(self, until: int) -> None:
        """Start run mode, up to epoch `until` at most."""
        self._run_until = until
        self.halted_by = None
        self.running = True
        self._timer.resume()
        self.redraw()

    _engine_seconds = ENGINE_SHARE * FRAME_SECONDS
    """Seconds of training per run-mode frame, adapted to what drawing leaves (see `_frame`)."""
    _frame_started = 0.0
    _frames_chained = False

    def _tick(self) -> None:
        """Run mode's timer: starts the chain of frames (`_frame`) unless it is running."""
        if self.running and not self._frames_chained:
            self._frames_chained = True
            self._frame()

    def _frame(self) -> None:
        """One run-mode frame: train for the frame's engine time (whole epochs through
        `Trainer.run`, fused for full batches), then redraw once; the next frame starts as soon
        as this one is on the screen and the keys that came meanwhile are handled.

        The engine time adapts so that frames take FRAME_SECONDS: what a frame took more or less
        than that is taken from or given to the next one's training. So drawing keeps its rate
        and the engine gets the rest, whatever the machine and the size of the data."""
        if not self.running:
            self._frames_chained = False
            return
        trainer = self.trainer
        started = time.perf_counter()
        last = started - self._frame_started
        self._frame_started = started
        first_frame = last >= 4 * FRAME_SECONDS
        if not first_frame:  # (the first frame of a run says nothing about the frame rate)
            self._engine_seconds += 0.5 * (FRAME_SECONDS - last)
        self._engine_seconds = min(max(self._engine_seconds, 0.05 * FRAME_SECONDS), 0.9 * FRAME_SECONDS)
        if first_frame:  # one epoch measures what an epoch costs now (the data or the batch may have changed)
            self._epoch_cost.forget()
        count = self._epoch_cost.epochs_in(self._engine_seconds, self._run_until - trainer.epoch)
        first = trainer.epoch
        if self.watch is None:
            reason = trainer.run(count)
        else:
            reason = self.watch.run(trainer, count)
            if reason == "breakpoint":
                self.watch, self.break_note = None, self.watch.fired
        self._epoch_cost.measured(trainer.epoch - first, time.perf_counter() - started)
        if reason not in ("diverged", "tol", "patience", "breakpoint"):
            reason = "epochs" if trainer.epoch >= self._run_until else None
        if reason is not None:
            self._pause()
            self.halted_by = reason
        self.redraw()
        if self.running:
            self.call_after_refresh(self.set_timer, 0.001, self._frame)  # (keys that came meanwhile go first)
        else:
            self._frames_chained = False

    def action_breakpoints(self) -> None:
        def apply(points: Breakpoints) -> None:
            self.breakpoints = points
            self._pause()
            if not points.any:  # (nothing runs, so a rewound view stays rewound)
                self.watch = None
                self.notify_in_place("breakpoints cleared")
                self.redraw()
                return
            self._fork_if_rewound()
            self.watch = Watch(points, self.trainer)
            self._start_run(self.trainer.epoch + points.run_length(self.trainer.config.epochs))

        self.push_screen(BreakpointsForm(self.breakpoints, apply))

    # ---- hyperparameters ---------------------------------------------------------------------

    def _configure(self, **changes) -> bool:
        try:
            self.trainer.config.with_changes(**changes)
        except ConfigError as exc:
            self.notify_in_place(f"refused: {reason(exc)}")
            return False
        self._fork_if_rewound()
        try:
            self.trainer.configure(**changes)
        except ConfigError as exc:
            self.notify_in_place(f"refused: {reason(exc)}")
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
                return reason(exc)
            return None

        def apply(value: float | None) -> None:
            if value is not None:
                self._configure(alpha=value)

        self.push_screen(AlphaPrompt(self.trainer.config.alpha, check), apply)

    def action_cycle_optimizer(self) -> None:
        names = list(OPTIMIZERS)
        self._configure(optimizer=names[(names.index(self.trainer.config.optimizer) + 1) % len(names)])

    def action_cycle_schedule(self) -> None:
        names = list(SCHEDULES)
        if self._configure(schedule=names[(names.index(self.trainer.config.schedule) + 1) % len(names)], decay=None):
            cfg = self.trainer.config
            words = describe(cfg.schedule, cfg.decay, cfg.decay_every)
            self.notify_in_place(f"schedule {words}, counted from epoch 0: alpha in force "
                                 f"{self.trainer.alpha_now:.4g} (base {cfg.alpha:g})")

    def action_cycle_momentum(self) -> None:
        current = self.trainer.config.momentum
        later = [m for m in MOMENTUM_CHOICES if m > current]
        if self._configure(momentum=later[0] if later else MOMENTUM_CHOICES[0]):
            used = "" if self.trainer.config.optimizer in ("momentum", "nesterov") else \
                " (used by momentum and nesterov: o picks them)"
            self.notify_in_place(f"momentum coefficient μ = {self.trainer.config.momentum:g}{used}")

    def action_cycle_batch(self) -> None:
        current = self.trainer.config.batch_size
        index = BATCH_CHOICES.index(current) if current in BATCH_CHOICES else 0
        self._configure(batch_size=BATCH_CHOICES[(index + 1) % len(BATCH_CHOICES)])

    def load_data(self, **changes) -> str | None:
        """Train on other data with the same settings; returns the reason if the data are refused
        (and then nothing changes)."""
        try:
            trainer = create_trainer(self.trainer.config.with_changes(**changes))
        except (ConfigError, DataError) as exc:
            return reason(exc)
        self._pause()
        self.trainer, self.viewing, self.halted_by, self.watch = trainer, None, None, None
        self.surface, self._surface_wanted = None, None
        self.query_one(Scatter).set_data(trainer.data)
        self.redraw()
        return None

    def action_cycle_dataset(self) -> None:
        current = self.trainer.config.dataset
        following = DATASETS[(DATASETS.index(current) + 1) % len(DATASETS)] if current in DATASETS else DATASETS[0]
        problem = self.load_data(dataset=following, noise=None)
        if problem:
            self.notify_in_place(f"refused: {problem}")

    def action_data_form(self) -> None:
        def apply(dataset: str, samples: str, noise: str) -> str | None:
            try:
                count = int(samples)
            except ValueError:
                return f"samples must be a whole number (got {samples!r})"
            try:
                level = float(noise) if noise else None
            except ValueError:
                return f"noise must be a number or empty (got {noise!r})"
            return self.load_data(dataset=dataset or "blobs", samples=count, noise=level)

        self.push_screen(DataForm(self.trainer.config, apply))

    def action_reset(self) -> None:
        self._pause()
        self.viewing, self.watch = None, None
        self.trainer.reset()
        self.halted_by = None
        self.redraw()

    def action_toggle_view(self) -> None:
        if self.left == "evaluation":
            self.eval_split = "test" if self.eval_split == "train" else "train"
        else:
            self.view = "test" if self.view == "train" else "train"
        self.redraw()

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self.redraw()

    def action_rewind(self, delta: int) -> None:
        self._pause()
        trainer = self.trainer
        last = trainer.epoch
        if self.viewing is None:
            # from a partial epoch, the first step back shows the last finished epoch
            target = last if (trainer.batch and delta < 0) else last + delta
        else:
            target = self.viewing + delta
        target = max(0, target)
        self.viewing = None if target > last or (target == last and not trainer.batch) else target
        self.redraw()

    def action_live(self) -> None:
        self.viewing = None
        self.redraw()

    @property
    def show_landscape(self) -> bool:
        return self.left == "landscape"

    def _show_left(self, panel: str) -> None:
        """Show `panel` in the left area, or the scatter again if it is already shown."""
        self.left = "scatter" if self.left == panel else panel
        for widget_type, name in ((Scatter, "scatter"), (LandscapeView, "landscape"), (EvaluationView, "evaluation")):
            self.query_one(widget_type).display = self.left == name
        self.redraw()
        self.call_after_refresh(self.redraw)  # again once the shown panel has its size

    def action_toggle_landscape(self) -> None:
        self._show_left("landscape")

    def action_toggle_evaluation(self) -> None:
        self._show_left("evaluation")

    def action_cycle_pair(self) -> None:
        self.pair = (self.pair + 1) % len(landscape.PAIRS)
        if not self.show_landscape:
            self._show_left("landscape")
        else:
            self.redraw()

    def action_inspect(self) -> None:
        trainer = self.trainer
        epoch = trainer.epoch if self.viewing is None else self.viewing
        w = trainer.weights if self.viewing is None else trainer.history.weights[self.viewing]
        check = gradient_check(trainer.loss, trainer.data.X_train, trainer.data.y_train, w)
        self.inspection = check
        self.push_screen(GradientInspector(explain(check, trainer.loss, epoch, trainer.config.batch_size is not None)))

    def action_toggle_preview(self) -> None:
        self.preview = not self.preview
        if self.preview and self.viewing is not None:
            self.notify_in_place("the preview shows the next step from the latest epoch: press End to go there")
        self.redraw()

    def action_race(self) -> None:

        self._pause()  # (the race trains instead; the solo run waits as it is)
        self.push_screen(RaceScreen(self.trainer))

    # ---- keeping the work ----------------------------------------------------------------------

    def keep_session(self) -> None:
        """Autosave (see `gdtui.ui.sessions`); the outcome goes to `autosaved`. A run not yet
        stepped is not kept: it would replace the last kept session with nothing to resume."""
        if self.trainer.epoch == 0 and self.trainer.batch == 0:
            self.autosaved = "gdtui: nothing trained, so the last kept session stays as it was"
            return
        try:
            path = sessions.autosave(self.trainer)
        except sessions.SessionError as exc:
            self.autosaved = f"gdtui: the session could not be kept: {exc}"
        else:
            self.autosaved = f"gdtui: session kept in {sessions.describe(path)} (`gdtui --resume` reopens it)"

    leaving = False
    """Quitting: the session is being written, no key may change it meanwhile."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.too_small:  # nothing would be seen: only quitting
            return action == "quit"
        return not self.leaving

    async def action_quit(self) -> None:
        self._pause()
        self.leaving = True
        self.notify_in_place("keeping the session…")
        await asyncio.to_thread(self.keep_session)  # (a long history takes seconds: the screen stays drawn)
        self.exit(0)

    def _hang_up(self) -> None:
        """SIGHUP or SIGTERM: keep the session, then leave (the terminal may be gone already)."""
        self._pause()
        self.keep_session()
        self.exit(0)

    def action_save(self) -> None:
        self.notify_in_place(sessions.save_here_saying(self.trainer))

    def action_export(self) -> None:
        try:
            svg, csv = sessions.export_here(self.trainer, self.export_screenshot())
        except OSError as exc:
            self.notify_in_place(f"not exported: {exc.strerror or exc}")
        else:
            self.notify_in_place(f"exported the screen to {sessions.describe(svg)} and the history "
                                 f"({len(self.trainer.history)} rows) to {sessions.describe(csv)}")

    def action_help(self) -> None:
        self.push_screen(HelpScreen([(_label(k), k.help) for k in KEYS]))


def build_app(config: TrainConfig) -> GDApp:
    """The one factory the CLI, the tests and the screenshot script use."""
    return GDApp(create_trainer(config))


def run_app(config: TrainConfig) -> int:
    return _run(build_app(config))


def resume_app(path: str | None, changes: dict) -> int:
    """`gdtui --resume [PATH]`: reopen a saved session (default: the autosave) at its epoch,
    with `changes` to its settings."""
    trainer, where = sessions.open_session(path)
    if changes:
        trainer.configure(**changes)
    return _run(GDApp(trainer, f"resumed {sessions.describe(where)} at epoch {trainer.epoch}"))


def _run(app: GDApp) -> int:
    try:
        app.run()
    finally:
        if not app.autosaved:  # left some other way (e.g. the terminal went away): keep the work anyway
            app.keep_session()
        print(app.autosaved, file=sys.stderr)
    return app.return_code or 0
