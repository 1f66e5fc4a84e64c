"""The solo run as the screen shows it, without Textual: a `Trainer` plus what the learner is doing
with it — rewound to an epoch, running until a stop rule or a breakpoint, which rule stopped it.

Every action returns the one line the screen should say about it ("" for nothing), and changes
nothing when it is refused. The screen only draws what this holds (`SoloScreen`).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np

from gdtui.describe import breakpoints as breakpoint_words, schedule as schedule_words
from gdtui.engine import ConfigError, DataError, Snapshot, Trainer, create_trainer
from gdtui.engine.breakpoints import Breakpoints, Watch
from gdtui.engine.config import DATASETS, OPTIMIZERS
from gdtui.engine.evaluate import Evaluation, evaluate
from gdtui.engine.gradcheck import GradientCheck, gradient_check
from gdtui.engine.schedules import SCHEDULES

MOMENTUM_CHOICES = (0.5, 0.9, 0.99)
BATCH_CHOICES = (None, 256, 64, 32, 8, 1)
PREVIEW_FACTORS = (0.5, 1.0, 2.0)
DIVERGED_NOTE = ("diverged: the update was not finite, the last finite weights are kept "
                 "(lower alpha with -, or reset with r)")


def changes(method):
    """A method that changes the run: it holds the session's lock, so that a save from another
    thread (the exit guard's, when the event loop is stuck) never reads a step half done."""
    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)
    return locked


@dataclass(frozen=True)
class View:
    """What the screen draws: the snapshot shown and where the run stands."""

    snapshot: Snapshot
    state: str
    """The status line's first words: paused, running, rewound, done, converged, diverged, break."""
    short_state: str
    """The same in as few words as still say it (for a narrow status line)."""
    live: bool
    """False while rewound."""


class SoloSession:
    """One learner's solo run."""

    def __init__(self, trainer: Trainer) -> None:
        self.lock = threading.RLock()
        """Held while the run changes (see `changes`) and while it is saved."""
        self.trainer = trainer
        self.viewing: int | None = None
        """The recorded epoch shown while rewound; None shows the live state."""
        self.running = False
        self.run_until = 0
        """The epoch a run stops at, at the latest."""
        self.halted_by: str | None = None
        """The stop rule that ended the last run, until the next action changes things."""
        self.breakpoints = Breakpoints()
        """The breakpoints last set (the form starts from them)."""
        self.watch: Watch | None = None
        """The breakpoints armed for the run, until one fires or the run is reset."""
        self.break_note = ""
        """Which breakpoint fired, in words."""
        self.halt_note = ""
        """What stopped the last run, in words, until the screen has said it (`take_halt_note`)."""

    # ---- what is shown ---------------------------------------------------------------------

    @property
    def shown_epoch(self) -> int:
        return self.trainer.epoch if self.viewing is None else self.viewing

    @property
    def shown_weights(self) -> np.ndarray:
        return self.trainer.weights if self.viewing is None else self.trainer.history.weights[self.viewing]

    def view(self) -> View:
        trainer = self.trainer
        snap = trainer.snapshot() if self.viewing is None else trainer.snapshot_at(self.viewing)
        return View(snap, self.state_word(), self.short_state(), self.viewing is None)

    def state_word(self) -> str:
        if self.viewing is not None:
            return f"rewound to epoch {self.viewing} of {self.trainer.epoch}"
        if self.trainer.diverged:
            return "diverged"
        if self.running:
            return "running" + (f" until {breakpoint_words(self.watch.points)}" if self.watch else "")
        if self.halted_by == "breakpoint":
            return f"break: {self.break_note}"
        if self.halted_by in ("tol", "patience"):
            return f"converged ({self.halted_by})"
        if self.halted_by == "epochs":
            return f"done ({self.trainer.epoch} epochs)"
        return "paused"

    def short_state(self) -> str:
        """`state_word` in as few words as still say it: `rewound 3/6`, `break`, `running`, `done`."""
        if self.viewing is not None:
            return f"rewound {self.viewing}/{self.trainer.epoch}"
        return self.state_word().split(":")[0].split(" (")[0].split(" until")[0]

    def highlight(self) -> np.ndarray | None:
        """The training rows of the last mini-batch, while paused live in mini-batch mode."""
        trainer = self.trainer
        if self.viewing is None and trainer.config.batch_size is not None and not self.running \
                and trainer.epoch + trainer.batch > 0:
            return trainer.last_batch_rows()
        return None

    def ghosts(self) -> tuple[tuple[float, ...] | None, ...]:
        """Where the next update would put the weights with alpha/2, alpha and 2 alpha (live only)."""
        if self.viewing is not None:
            return ()
        alpha = self.trainer.alpha_now
        return tuple(self.trainer.preview(tuple(f * alpha for f in PREVIEW_FACTORS)))

    def path(self) -> np.ndarray:
        """(k, d) the weights from the start to the ones shown (mid-epoch: the current ones last)."""
        trainer = self.trainer
        path = trainer.history.weights[: self.shown_epoch + 1]
        if self.viewing is None and trainer.batch:
            path = np.vstack([path, trainer.weights])
        return path

    def gradient_check(self) -> GradientCheck:
        """The analytic gradient against a finite difference, at the weights shown."""
        data = self.trainer.data
        return gradient_check(self.trainer.loss, data.X_train, data.y_train, self.shown_weights)

    def evaluation(self, split: str) -> Evaluation:
        """scikit-learn's report of the weights shown on `split`."""
        trainer = self.trainer
        y = trainer.data.y_train if split == "train" else trainer.data.y_test
        return evaluate(y, trainer.predict(self.shown_weights, split), trainer.data.labels, split, self.shown_epoch)

    # ---- stepping ----------------------------------------------------------------------------

    def pause(self) -> None:
        self.running = False

    @changes
    def step_epoch(self) -> str:
        return self._step(self.trainer.step_epoch)

    @changes
    def step_batch(self) -> str:
        return self._step(self.trainer.step_batch)

    def _step(self, step) -> str:
        self.pause()
        note = self._fork_if_rewound()
        self.halted_by = None
        return note if step() else DIVERGED_NOTE

    @changes
    def start_run(self) -> str:
        """Run mode until a stop rule fires: up to the epoch limit, or that many epochs more once
        it is reached; with breakpoints armed, up to that many epochs beyond the current one."""
        note = self._fork_if_rewound()
        epochs, epoch = self.trainer.config.epochs, self.trainer.epoch
        if self.watch is not None:
            self._run_to(epoch + self.watch.points.run_length(epochs))
        else:
            self._run_to(epochs if epoch < epochs else epoch + epochs)
        return note

    def _run_to(self, until: int) -> None:
        self.run_until, self.halted_by, self.running = until, None, True

    def remaining(self) -> int:
        """Epochs the run may still take."""
        return max(self.run_until - self.trainer.epoch, 0)

    @changes
    def advance(self, count: int) -> bool:
        """Run mode: up to `count` more epochs, checking the breakpoints after each. Returns
        whether the run goes on (else `halted_by` says why it stopped)."""
        trainer = self.trainer
        if self.watch is None:
            reason = trainer.run(count)
        else:
            reason = self.watch.run(trainer, count)
            if reason == "breakpoint":
                self.watch, self.break_note = None, self.watch.fired
        if reason not in ("diverged", "tol", "patience", "breakpoint"):
            reason = "epochs" if trainer.epoch >= self.run_until else None
        if reason is not None:
            self.running, self.halted_by = False, reason
            self.halt_note = f"break: {self.break_note}" if reason == "breakpoint" else ""
        return self.running

    def take_halt_note(self) -> str:
        note, self.halt_note = self.halt_note, ""
        return note

    @changes
    def arm(self, points: Breakpoints) -> str:
        """Set breakpoints and run until one fires; none set clears them (and runs nothing)."""
        self.breakpoints = points
        self.pause()
        if not points.any:  # (nothing runs, so a rewound view stays rewound)
            self.watch = None
            return "breakpoints cleared"
        note = self._fork_if_rewound()
        self.watch = Watch(points, self.trainer)
        self._run_to(self.trainer.epoch + points.run_length(self.trainer.config.epochs))
        return note

    def _fork_if_rewound(self) -> str:
        """A step or a change of settings while rewound continues from the epoch shown."""
        if self.viewing is None:
            return ""
        epoch, self.viewing = self.viewing, None
        partial = self.trainer.batch  # batches of an unfinished epoch after `epoch`
        discarded = self.trainer.fork(epoch)
        if self.watch is not None:  # the breakpoints count again from the fork
            self.watch = Watch(self.watch.points, self.trainer)
        if discarded:
            return f"forked a new run at epoch {epoch}: the {discarded} later epochs were discarded"
        if partial:
            return f"forked a new run at epoch {epoch}: the {partial} batches of the unfinished epoch were discarded"
        return ""

    # ---- settings ----------------------------------------------------------------------------

    @changes
    def configure(self, **changes) -> str:
        """Change settings of the run (forking first if rewound); a bad value is refused, with
        nothing changed."""
        try:
            self.trainer.config.with_changes(**changes)
        except ConfigError as exc:
            return f"refused: {exc}"
        note = self._fork_if_rewound()
        self.trainer.configure(**changes)
        self.halted_by = None
        return note

    def refusal(self, **changes) -> str | None:
        """Why `changes` would be refused, or None (for a form that checks before it closes)."""
        try:
            self.trainer.config.with_changes(**changes)
        except ConfigError as exc:
            return str(exc)
        return None

    @changes
    def scale_alpha(self, factor: float) -> str:
        return self.configure(alpha=self.trainer.config.alpha * factor)

    @changes
    def cycle_optimizer(self) -> str:
        names = list(OPTIMIZERS)
        return self.configure(optimizer=names[(names.index(self.trainer.config.optimizer) + 1) % len(names)])

    @changes
    def cycle_schedule(self) -> str:
        names = list(SCHEDULES)
        note = self.configure(schedule=names[(names.index(self.trainer.config.schedule) + 1) % len(names)], decay=None)
        if note.startswith("refused"):
            return note
        cfg = self.trainer.config
        said = (f"schedule {schedule_words(cfg.schedule, cfg.decay, cfg.decay_every)}, counted from epoch 0: "
                f"alpha in force {self.trainer.alpha_now:.4g} (base {cfg.alpha:g})")
        return f"{note}; {said}" if note else said

    @changes
    def cycle_momentum(self) -> str:
        current = self.trainer.config.momentum
        later = [m for m in MOMENTUM_CHOICES if m > current]
        note = self.configure(momentum=later[0] if later else MOMENTUM_CHOICES[0])
        if note.startswith("refused"):
            return note
        used = "" if self.trainer.config.optimizer in ("momentum", "nesterov") else \
            " (used by momentum and nesterov: o picks them)"
        said = f"momentum coefficient μ = {self.trainer.config.momentum:g}{used}"
        return f"{note}; {said}" if note else said

    @changes
    def cycle_batch(self) -> str:
        current = self.trainer.config.batch_size
        index = BATCH_CHOICES.index(current) if current in BATCH_CHOICES else 0
        return self.configure(batch_size=BATCH_CHOICES[(index + 1) % len(BATCH_CHOICES)])

    @changes
    def load_data(self, **changes) -> str | None:
        """Train on other data with the same settings; returns the reason if the data are refused
        (and then nothing changes)."""
        try:
            trainer = create_trainer(self.trainer.config.with_changes(**changes))
        except (ConfigError, DataError) as exc:
            return str(exc)
        self.pause()
        self.trainer, self.viewing, self.halted_by, self.watch = trainer, None, None, None
        return None

    @changes
    def cycle_dataset(self) -> str:
        current = self.trainer.config.dataset
        following = DATASETS[(DATASETS.index(current) + 1) % len(DATASETS)] if current in DATASETS else DATASETS[0]
        problem = self.load_data(dataset=following, noise=None)
        return f"refused: {problem}" if problem else ""

    @changes
    def reset(self) -> None:
        self.pause()
        self.viewing, self.watch, self.halted_by = None, None, None
        self.trainer.reset()

    # ---- rewinding -------------------------------------------------------------------------------

    @changes
    def rewind(self, delta: int) -> None:
        """Show the recorded epoch `delta` epochs away (past the latest: live again)."""
        self.pause()
        trainer = self.trainer
        last = trainer.epoch
        if self.viewing is None:
            # from a partial epoch, the first step back shows the last finished epoch
            target = last if (trainer.batch and delta < 0) else last + delta
        else:
            target = self.viewing + delta
        target = max(0, target)
        self.viewing = None if target > last or (target == last and not trainer.batch) else target

    def live(self) -> None:
        self.viewing = None

    # ---- keeping -----------------------------------------------------------------------------------

    @property
    def untouched(self) -> bool:
        """Nothing trained yet: keeping it would replace the last kept session with nothing."""
        return self.trainer.epoch == 0 and self.trainer.batch == 0
