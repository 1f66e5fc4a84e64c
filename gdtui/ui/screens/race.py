"""`c`: the optimizer race. Several update rules train in lock-step from the solo run's initial
weights on the same data: their boundaries on one scatter, their loss curves on one plot, and a
table of where each stands. The solo trainer is only read, never changed.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.markup import escape
from textual.screen import Screen

from gdtui.engine import ConfigError
from gdtui.engine.config import OPTIMIZERS
from gdtui.engine.race import Race

from ..charts import RaceChart
from ..keys import LESSON_KEYS, RACE_KEYS, bindings, help_rows, unbound_note
from ..legend import race_legend
from ..pictures import PointCells, RaceScatter
from ..run_loop import RunLoop
from ..theme import LOOKS
from ..widgets.cell_grid import CellGrid
from ..widgets.lines import Lines, prose, status_rows
from ..widgets.loss_plot import LossPlot
from .help import HelpScreen, help_note
from .race_lines import race_status_line, race_table_lines

KEYS = {rule: str(k + 1) for k, rule in enumerate(OPTIMIZERS)}
"""The key that ticks each rule."""


class RaceScreen(Screen):
    """A race of update rules from the solo run's start (see `Race`), kept when the view is left."""

    BINDINGS = bindings(RACE_KEYS)

    def __init__(self, race: Race) -> None:
        super().__init__()
        self.race = race
        """The racers; replaced by a fresh race on restart (`r`), kept when the view is left."""
        self.finished: str | None = None
        """`epochs` once a run has reached its epoch limit, until the next key."""
        self.log_scale = False
        self._run_until = 0
        self.cells = PointCells(self.race.data)
        self.loop = RunLoop(self, self._advance, lambda: max(self._run_until - self.race.epoch, 0), self.redraw)

    @property
    def running(self) -> bool:
        return self.loop.running

    def compose(self) -> ComposeResult:
        with Horizontal(id="race-top"):
            yield CellGrid(id="race-scatter")
            yield LossPlot(id="race-loss")
        yield Lines(id="race-table")
        yield Lines(id="lesson", classes="lesson")
        yield from status_rows("race-")

    def on_mount(self) -> None:
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
        return not (self.app.unfit or self.app.leaving)

    def redraw(self) -> None:
        if self.app.unfit:  # the panels are hidden (and sizeless) until the terminal grows
            return
        race = self.race
        standings = race.standings()
        with self.app.batch_update():
            table = self.query_one("#race-table", Lines)
            rules = f"{len(standings)} rule" + ("s" if len(standings) > 1 else "")
            table.set_titles(f"race · {rules} · same data, same start", self._rules_off())
            table.show(race_table_lines(standings, race.leader, KEYS))
            plot = self.query_one("#race-loss", LossPlot)
            plot.set_titles(f"loss · {race.config.loss}" + (" · log" if self.log_scale else ""), self._legend())
            plot.show(RaceChart(tuple((rule, race.losses(rule).copy()) for rule in race.rules), self.log_scale))
            scatter = self.query_one("#race-scatter", CellGrid)
            data = race.data
            scatter.set_titles(f"{escape(data.name)} · train ({len(data.y_train)})",
                               race_legend(data.labels, scatter.outer_size.width - 6))
            scatter.show(RaceScatter(self.cells, tuple((s.rule, s.weights) for s in standings)))
            config, status = race.config, self.query_one("#race-status", Lines)
            status.show((race_status_line(
                self.state_word(), race.epoch, config.alpha_at(race.epoch), config.schedule, config.decay,
                config.decay_every, config.batch_size, tuple(race.start.tolist()), status.content_size.width),))

    def _legend(self) -> str:
        """Glyph and name of every racer in its colour, as long as the plot's border allows:
        full names, then short ones, then closer together."""
        racers = [(rule, LOOKS[rule]) for rule in self.race.rules]
        room = self.query_one("#race-loss").outer_size.width - 6  # (corners, dashes and spaces)
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

    def say(self, message: str) -> None:
        """A note under the status line (broken between words where it is long), kept until the next key."""
        notice = self.query_one("#race-notice", Lines)
        notice.show(prose(message, "", max(self.size.width - 2, 20)) if message else ())
        notice.display = bool(message)

    def on_key(self, event: events.Key) -> None:
        self.say(unbound_note(RACE_KEYS + LESSON_KEYS, event.key, event.character, "race view"))

    def on_resize(self) -> None:
        self.redraw()

    # ---- stepping ----------------------------------------------------------------------------

    def _report_divergence(self, before: tuple[str, ...]) -> None:
        fallen = [rule for rule in before if self.race.trainers[rule].diverged]
        if fallen:
            self.say(f"{', '.join(fallen)} diverged: the last finite weights are kept, the others go "
                     "on (- lowers alpha for all and lets it try again, r restarts)")

    def action_step(self) -> None:
        self.loop.stop()
        self.finished = None
        before = self.race.going
        self.race.step_epoch()
        self._report_divergence(before)
        self.redraw()

    def action_toggle_run(self) -> None:
        if self.running:
            self.loop.stop()
            self.redraw()
            return
        epochs, epoch = self.race.config.epochs, self.race.epoch
        self._run_until = epochs if epoch < epochs else epoch + epochs
        self.finished = None
        self.loop.start()
        self.redraw()

    def _advance(self, count: int) -> bool:
        """Run mode: `count` lock-step epochs; False once every racer stopped or the limit is reached."""
        race, before = self.race, self.race.going
        race.advance(count)
        self._report_divergence(before)
        if not race.going or race.epoch >= self._run_until:
            self.finished = "epochs"
            return False
        return True

    # ---- settings ----------------------------------------------------------------------------

    def action_scale_alpha(self, factor: float) -> None:
        try:
            self.race.configure(alpha=self.race.config.alpha * factor)
        except ConfigError as exc:
            self.say(f"refused: {exc}")
            return
        self.finished = None
        self.redraw()

    def action_toggle_rule(self, index: int) -> None:
        rule = OPTIMIZERS[index]
        try:
            joined = self.race.tick(rule)
        except ValueError:
            self.say(f"{rule} is the only rule left: tick another one first")
            return
        if joined is None:
            self.say(f"{rule} left the race (kept as it was: {index + 1} brings it back)")
        else:
            self.say(f"{rule} joined at epoch {joined}, trained up to the race from the same start")
        self.redraw()

    def action_restart(self) -> None:
        self.loop.stop()
        self.finished = None
        self.race = self.race.restarted()
        self.app.session.kept_race = self.race
        self.say(f"race restarted from epoch 0 with {', '.join(self.race.rules)}")
        self.redraw()

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self.redraw()

    def action_leave(self) -> None:
        self.loop.stop()
        self.dismiss(None)

    def action_save(self) -> None:
        self.say(self.app.save_saying(self.race))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_rows(RACE_KEYS + LESSON_KEYS), help_note(self.race.config)))
