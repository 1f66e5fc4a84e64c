"""Which loss surface the landscape shows, and when it must be computed again (Textual-free).

The surface is one vectorised evaluation of the full training loss over a grid; it is redone only
when the pair of weights, the window, the size or a held weight changes (`landscape.follow`). For
large data sets the screen computes it in a worker thread and hands it back with `arrived`.
"""

from __future__ import annotations

import numpy as np

from gdtui.engine import Trainer, landscape

SYNC_LIMIT = 20_000_000
"""Rows x grid cells up to which a surface is computed at once; above it, in a worker thread."""


class SurfaceKeeper:
    def __init__(self) -> None:
        self.surface: landscape.Surface | None = None
        """The surface shown (None until the first is ready)."""
        self.wanted: landscape.Slice | None = None
        """The slice the screen needs now."""

    def forget(self) -> None:
        """New data: nothing computed so far applies."""
        self.surface, self.wanted = None, None

    def follow(self, trainer: Trainer, path: np.ndarray, pair: int, width: int, height: int) -> landscape.Slice | None:
        """Keep up with the run's `path`: compute the new surface now if it is small, else return
        the slice a worker should compute (`arrived` takes its result). None: nothing to compute."""
        wanted = landscape.follow(self.wanted, path, landscape.PAIRS[pair], width, height)
        if wanted == self.wanted:
            return None
        self.wanted = wanted
        X, y = trainer.data.X_train, trainer.data.y_train
        if len(y) * wanted.window.width * wanted.window.height <= SYNC_LIMIT:
            self.surface = landscape.compute(trainer.loss, X, y, wanted)
            return None
        return wanted

    def arrived(self, surface: landscape.Surface) -> bool:
        """A worker's surface: shown if it is still the one wanted."""
        if surface.slice == self.wanted:
            self.surface = surface
            return True
        return False
