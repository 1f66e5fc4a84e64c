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

from gdtui import data_dir
from gdtui.engine import ConfigError, DataError, Snapshot, Trainer, create_trainer
from gdtui.engine.breakpoints import Breakpoints, Watch
from gdtui.engine.evaluate import Evaluation
from gdtui.engine.race import Race
from gdtui.engine.gradcheck import GradientCheck

from . import readouts, status
from .status import DIVERGED_NOTE
from .settings import Settings

PREVIEW_FACTORS = (0.5, 1.0, 2.0)


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
        self.settings = Settings(self)
        """The keys that change one setting (`gdtui.ui.settings`)."""
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
        """The breakpoints armed: they stay armed after one fires (re-armed there), until cleared or reset."""
        self.break_note = ""
        """Which breakpoint fired, in words."""
        self.halt_note = ""
        """What stopped the last run, in words, until the screen has said it (`take_halt_note`)."""
        self.rules = True
        """Whether the run under way honours the trainer's tol and patience (see `start_run`)."""
        self.discarded: Trainer | None = None
        """The run the last discard (r, d, D) replaced, for `undo`."""
        self._evaluations = readouts.Evaluations()
        self.kept_race: Race | None = None
        """The race of the race view, kept while the view is left (see `race`)."""

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
        return status.state_word(self)

    def short_state(self) -> str:
        return status.short_state(self)

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
            path = np.concatenate([path, trainer.weights[None]])  # (k, *shape): one row or K rows
        return path

    def gradient_check(self) -> GradientCheck:
        """The analytic gradient against a finite difference, at the weights shown."""
        return readouts.gradient_check_at(self.trainer, self.shown_weights)

    def evaluation(self, split: str) -> Evaluation:
        """scikit-learn's report of the weights shown on `split` (made again only when they change)."""
        return self._evaluations.report(self.trainer, split, self.shown_epoch, self.shown_weights)

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
        """Run mode, by one rule: until a stop rule fires, at most up to the epoch limit; at the
        limit, or after tol or patience stopped the run, that many epochs more (the rule that
        stopped it set aside for this run); with breakpoints armed, up to that many epochs beyond
        the current one; after a divergence nothing runs until a setting changes. Returns the line
        to say ("" when there is nothing to say)."""
        trainer = self.trainer
        if trainer.diverged:
            return "diverged: the next update is not finite; lower alpha (-), change the rule (o) or reset (r) first"
        note = self._fork_if_rewound()
        epochs, epoch = trainer.config.epochs, trainer.epoch
        stopped = trainer.stop_reason if trainer.stop_reason in ("tol", "patience") else None
        self.rules = stopped is None
        if self.watch is not None:
            self._run_to(epoch + self.watch.points.run_length(epochs))
        else:
            self._run_to(epochs if epoch < epochs and not stopped else epoch + epochs)
        if stopped:
            said = f"{stopped} set aside for this run: {self.run_until - epoch} more epochs"
            note = f"{note}; {said}" if note else said
        return note

    def _run_to(self, until: int) -> None:
        self.run_until, self.halted_by, self.running = until, None, True

    def remaining(self) -> int:
        """Epochs the run may still take."""
        return max(self.run_until - self.trainer.epoch, 0)

    @changes
    def advance(self, count: int) -> bool:
        """Run mode: up to `count` more epochs, checking the breakpoints after each. Returns
        whether the run goes on (else `halted_by` says why it stopped and `halt_note` says so)."""
        trainer = self.trainer
        if self.watch is None:
            reason = trainer.run(count, rules=self.rules)
        else:
            reason = self.watch.run(trainer, count, rules=self.rules)
            if reason == "breakpoint":  # (the breakpoints stay armed, counted again from here)
                self.break_note, self.watch = self.watch.fired, self.watch.rearmed(trainer)
        if reason not in ("diverged", "tol", "patience", "breakpoint"):
            reason = "epochs" if trainer.epoch >= self.run_until else None
        if reason is not None:
            self.running, self.halted_by = False, reason
            self.halt_note = status.halt_words(self, reason)
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
    def load_data(self, **changes) -> str | None:
        """Train on other data with the same settings; returns the reason if the data are refused
        (and then nothing changes). Under a server, a CSV only from its data folder (`gdtui.data_dir`)."""
        problem = data_dir.refusal(changes.get("dataset", self.trainer.config.dataset))
        if problem:
            return problem
        try:
            trainer = create_trainer(self.trainer.config.with_changes(**changes))
        except (ConfigError, DataError) as exc:
            return str(exc)
        self.pause()
        self.discarded = self.trainer
        self.trainer, self.viewing, self.halted_by, self.watch = trainer, None, None, None
        return None

    @changes
    def reset(self, weights: np.ndarray | None = None) -> str:
        """A fresh random start, or a new run from `weights` (a point clicked on the landscape),
        with the same data and settings (the run before kept for `undo`)."""
        self.pause()
        self.viewing, self.watch, self.halted_by = None, None, None
        old = self.trainer
        self.trainer = Trainer(old.data, old.config, old.state())  # (a copy: the same RNG draws the same start)
        self.trainer.reset(weights)
        self.discarded = old
        if weights is not None:
            return f"new run from the clicked W ({', '.join(f'{w:.3g}' for w in weights.flat)}); u brings the " \
                   "old one back"
        return f"a fresh start; u brings back the run at epoch {old.epoch}" if old.epoch or old.batch else ""

    @changes
    def switch_to(self, trainer: Trainer) -> Trainer:
        """Show another run (a step of the lesson prepares one); returns the run it replaces."""
        self.pause()
        old, self.trainer = self.trainer, trainer
        self.viewing, self.watch, self.halted_by, self.halt_note = None, None, None, ""
        return old

    @changes
    def undo(self) -> str:
        """Back to the run the last discard (r, d, D) replaced; the one replaced now can come back
        the same way."""
        if self.discarded is None:
            return "nothing to undo: u brings back a run that r, d, D or a new model (F, Z, K, f) replaced"
        self.pause()
        self.trainer, self.discarded = self.discarded, self.trainer
        self.viewing, self.watch, self.halted_by = None, None, None
        return f"back to the run at epoch {self.trainer.epoch} ({self.trainer.data.name}); u again returns"

    @changes
    def jump(self, epoch: int) -> str:
        """Show recorded epoch `epoch` (the latest: live again); refused outside the history."""
        last = self.trainer.epoch
        if not 0 <= epoch <= last:
            return f"refused: epoch must be a whole number in [0, {last}] (got {epoch})"
        self.pause()
        self.viewing = None if epoch == last and not self.trainer.batch else epoch
        return ""

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

    def race(self) -> tuple[Race, str]:
        """The race `c` shows: the one left last time if it starts where this run started (its work
        kept), else a new one; and what to say about it."""
        if self.kept_race is not None and self.kept_race.starts_like(self.trainer):
            return self.kept_race, ""
        note = "" if self.kept_race is None else "a new race: this run starts elsewhere now (new data or a reset)"
        self.kept_race = Race.like(self.trainer)
        return self.kept_race, note

    @property
    def untouched(self) -> bool:
        """Nothing trained, here or in the run this one replaced: not keeping it loses nothing."""
        return all(run is None or run.epoch == run.batch == 0 for run in (self.trainer, self.discarded))
