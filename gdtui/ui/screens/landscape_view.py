"""The loss landscape in the solo view's left area (`l`): the surface computed as the run's path
needs it (in a worker thread for large data), the pair of weights it spans (`w`), and a click on
a cell, which starts a new run from that cell's weights."""

from __future__ import annotations

from textual import work

from gdtui.engine import landscape

from ..messages import CellClicked, SurfaceReady
from ..widgets.picture_area import PictureArea


class LandscapeView:
    """The landscape's part of `SoloScreen` (its session, surfaces, pair and left area)."""

    def _draw_landscape(self) -> None:
        area = self.query_one(PictureArea)
        width, height = area.grid.size
        if not (width and height):  # just shown: draw once the layout has sized it
            self.call_after_refresh(self.redraw)
            return
        trainer, path = self.session.trainer, self.session.path()
        data = trainer.data
        self.landscape_value = landscape.loss_at(trainer.loss, data.X_train, data.y_train, path[-1])
        needed = self.surfaces.follow(trainer, path, self.pair, width, height)
        if needed is not None:
            self._compute_surface(needed)
        area.landscape(trainer.config.loss, self.surfaces.wanted, self.surfaces.surface, self.surfaces.estimated,
                       path, self.landscape_value)

    @work(thread=True, exclusive=True)
    def _compute_surface(self, wanted: landscape.Slice) -> None:
        trainer = self.session.trainer
        self.post_message(SurfaceReady(landscape.compute(trainer.loss, trainer.data.X_train, trainer.data.y_train,
                                                         wanted)))

    def on_surface_ready(self, message: SurfaceReady) -> None:
        if self.surfaces.arrived(message.surface) and self.left == "landscape":
            self.redraw()

    def on_cell_clicked(self, message: CellClicked) -> None:
        """A click on the landscape starts a new run from the weights of that cell (the third
        weight as the landscape holds it); a click on the scatter inspects the point nearest it."""
        if self.left == "scatter":
            self.select_point_at(message.col, message.row)
            return
        surface, grid = self.surfaces.surface, self.query_one(PictureArea).grid
        if self.left != "landscape" or surface is None:
            return
        window = surface.slice.window
        weights = surface.slice.weights_at(message.col, message.row)
        if weights is not None and (window.width, window.height) == tuple(grid.size):
            self._done(self.session.reset(weights))

    def action_cycle_pair(self) -> None:
        self.pair = (self.pair + 1) % len(landscape.PAIRS)
        if self.left != "landscape":
            self._show_left("landscape")
        else:
            self.redraw()
