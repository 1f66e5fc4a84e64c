"""The solo view: the data with the boundary (or the landscape, or the evaluation) on the left,
the weights, the gradient and the loss curve on the right, the status line under them.

A key becomes one action on the `SoloSession`, then one redraw from its snapshot; run mode is a
`RunLoop` that trains for a time budget per frame and redraws once.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from gdtui.engine.breakpoints import Breakpoints

from .. import panels
from ..evaluation_panel import evaluation_lines
from ..keys import LESSON_KEYS, SOLO_KEYS, bindings, help_rows, unbound_note
from ..pictures import PointCells
from ..numbers_panel import numbers_lines
from ..point_mode import PointMode
from ..run_loop import RunLoop
from ..saturation import SaturationWatch
from ..solo import SoloSession, View
from ..surfaces import SurfaceKeeper
from ..widgets.picture_area import PictureArea
from ..widgets.lines import Lines, prose, status_rows
from ..widgets.loss_plot import LossPlot
from .alpha_prompt import AlphaPrompt
from .breakpoints_form import BreakpointsForm
from .data_form import DataForm
from .epoch_prompt import EpochPrompt
from .help import HelpScreen, help_note
from .landscape_view import LandscapeView
from .model_keys import ModelKeys
from .teaching import TeachingKeys

DETAIL_MIN_HEIGHT = 32
"""Below this many rows the gradient panel leaves out its formulas to give the loss curve room."""
LEFT_PANELS = ("scatter", "landscape", "evaluation")
"""What the left area can show: the scatter and the landscape share one picture, the evaluation is text."""


class SoloScreen(TeachingKeys, ModelKeys, LandscapeView, Screen):
    """The solo run of one `SoloSession` (the teaching keys in `TeachingKeys`, the model's in `ModelKeys`, the
    landscape in `LandscapeView`)."""

    BINDINGS = bindings(SOLO_KEYS)

    def __init__(self, session: SoloSession, opening_note: str = "") -> None:
        super().__init__()
        self.session = session
        self.opening_note = opening_note
        """Said once the screen is up (e.g. which session was resumed)."""
        self.split = "train"
        """The split drawn on the scatter."""
        self.eval_split = "test"
        """The split the evaluation panel reports on (t switches it while the panel is shown)."""
        self.log_scale = False
        self.left = "scatter"
        """What the left panel shows: one of LEFT_PANELS."""
        self.pair = None
        """The pair of weights the learner chose for the landscape (a `surfaces.ChosenPair`); None:
        the default pair (w1, w2 for one row)."""
        self.preview = False
        self.surfaces = SurfaceKeeper()
        self.landscape_value = float("nan")
        """The loss at the point marked ◉ on the landscape."""
        self.evaluation = None
        """The report the evaluation panel shows."""
        self.inspection = None
        """The last gradient check the inspector showed."""
        self.cells = PointCells(session.trainer.data)
        self.shown: View | None = None
        """What was drawn last (the status file reports it: see `gdtui.ui.status_report`)."""
        self.loop = RunLoop(self, session.advance, session.remaining, self.redraw)
        self.points = PointMode()
        """The point inspector (`i`): whether it is on and the point selected."""
        self.saturation = SaturationWatch()

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield PictureArea(id="picture")
            yield Lines(id="evaluation")
            with Vertical(id="side"):
                yield Lines(id="numbers")
                yield LossPlot(id="loss")
        yield Lines(id="point")
        yield Lines(id="lesson", classes="lesson")
        yield from status_rows()

    def on_mount(self) -> None:
        self.redraw()
        if self.opening_note:
            self.say(self.opening_note)

    # ---- drawing -----------------------------------------------------------------------------

    def redraw(self, said: str = "") -> None:
        """Draw what the session holds; `said` (an action's note) is said with what the redraw finds
        to say (what stopped a run, the saturation note), so that neither hides the other."""
        session = self.session
        view = self.shown = session.view()
        if self.app.unfit:  # the panels are hidden (and sizeless) until the terminal grows
            if said:
                self.say(said)
            return
        snap = view.snapshot
        note = "; ".join(filter(None, (said, session.take_halt_note(),
                                       self.saturation.check(session.trainer, snap.weights))))
        with self.app.batch_update():
            status = self.query_one("#status", Lines)
            line = panels.status_line(snap, view.state, view.short_state, status.content_size.width)
            status.show((line,))
            if note:  # (what stopped the run, and what p does next)
                self.say(note)
            numbers = self.query_one("#numbers", Lines)
            numbers.set_titles(f"W · g · {snap.optimizer} · " + ("full batch" if snap.batch_size is None
                                                                 else f"B {snap.batch_size}"))
            numbers.show(numbers_lines(snap, numbers.content_size.width,
                                              detailed=self.size.height >= DETAIL_MIN_HEIGHT))
            self.query_one(LossPlot).show_history(snap, self.session.trainer.history, self.log_scale,
                                                  self.session.viewing)
            if self.left == "scatter":
                self._draw_scatter(snap.weights, session.ghosts() if self.preview else ())
            elif self.left == "landscape":
                self._draw_landscape()
            else:
                self._draw_evaluation()
            self._draw_point_line()

    def _draw_scatter(self, weights, ghosts) -> None:
        self.query_one(PictureArea).scatter(self.cells, self.split, weights, self.session.highlight(), ghosts,
                                            self._point_selected())

    def _draw_evaluation(self) -> None:
        panel = self.query_one("#evaluation", Lines)
        self.evaluation = self.session.evaluation(self.eval_split)
        panel.set_titles(f"{self.evaluation.split} split · epoch {self.evaluation.epoch}",
                         f"accuracy {100 * self.evaluation.accuracy:.1f}%")
        panel.show(evaluation_lines(self.evaluation, panel.content_size.width, panel.content_size.height or None))

    def say(self, message: str) -> None:
        """A note under the status line (broken between words where it is long), kept until the next key."""
        notice = self.query_one("#notice", Lines)
        notice.show(prose(message, "", max(self.size.width - 2, 20)) if message else ())
        notice.display = bool(message) and not self.app.unfit

    def on_key(self, event: events.Key) -> None:
        self.say(unbound_note(SOLO_KEYS + LESSON_KEYS, event.key, event.character, "solo view"))

    def on_resize(self) -> None:
        self.redraw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.app.unfit or self.app.leaving)

    # ---- stepping ----------------------------------------------------------------------------

    def _done(self, note: str = "") -> None:
        """After an action: the note said, the run loop in step with the session, one redraw."""
        if not self.session.running:
            self.loop.stop()
        self.redraw(note)

    def action_step_epoch(self) -> None:
        self._done(self.session.step_epoch())

    def action_step_batch(self) -> None:
        self._done(self.session.step_batch())

    def action_toggle_run(self) -> None:
        if self.session.running:
            self.session.pause()
            self._done()
            return
        note = self.session.start_run()
        if self.session.running:
            self.loop.start()
        self._done(note)

    def action_breakpoints(self) -> None:
        def apply(points: Breakpoints) -> None:
            note = self.session.arm(points)
            if self.session.running:
                self.loop.start()
            self._done(note)

        self.app.push_screen(BreakpointsForm(self.session.breakpoints, apply))

    # ---- settings ----------------------------------------------------------------------------

    def action_scale_alpha(self, factor: float) -> None:
        self._done(self.session.settings.scale_alpha(factor))

    def action_type_alpha(self) -> None:
        def apply(value: float | None) -> None:
            if value is not None:
                self._done(self.session.configure(alpha=value))

        self.app.push_screen(AlphaPrompt(self.session.trainer.config.alpha,
                                         lambda value: self.session.refusal(alpha=value)), apply)

    def action_cycle_optimizer(self) -> None:
        self._done(self.session.settings.cycle_optimizer())

    def action_cycle_schedule(self) -> None:
        self._done(self.session.settings.cycle_schedule())

    def action_cycle_momentum(self) -> None:
        self._done(self.session.settings.cycle_momentum())

    def action_cycle_batch(self) -> None:
        self._done(self.session.settings.cycle_batch())

    def _new_data(self) -> None:
        self.cells = PointCells(self.session.trainer.data)
        self.surfaces.forget()

    def took_run(self, left: str) -> None:
        """The session shows another run (the lesson's steps): its data drawn afresh, the train
        split, no preview, `left` in the left area."""
        self.loop.stop()
        self._new_data()
        self.action_leave_mode()  # (the point selected was of the other run's data)
        self.split, self.eval_split, self.preview = "train", "test", False
        self.show_left(left)

    def action_cycle_dataset(self) -> None:
        self._changed(self.session.settings.cycle_dataset)  # (new data drawn afresh; a refusal changes nothing)

    def action_data_form(self) -> None:
        def apply(dataset: str, samples: int, noise: float | None) -> str | None:
            problem = self.session.load_data(dataset=dataset, samples=samples, noise=noise)
            if problem is None:
                self._new_data()
                self._done()
            return problem

        self.app.push_screen(DataForm(self.session.trainer.config, apply))

    def action_reset(self) -> None:
        self._done(self.session.reset())

    def action_toggle_view(self) -> None:
        if self.left == "evaluation":
            self.eval_split = "test" if self.eval_split == "train" else "train"
        else:
            self.split = "test" if self.split == "train" else "train"
        self.redraw()

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self.redraw()

    def action_rewind(self, delta: int) -> None:
        self.session.rewind(delta)
        self._done()

    def action_live(self) -> None:
        self.session.live()
        self.redraw()

    def action_jump_to(self, epoch: int) -> None:
        self._done(self.session.jump(epoch))

    def action_page(self, direction: int) -> None:
        session = self.session
        self._done(session.jump(min(max(session.shown_epoch + direction * max(1, session.trainer.epoch // 10), 0),
                                    session.trainer.epoch)))

    def action_type_epoch(self) -> None:
        def show(epoch: int) -> str | None:
            note = self.session.jump(epoch)
            if note:
                return note.removeprefix("refused: ")
            self._done()
            return None

        self.app.push_screen(EpochPrompt(self.session.shown_epoch, self.session.trainer.epoch, show))

    def action_undo(self) -> None:
        before = self.session.trainer.data
        note = self.session.undo()
        if self.session.trainer.data is not before:
            self._new_data()
        self._done(note)

    def _show_left(self, panel: str) -> None:
        """Show `panel` in the left area, or the scatter again if it is already shown."""
        if self.points.active and panel != "scatter":
            self.say("point mode needs the scatter: escape or i leaves it first")
            return
        self.show_left("scatter" if self.left == panel else panel)

    def show_left(self, panel: str) -> None:
        """Show `panel` (one of LEFT_PANELS) in the left area."""
        self.left = panel
        self.query_one("#picture").display = self.left != "evaluation"
        self.query_one("#evaluation").display = self.left == "evaluation"
        self.redraw()
        self.call_after_refresh(self.redraw)  # again once the shown panel has its size

    def action_toggle_landscape(self) -> None:
        self._show_left("landscape")

    def action_toggle_evaluation(self) -> None:
        self._show_left("evaluation")


    def action_race(self) -> None:
        from .race import RaceScreen

        self.session.pause()  # (the race trains instead; the solo run waits as it is)
        self._done()
        race, note = self.session.race()
        screen = RaceScreen(race)
        self.app.push_screen(screen)
        if note:
            screen.call_after_refresh(screen.say, note)

    def action_save(self) -> None:
        self.say(self.app.save_saying(self.session.trainer))

    def action_export(self) -> None:
        self.say(self.app.export_saying())

    def action_help(self) -> None:
        keys = help_rows(SOLO_KEYS + LESSON_KEYS)
        self.app.push_screen(HelpScreen(keys, help_note(self.session.trainer.config)))
