"""The solo view's teaching instruments: `g` the gradient inspector, `v` the next-step preview,
`y` the last update written out, `i` the point inspector.

A mixin of `SoloScreen` (kept apart so that each class stays small): it reads the screen's
session, its scatter and its `say`, and draws the point line under the panels.
"""

from __future__ import annotations

from gdtui.describe import column_names

from ..point_mode import PointMode, point_lines
from ..widgets.lines import Lines
from ..widgets.picture_area import PictureArea
from ..why import choose
from .inspector import GradientInspector, explain
from .why import WhyScreen


class TeachingKeys:
    """`g`, `v`, `y`, `i`, the arrows and escape of the solo view."""

    points: PointMode

    def action_inspect(self) -> None:
        session = self.session
        self.inspection = session.gradient_check()
        config = session.trainer.config
        self.app.push_screen(GradientInspector(explain(self.inspection, session.trainer.loss, session.shown_epoch,
                                                       config.batch_size is not None, column_names(config.features))))

    def action_toggle_preview(self) -> None:
        self.preview = not self.preview
        if self.preview and self.session.viewing is not None:
            self.say("the preview shows the next step from the latest epoch: press End to go there")
        self.redraw()

    def action_explain(self) -> None:
        self.app.push_screen(WhyScreen(choose(self.session)))

    def _hardest(self) -> int | None:
        """The training row that pushed hardest in the update that led to the state shown."""
        why = choose(self.session)
        return why.explanation.example.index if why.explanation is not None and not why.note else None

    def action_point_mode(self) -> None:
        if self.points.active:
            self.action_leave_mode()
            return
        if self.left != "scatter":
            self._show_left(self.left)  # (shown again: the scatter comes back)
        self.points.enter(self.session.trainer, self.split, self.session.shown_weights, self._hardest())
        self.say("point mode: arrows pick the nearest point that way; escape or i leaves")
        self.redraw()

    def action_leave_mode(self) -> None:
        if self.points.active:
            self.points.leave()
            self.query_one("#point", Lines).display = False
            self.redraw()

    def action_arrow(self, arrow: str) -> None:
        """In point mode: select the nearest point in the arrow's direction. Else ← and → rewind."""
        if self.points.active:
            frame = self._scatter_frame()
            if frame is not None:
                self.points.move(self.session.trainer, arrow, frame)
                self.redraw()
        elif arrow in ("left", "right"):
            self.action_rewind(-1 if arrow == "left" else 1)
        else:
            self.say("↑ and ↓ pick points in point mode (press i)")

    def select_point_at(self, col: int, row: int) -> bool:
        """Select the point nearest the centre of cell (`col`, `row`) of the scatter (0, 0 its top
        left cell), entering point mode if needed: for the mouse. False, with nothing changed, when
        the scatter is not shown or has no size."""
        frame = self._scatter_frame()
        if self.left != "scatter" or frame is None:
            return False
        if not self.points.active:
            self.points.enter(self.session.trainer, self.split, self.session.shown_weights, None)
        self.points.select_cell(self.session.trainer, int(col), int(row), frame)
        self.redraw()
        return True

    def _scatter_frame(self):
        width, height = self.query_one(PictureArea).grid.size
        return self.cells.frame(width, height) if width and height else None

    def _point_selected(self):
        """(x1, x2) of the point to mark on the scatter, after bringing the readings up to date."""
        if not self.points.active:
            return None
        trainer = self.session.trainer
        if self.points.split != self.split:
            self.points.switch(trainer, self.split, self.session.shown_weights)
        self.points.refresh(trainer, self.session.shown_weights)
        return self.points.position(trainer)

    def _draw_point_line(self) -> None:
        line = self.query_one("#point", Lines)
        line.display = self.points.active and not self.app.unfit
        if self.points.active:
            reading = self.points.reading()
            line.show(point_lines(reading, self.points.split, self.session.trainer.data.shown_labels,
                                  line.content_size.width or self.size.width - 2))
