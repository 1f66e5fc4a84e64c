"""The race's scatter: the data drawn faintly, and one decision boundary per racer in its rule's
colour and glyph. It keeps the `Scatter` fast path (points binned once, changed rows redrawn);
only the cell codes differ."""

from __future__ import annotations

import numpy as np

from gdtui.engine import raster
from gdtui.engine.config import OPTIMIZERS

from .racers import LOOKS, SHARED
from .scatter import GLYPHS, Scatter

POINT_INK = ("#d7d7d7", "#5f87af", "#af875f", "#d7d7d7")
"""Class 0 and class 1 points (and mixed cells), dimmer than the boundaries drawn over them."""
MARKS = (None, *OPTIMIZERS, "shared")
"""What a cell's mark means: nothing, a rule's boundary (in `OPTIMIZERS` order), several boundaries."""


class RaceScatter(Scatter):
    """Train points with the boundary of every racer; a cell several boundaries cross shows `+`.

    Cell code = what the cell holds (0-3, as in `Scatter`) + 4 * its mark (index into `MARKS`).
    The predicted regions are not shaded: each racer has its own.
    """

    def __init__(self, data, *, id: str | None = None) -> None:
        super().__init__(data, id=id)
        self.cell_glyphs, self.cell_styles = _GLYPHS, _STYLES
        self.boundaries: tuple[tuple[str, tuple[float, float, float]], ...] = ()
        """(rule, weights) of each racer, drawn in this order."""

    def show_boundaries(self, boundaries: tuple[tuple[str, tuple[float, float, float]], ...]) -> None:
        self.boundaries = boundaries
        self.show((0.0, 0.0, 0.0), "train", None)

    def codes(self) -> np.ndarray:
        frame = self.grid_frame()
        kinds = self._kinds(frame)
        marks = np.zeros(kinds.shape, dtype=np.int16)
        shared = MARKS.index("shared")
        for rule, weights in self.boundaries:
            crossed = raster.boundary_cells(weights, frame)
            marks[crossed & (marks > 0)] = shared
            marks[crossed & (marks == 0)] = MARKS.index(rule)
        return kinds.astype(np.int16) + 4 * marks


def _glyph(code: int) -> str:
    mark = MARKS[code >> 2]
    if mark is None:
        return GLYPHS[code & 3]
    return SHARED.glyph if mark == "shared" else LOOKS[mark].glyph


def _style(code: int) -> str:
    mark = MARKS[code >> 2]
    if mark is None:
        return POINT_INK[code & 3]
    return "bold " + (SHARED.ink if mark == "shared" else LOOKS[mark].ink)


_GLYPHS = [_glyph(code) for code in range(4 * len(MARKS))]
_STYLES = [_style(code) for code in range(4 * len(MARKS))]
