"""The solo view: the data with the boundary (or the landscape, or the evaluation) on the left,
the weights, the gradient and the loss curve on the right, the status line under them.

A key becomes one action on the `SoloSession`, then one redraw from its snapshot; run mode is a
`RunLoop` that trains for a time budget per frame and redraws once.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen

from gdtui.engine import landscape
from gdtui.engine.breakpoints import Breakpoints

from .. import panels, sessions
from ..charts import LossChart
from ..keys import SOLO_KEYS, bindings, help_rows
from ..messages import SurfaceReady
from ..pictures import Landscape, PointCells, Scatter
from ..run_loop import RunLoop
from ..solo import SoloSession
from ..surfaces import SurfaceKeeper
from ..widgets.cell_grid import CellGrid
from ..widgets.framed import Framed
from ..widgets.lines import Lines, status_rows, text_of
from ..widgets.loss_plot import LossPlot
from .alpha_prompt import AlphaPrompt
from .breakpoints_form import BreakpointsForm
from .data_form import DataForm
from .help import HelpScreen
from .inspector import GradientInspector, explain

DETAIL_MIN_HEIGHT = 32
"""Below this many rows the gradient panel leaves out its formulas to give the loss curve room."""
LEFT_PANELS = ("scatter", "landscape", "evaluation")
"""What the left area can show: the scatter and the landscape share one picture, the evaluation is text."""


class SoloScreen(Screen):
    """The solo run of one `SoloSession`."""

    BINDINGS = bindings(SOLO_KEYS)

    def __init__(self, session: SoloSession) -> None:
        super().__init__()
        self.session = session
        self.split = "train"
        """The split drawn on the scatter."""
        self.eval_split = "test"
        """The split the evaluation panel reports on (t switches it while the panel is shown)."""
        self.log_scale = False
        self.left = "scatter"
        """What the left panel shows: one of LEFT_PANELS."""
        self.pair = 0
        """Index into `landscape.PAIRS` of the weights the landscape spans."""
        self.preview = False
        self.surfaces = SurfaceKeeper()
        self.landscape_value = float("nan")
        """The loss at the point marked ◉ on the landscape."""
        self.evaluation = None
        """The report the evaluation panel shows."""
        self.inspection = None
        """The last gradient check the inspector showed."""
        self.cells = PointCells(session.trainer.data)
        self.loop = RunLoop(self, session.advance, session.remaining, self.redraw)

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Framed(id="picture"):
                with Horizontal(id="picture-row"):
                    yield Lines(id="y-axis")
                    yield CellGrid(id="grid")
                yield Lines(id="x-axis")
            yield Lines(id="evaluation")
            with Vertical(id="side"):
                yield Lines(id="numbers")
                yield LossPlot(id="loss")
        yield from status_rows()

    def on_mount(self) -> None:
        self.redraw()

    # ---- drawing -----------------------------------------------------------------------------

    def redraw(self) -> None:
        if self.app.too_small:  # the panels are hidden (and sizeless) until the terminal grows
            return
        session = self.session
        view = session.view()
        snap = view.snapshot
        note = session.take_halt_note()
        with self.app.batch_update():
            status = self.query_one("#status", Lines)
            line = panels.status_line(snap, view.state, view.short_state, status.content_size.width)
            status.show((line,))
            if note and note not in text_of(line):  # (what stopped the run, if the status had to shorten it)
                self.say(note)
            numbers = self.query_one("#numbers", Lines)
            numbers.set_titles(f"W · g · {snap.optimizer}")
            numbers.show(panels.numbers_lines(snap, numbers.content_size.width,
                                              detailed=self.size.height >= DETAIL_MIN_HEIGHT))
            self._draw_loss(snap)
            if self.left == "scatter":
                self._draw_scatter(snap.weights, session.ghosts() if self.preview else ())
            elif self.left == "landscape":
                self._draw_landscape()
            else:
                self._draw_evaluation()

    def _draw_loss(self, snap) -> None:
        plot, history = self.query_one(LossPlot), self.session.trainer.history
        marked = snap.epoch if self.session.viewing is not None or len(history) > 1 else None
        plot.set_titles(f"loss per epoch · {snap.loss_name}" + (" · log" if self.log_scale else ""),
                        panels.loss_subtitle(snap, None if marked is None else float(history.losses[marked]),
                                             plot.outer_size.width - 6))
        plot.show(LossChart(history.losses.copy(), self.log_scale, self.session.viewing))

    def _axes(self, x: tuple[float, float, str], y: tuple[float, float, str]) -> None:
        """The axes beside and under the picture: each one's ends and its name."""
        grid, axis = self.query_one("#grid", CellGrid), self.query_one("#y-axis", Lines)
        axis.styles.width = panels.y_axis_width(y[0], y[1], y[2])
        axis.show(panels.y_axis_lines(y[0], y[1], y[2], grid.size.height))
        self.query_one("#x-axis", Lines).show((panels.x_axis_line(x[0], x[1], x[2], axis.outer_size.width,
                                                                  grid.size.width),))

    def _draw_scatter(self, weights, ghosts) -> None:
        frame, grid = self.query_one("#picture", Framed), self.query_one("#grid", CellGrid)
        data = self.session.trainer.data
        rows = len(data.y_train) if self.split == "train" else len(data.y_test)
        highlight = self.session.highlight()
        frame.set_titles(f"{escape(data.name)} · {self.split} ({rows})",
                         panels.legend(data.labels, frame.outer_size.width - 6, highlight is not None, bool(ghosts)))
        extent = self.cells.extent
        self._axes((extent.x_min, extent.x_max, "x"), (extent.y_max, extent.y_min, "y"))
        grid.show(Scatter(self.cells, self.split, weights, highlight, ghosts))

    def _draw_landscape(self) -> None:
        session, frame, grid = self.session, self.query_one("#picture", Framed), self.query_one("#grid", CellGrid)
        width, height = grid.size
        if not (width and height):  # just shown: draw once the layout has sized it
            self.call_after_refresh(self.redraw)
            return
        trainer, path = session.trainer, session.path()
        data = trainer.data
        self.landscape_value = landscape.loss_at(trainer.loss, data.X_train, data.y_train, path[-1])
        needed = self.surfaces.follow(trainer, path, self.pair, width, height)
        if needed is not None:
            self._compute_surface(needed)
        wanted, surface = self.surfaces.wanted, self.surfaces.surface
        room = frame.outer_size.width - 6
        frame.set_titles(panels.landscape_title(trainer.config.loss, wanted, self.landscape_value, room),
                         panels.scale_markup(surface, room) if surface is not None else "computing the surface…")
        (a, b), window = wanted.axes, wanted.window
        self._axes((window.x_min, window.x_max, f"w{a}"), (window.y_max, window.y_min, f"w{b}"))
        if surface is not None:
            grid.show(Landscape(surface, path))

    @work(thread=True, exclusive=True)
    def _compute_surface(self, wanted: landscape.Slice) -> None:
        trainer = self.session.trainer
        self.post_message(SurfaceReady(landscape.compute(trainer.loss, trainer.data.X_train, trainer.data.y_train,
                                                         wanted)))

    def on_surface_ready(self, message: SurfaceReady) -> None:
        if self.surfaces.arrived(message.surface) and self.left == "landscape":
            self.redraw()

    def _draw_evaluation(self) -> None:
        panel = self.query_one("#evaluation", Lines)
        self.evaluation = self.session.evaluation(self.eval_split)
        panel.set_titles(f"{self.evaluation.split} split · epoch {self.evaluation.epoch}",
                         f"accuracy {100 * self.evaluation.accuracy:.1f}%")
        panel.show(panels.evaluation_lines(self.evaluation, panel.content_size.width))

    def say(self, message: str) -> None:
        """A note under the status line (broken between words where it is long), kept until the next key."""
        notice = self.query_one("#notice", Lines)
        notice.show(panels.prose(message, "", max(self.size.width - 2, 20)) if message else ())
        notice.display = bool(message) and not self.app.too_small

    def on_key(self) -> None:
        self.say("")

    def on_resize(self) -> None:
        self.redraw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.app.too_small or self.app.leaving)

    # ---- stepping ----------------------------------------------------------------------------

    def _done(self, note: str = "") -> None:
        """After an action: the note said, the run loop in step with the session, one redraw."""
        if not self.session.running:
            self.loop.stop()
        if note:
            self.say(note)
        self.redraw()

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
        self._done(self.session.scale_alpha(factor))

    def action_type_alpha(self) -> None:
        def apply(value: float | None) -> None:
            if value is not None:
                self._done(self.session.configure(alpha=value))

        self.app.push_screen(AlphaPrompt(self.session.trainer.config.alpha,
                                         lambda value: self.session.refusal(alpha=value)), apply)

    def action_cycle_optimizer(self) -> None:
        self._done(self.session.cycle_optimizer())

    def action_cycle_schedule(self) -> None:
        self._done(self.session.cycle_schedule())

    def action_cycle_momentum(self) -> None:
        self._done(self.session.cycle_momentum())

    def action_cycle_batch(self) -> None:
        self._done(self.session.cycle_batch())

    def _new_data(self) -> None:
        self.cells = PointCells(self.session.trainer.data)
        self.surfaces.forget()

    def action_cycle_dataset(self) -> None:
        note = self.session.cycle_dataset()
        if not note:
            self._new_data()
        self._done(note)

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
            problem = self.session.load_data(dataset=dataset or "blobs", samples=count, noise=level)
            if problem is None:
                self._new_data()
                self._done()
            return problem

        self.app.push_screen(DataForm(self.session.trainer.config, apply))

    def action_reset(self) -> None:
        self.session.reset()
        self._done()

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

    def _show_left(self, panel: str) -> None:
        """Show `panel` in the left area, or the scatter again if it is already shown."""
        self.left = "scatter" if self.left == panel else panel
        self.query_one("#picture").display = self.left != "evaluation"
        self.query_one("#evaluation").display = self.left == "evaluation"
        self.redraw()
        self.call_after_refresh(self.redraw)  # again once the shown panel has its size

    def action_toggle_landscape(self) -> None:
        self._show_left("landscape")

    def action_toggle_evaluation(self) -> None:
        self._show_left("evaluation")

    def action_cycle_pair(self) -> None:
        self.pair = (self.pair + 1) % len(landscape.PAIRS)
        if self.left != "landscape":
            self._show_left("landscape")
        else:
            self.redraw()

    def action_inspect(self) -> None:
        session = self.session
        self.inspection = session.gradient_check()
        self.app.push_screen(GradientInspector(explain(self.inspection, session.trainer.loss, session.shown_epoch,
                                                       session.trainer.config.batch_size is not None)))

    def action_toggle_preview(self) -> None:
        self.preview = not self.preview
        if self.preview and self.session.viewing is not None:
            self.say("the preview shows the next step from the latest epoch: press End to go there")
        self.redraw()

    def action_race(self) -> None:
        from .race import RaceScreen

        self.session.pause()  # (the race trains instead; the solo run waits as it is)
        self._done()
        self.app.push_screen(RaceScreen(self.session.trainer))

    def action_save(self) -> None:
        self.say(sessions.save_here_saying(self.session.trainer))

    def action_export(self) -> None:
        self.say(sessions.export_here_saying(self.session.trainer, self.app.export_screenshot()))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(help_rows(SOLO_KEYS)))
