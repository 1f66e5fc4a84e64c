"""Which loss surface the landscape shows, and when it must be computed again (Textual-free).

The surface is one vectorised evaluation of the full training loss over a grid; it is redone only
when the pair of weights, the window, the size or a held weight changes (`landscape.follow`). For
large data sets an estimate from a sample of the rows (scaled to all of them) is shown at once,
and the screen computes the exact surface in a worker thread and hands it back with `arrived`.
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
        self.estimated = False
        """The surface shown is an estimate from a sample of the rows (the exact one is on its way)."""

    def forget(self) -> None:
        """New data: nothing computed so far applies."""
        self.surface, self.wanted, self.estimated = None, None, False

    def follow(self, trainer: Trainer, path: np.ndarray, pair: int, width: int, height: int) -> landscape.Slice | None:
        """Keep up with the run's `path`: compute the new surface now if it is small, else return
        the slice a worker should compute (`arrived` takes its result). None: nothing to compute."""
        wanted = landscape.follow(self.wanted, path, landscape.PAIRS[pair], width, height)
        if wanted == self.wanted:
            return None
        self.wanted = wanted
        X, y = trainer.data.X_train, trainer.data.y_train
        cells = wanted.window.width * wanted.window.height
        if len(y) * cells <= SYNC_LIMIT:
            self.surface, self.estimated = landscape.compute(trainer.loss, X, y, wanted), False
            return None
        every = -(-len(y) * cells // SYNC_LIMIT)  # (a sample as large as the limit allows)
        sample = landscape.compute(trainer.loss, X[::every], y[::every], wanted)
        self.surface = landscape.Surface(wanted, sample.values * (len(y) / len(y[::every])))
        self.estimated = True
        return wanted

    def arrived(self, surface: landscape.Surface) -> bool:
        """A worker's surface: shown if it is still the one wanted."""
        if surface.slice == self.wanted:
            self.surface, self.estimated = surface, False
            return True
        return False
