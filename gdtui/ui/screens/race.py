"""`c`: the optimizer race. Several update rules train in lock-step from the solo run's initial
weights on the same data: their boundaries on one scatter, their loss curves on one plot, and a
table of where each stands. The solo trainer is only read, never changed.

The screen is modal, so the solo screen's keys cannot reach the solo trainer while it is shown.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from gdtui.engine import ConfigError, Trainer
from gdtui.engine.config import OPTIMIZERS
from gdtui.engine.race import DEFAULT_RULES, Race
from gdtui.engine.schedules import describe

from .. import sessions
from ..pacing import EpochCost
from ..words import reason
from ..widgets.panels import number, retitle
from ..widgets.race_loss_plot import RaceLossPlot
from ..widgets.race_scatter import RaceScatter
from ..widgets.race_table import RaceTable
from ..widgets.racers import LOOKS, SHARED
from .help import HelpScreen

FRAME_SECONDS = 1 / 20
"""Run mode draws at most this often."""
ENGINE_SECONDS = 0.5 * FRAME_SECONDS
"""Training time per run-mode frame; the rest is left for drawing."""

_RULE_HELP = ("Toggle a rule in the race: 1 gd, 2 momentum, 3 nesterov, 4 adagrad, 5 rmsprop, 6 adam. "
              "The race restarts from epoch 0 with the rules ticked.")

RACE_BINDINGS = [
    Binding("space", "step", "step", tooltip="One epoch for every racer still going (lock-step)."),
    Binding("p", "toggle_run", "run", tooltip="Run several epochs per frame to the epoch limit, or pause."),
    Binding("plus,equals_sign", "scale_alpha(2)", "α×2", key_display="+",
            tooltip="Double alpha for every racer (a diverged racer tries again from its last finite weights)."),
    Binding("minus", "scale_alpha(0.5)", "α÷2", key_display="-", tooltip="Halve alpha for every racer."),
    Binding("1", "toggle_rule(0)", "rules", key_display="1-6", tooltip=_RULE_HELP),
    *(Binding(str(k + 1), f"toggle_rule({k})", OPTIMIZERS[k], show=False) for k in range(1, len(OPTIMIZERS))),
    Binding("r", "restart", "restart", tooltip="Restart the race from the same initial weights (alpha kept)."),
    Binding("L", "toggle_log", "log loss", show=False, tooltip="Log or linear scale for the loss curves."),
    Binding("escape,c", "leave", "back", key_display="esc",
            tooltip="Back to the solo trainer (escape or c), as it was when the race began."),
    Binding("question_mark", "help", "help", key_display="?", tooltip="This list."),
    Binding("S", "save", "save", show=False, tooltip="Save the race into a new file in the current directory; "
            "`gdtui compare --resume FILE` continues it."),
    Binding("q", "app.quit", "quit", tooltip="Quit, keeping the solo run (not the race) for `gdtui --resume`."),
]


class RaceScreen(ModalScreen[None]):
    """The race of the rules `rules` on `trainer`'s data, settings and initial weights."""

    CSS_PATH = "race.tcss"
    BINDINGS = RACE_BINDINGS

    def __init__(self, trainer: Trainer, rules: tuple[str, ...] = DEFAULT_RULES) -> None:
        super().__init__()
        self.race = Race.like(trainer, rules)
        """The racers; replaced by a fresh race on restart or when the rules change."""
        self.running = False
        self.finished: str | None = None
        """`epochs` once a run has reached its epoch limit, until the next key."""
        self.log_scale = False
        self._run_until = 0
        self._epoch_cost = EpochCost()
        """What one lock-step epoch costs, to size run mode's frames."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="race-top"):
            yield RaceScatter(self.race.data, id="race-scatter")
            yield RaceLossPlot(id="race-loss")
        yield RaceTable(id="race-table")
        yield Static("", id="race-status")
        yield Static("", id="race-notice")
        yield Static("", id="race-too-small", classes="too-small-note")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._timer = self.set_interval(FRAME_SECONDS, self._frame, pause=True)
        self.redraw()

    # ---- drawing -----------------------------------------------------------------------------

    def state_word(self) -> str:
        if self.running:
            return "running"
        if not self.race.going:
            return "all stopped"
        if self.finished == "epochs":
            return f"done ({self.race.epoch} epochs)"
        return "paused"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self.app.too_small  # (quitting is the app's action: it stays allowed)

    def redraw(self) -> None:
        if self.app.too_small:  # the panels are hidden (and sizeless) until the terminal grows
            return
        race = self.race
        standings = race.standings()
        with self.app.batch_update():
            table = self.query_one(RaceTable)
            table.show(standings, race.leader)
            rules = f"{len(standings)} rule" + ("s" if len(standings) > 1 else "")
            retitle(table, f"race · {rules} · same data, same start", self._rules_off())
            plot = self.query_one(RaceLossPlot)
            plot.show_curves(tuple((rule, race.losses(rule)) for rule in race.rules), self.log_scale)
            retitle(plot, f"loss · {race.config.loss}" + (" · log" if self.log_scale else ""), self._legend())
            scatter = self.query_one(RaceScatter)
            data = race.data
            retitle(scatter, f"{escape(data.name)} · train ({len(data.y_train)})",
                    f"o {escape(data.labels[0])}  x {escape(data.labels[1])}  "
                    f"[bold {SHARED.ink}]{SHARED.glyph}[/] several")
            scatter.show_boundaries(tuple((s.rule, s.weights) for s in standings))
            self.query_one("#race-status", Static).update(self._status())

    def _legend(self) -> str:
        """Glyph and name of every racer in its colour, as long as the plot's border allows:
        full names, then short ones, then closer together."""
        racers = [(rule, LOOKS[rule]) for rule in self.race.rules]
        room = self.query_one(RaceLossPlot).outer_size.width - 6  # (corners, dashes and spaces)
        for short, gap, space in ((False, "  ", " "), (True, "  ", " "), (True, " ", " "), (True, " ", "")):
            entries = [f"{look.glyph}{space}{look.short if short else rule}" for rule, look in racers]
            if len(gap.join(entries)) <= room or not space:
                return gap.join(f"[bold {look.ink}]{entry}[/]" for (_, look), entry in zip(racers, entries))
        return ""

    def _rules_off(self) -> str:
        off = [k for k, rule in enumerate(OPTIMIZERS) if rule not in self.race.trainers]
        if not off:
            return "1-6 toggle rules"
        return "off: " + " · ".join(f"{k + 1} {OPTIMIZERS[k]}" for k in off) + " (1-6 toggle)"

    def _status(self) -> Text:
        race = self.race
        config = race.config
        state = self.state_word()
        style = {"running": "bold #5fff5f", "paused": "bold #d7d7d7", "all": "bold #ffaf5f",
                 "done": "bold #ffaf5f"}[state.split()[0]]
        start = " ".join(number(w) for w in race.start.tolist())
        pieces = [(state, style), ("  epoch ", "dim"), (str(race.epoch), "bold"),
                  ("  alpha ", "dim"), (f"{config.alpha_at(race.epoch):g}", "bold"),
                  ("" if config.schedule == "constant" else
                   f" ({describe(config.schedule, config.decay, config.decay_every)})", "bold"),
                  ("  batch ", "dim"), ("full" if config.batch_size is None else str(config.batch_size), "bold"),
                  ("  start ", "dim"), (f"({start})", "bold")]
        return Text.assemble(*pieces)

    def notify_in_place(self, message: str) -> None:
        """A one-line note under the status line, kept until the next key."""
        notice = self.query_one("#race-notice", Static)
        notice.update(Text(message))
        notice.display = bool(message)

    def on_key(self) -> None:
        self.notify_in_place("")

    def on_resize(self) -> None:
        self.redraw()

    # ---- stepping ----------------------------------------------------------------------------

    def _pause(self) -> None:
        self.running = False
        self._timer.pause()

    def _report_divergence(self, before: tuple[str, ...]) -> None:
        fallen = [rule for rule in before if self.race.trainers[rule].diverged]
        if fallen:
            self.notify_in_place(f"{', '.join(fallen)} diverged: the last finite weights are kept, the others go "
                                 "on (- lowers alpha for all and lets it try again, r restarts)")

    def action_step(self) -> None:
        self._pause()
        self.finished = None
        before = self.race.going
        self.race.step_epoch()
        self._report_divergence(before)
        self.redraw()

    def action_toggle_run(self) -> None:
        if self.running:
            self._pause()
            self.redraw()
            return
        epochs, epoch = self.race.config.epochs, self.race.epoch
        self._run_until = epochs if epoch < epochs else epoch + epochs
        self.finished = None
        self.running = True
        self._timer.resume()
        self.redraw()

    def _frame(self) -> None:
        """One run-mode frame: as many lock-step epochs as fit in ENGINE_SECONDS, then one redraw."""
        if not self.running:
            return
        race = self.race
        started = time.perf_counter()
        count = self._epoch_cost.epochs_in(ENGINE_SECONDS, self._run_until - race.epoch)
        first, before = race.epoch, race.going
        race.advance(count)
        self._epoch_cost.measured(race.epoch - first, time.perf_counter() - started)
        self._report_divergence(before)
        if not race.going or race.epoch >= self._run_until:
            self._pause()
            self.finished = "epochs"
        self.redraw()

    # ---- settings ----------------------------------------------------------------------------

    def action_scale_alpha(self, factor: float) -> None:
        try:
            self.race.configure(alpha=self.race.config.alpha * factor)
        except ConfigError as exc:
            self.notify_in_place(f"refused: {reason(exc)}")
            return
        self.finished = None
        self.redraw()

    def action_toggle_rule(self, index: int) -> None:
        rule = OPTIMIZERS[index]
        chosen = set(self.race.rules) ^ {rule}
        if not chosen:
            self.notify_in_place(f"{rule} is the only rule left: tick another one first")
            return
        self._restart(tuple(r for r in OPTIMIZERS if r in chosen))
        self.notify_in_place(f"race restarted with {', '.join(self.race.rules)}")

    def action_restart(self) -> None:
        self._restart(None)

    def _restart(self, rules: tuple[str, ...] | None) -> None:
        self._pause()
        self.finished = None
        self.race = self.race.restarted(rules)
        self._epoch_cost.forget()  # (other rules cost otherwise)
        self.redraw()

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self.redraw()

    def action_leave(self) -> None:
        self._pause()
        self.dismiss(None)

    def action_save(self) -> None:
        self.notify_in_place(sessions.save_here_saying(self.race))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen([(b.key_display or b.key, b.tooltip) for b in RACE_BINDINGS if b.tooltip]))
