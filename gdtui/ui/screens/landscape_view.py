"""The loss landscape in the solo view's left area (`l`): the surface computed as the run's path
needs it (in a worker thread for large data), the pair of weights it spans (`w` opens a chooser),
and a click on a cell, which starts a new run from that cell's weights."""

from __future__ import annotations

from textual import work

from gdtui.describe import weight_label
from gdtui.engine import landscape

from ..messages import CellClicked, SurfaceReady
from ..surfaces import ChosenPair, pair_for, surface_of, value_at
from ..widgets.picture_area import PictureArea
from .pair_chooser import PairChooser


class LandscapeView:
    """The landscape's part of `SoloScreen` (its session, surfaces, pair and left area)."""

    def _draw_landscape(self) -> None:
        area = self.query_one(PictureArea)
        width, height = area.grid.size
        if not (width and height):  # just shown: draw once the layout has sized it
            self.call_after_refresh(self.redraw)
            return
        trainer, path = self.session.trainer, self.session.path()
        self.landscape_value = value_at(trainer, path[-1])
        needed = self.surfaces.follow(trainer, path, self._pair(), width, height)
        if needed is not None:
            self._compute_surface(needed)
        area.landscape(landscape.objective_label(trainer.loss, trainer.config.penalty), self.surfaces.wanted,
                       self.surfaces.surface, self.surfaces.estimated, path, self.landscape_value)

    def _pair(self) -> tuple[int, int]:
        return pair_for(self.pair, self.session.trainer.config.weight_shape)

    @work(thread=True, exclusive=True)
    def _compute_surface(self, wanted: landscape.Slice) -> None:
        self.post_message(SurfaceReady(surface_of(self.session.trainer, wanted)))

    def on_surface_ready(self, message: SurfaceReady) -> None:
        if self.surfaces.arrived(message.surface) and self.left == "landscape":
            self.redraw()

    def on_cell_clicked(self, message: CellClicked) -> None:
        """A click on the landscape starts a new run from the weights of that cell (the other
        weights as the landscape holds them); a click on the scatter inspects the point nearest it."""
        if self.left == "scatter":
            self.select_point_at(message.col, message.row)
            return
        surface, grid = self.surfaces.surface, self.query_one(PictureArea).grid
        if self.left != "landscape" or surface is None:
            return
        sl = surface.slice
        weights = sl.weights_at(message.col, message.row)
        if weights is None or (sl.window.width, sl.window.height) != tuple(grid.size):
            return
        note = self.session.reset(weights)
        self._done(note if weights.size <= 3 else clicked_note(sl, weights.ravel()))

    def action_choose_pair(self) -> None:
        """`w`: the chooser of the two weights the landscape spans (the landscape shown once they are picked)."""
        trainer = self.session.trainer
        shape = trainer.config.weight_shape

        def chosen(axes: tuple[int, int] | None) -> None:
            if axes is None:
                return
            self.pair = ChosenPair(shape, axes)  # (it applies while the weights keep that shape)
            if self.left != "landscape":
                self._show_left("landscape")
            else:
                self.redraw()

        self.app.push_screen(PairChooser(shape, trainer.config.features, trainer.data.shown_labels, self._pair()),
                             chosen)


def clicked_note(sl: landscape.Slice, weights) -> str:
    """The note after a click on a landscape of many weights: the cell's two, and how many held
    (all of them would not fit one line)."""
    (a, b), held = sl.axes, weights.size - 2
    return (f"new run from {weight_label(a, sl.shape)}={weights[a]:.3g}, {weight_label(b, sl.shape)}={weights[b]:.3g}, "
            f"{held} others held; u brings the old one back")
