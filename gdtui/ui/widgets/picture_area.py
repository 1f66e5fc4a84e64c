"""The left area of the solo view: one cell picture (the scatter or the loss landscape) with its
axes beside and under it, under one border whose titles say what it shows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.markup import escape

from gdtui.describe import weight_label

from .. import panels
from ..legend import legend
from ..pictures import Landscape, PointCells, Scatter
from .cell_grid import CellGrid
from .framed import Framed
from .lines import Lines


class PictureArea(Framed):
    """Draws a `Scatter` or a `Landscape` picture, its axes and its titles."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="picture-row"):
            yield Lines(id="y-axis")
            yield CellGrid(id="grid")
        yield Lines(id="x-axis")

    @property
    def grid(self) -> CellGrid:
        return self.query_one("#grid", CellGrid)

    @property
    def room(self) -> int:
        """Cells the border's titles may take."""
        return self.outer_size.width - 6

    _drawn_axes: tuple | None = None
    """The last axes drawn (their ends and names), drawn again when the picture's size changes."""

    def on_resize(self) -> None:
        # (a note that takes a line more or less resizes the picture after it was drawn: the axis
        # labels must follow the grid's new height once the layout has settled)
        if self._drawn_axes is not None:
            self.call_after_refresh(lambda: self._axes(*self._drawn_axes))

    def _axes(self, x: tuple[float, float, str], y: tuple[float, float, str]) -> None:
        """The axes beside and under the picture: each one's ends and its name."""
        self._drawn_axes = (x, y)
        grid, axis = self.grid, self.query_one("#y-axis", Lines)
        axis.styles.width = panels.y_axis_width(*y)
        axis.show(panels.y_axis_lines(*y, grid.size.height))
        self.query_one("#x-axis", Lines).show((panels.x_axis_line(*x, axis.outer_size.width, grid.size.width),))

    def scatter(self, cells: PointCells, split: str, weights, highlight, ghosts, selected=None) -> None:
        data = cells.data
        rows = len(data.y_train) if split == "train" else len(data.y_test)
        self.set_titles(f"{escape(data.name)} · {split} ({rows})",
                        legend(data.labels, self.room, highlight is not None, bool(ghosts)))
        e = cells.extent
        self._axes((e.x_min, e.x_max, "x"), (e.y_max, e.y_min, "y"))
        self.grid.show(Scatter(cells, split, weights, highlight, ghosts, selected))

    def landscape(self, loss: str, wanted, surface, estimated: bool, path, value: float) -> None:
        """The surface of objective `loss` over `wanted`'s window (an estimate from a sample of the
        rows, if `estimated`), the run's `path` (k, *weight shape) on it and the value at its end."""
        room = self.room
        scale = panels.scale_markup(surface, room - 12 if estimated else room) if surface is not None else ""
        self.set_titles(panels.landscape_title(loss, wanted, value, room), ("≈ sample · " if estimated else "") + scale)
        (a, b), window = wanted.axes, wanted.window
        self._axes((window.x_min, window.x_max, weight_label(a, wanted.shape)),
                   (window.y_max, window.y_min, weight_label(b, wanted.shape)))
        if surface is not None:
            self.grid.show(Landscape(surface, path.reshape(len(path), -1)))
