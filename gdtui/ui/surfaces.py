"""Which loss surface the landscape shows, and when it must be computed again (Textual-free).

The surface is one vectorised evaluation of the full training objective over a grid; it is redone
only when the pair of weights, the window, the size or a held weight changes (`landscape.follow`).
For large data sets an estimate from a sample of the rows (scaled to all of them) is shown at once,
and the screen computes the exact surface in a worker thread and hands it back with `arrived`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gdtui.engine import Trainer, landscape

SYNC_LIMIT = 20_000_000
"""Rows x grid cells x weight rows up to which a surface is computed at once; above it, in a worker
thread."""


class ChosenPair(NamedTuple):
    """The two weights (flat indices) the learner chose for the landscape, and the weights' shape
    they were chosen for."""

    shape: tuple[int, ...]
    axes: tuple[int, int]


def pair_for(chosen: ChosenPair | None, shape: tuple[int, ...]) -> tuple[int, int]:
    """The pair the landscape spans: the chosen one while the weights keep the shape it was chosen
    for, else the default pair of `shape`."""
    if chosen is not None and chosen.shape == tuple(shape):
        return chosen.axes
    return landscape.default_pair(tuple(shape))


def surface_of(trainer: Trainer, sl: landscape.Slice, every: int = 1) -> landscape.Surface:
    """The trainer's objective (its loss, plus its penalty) over `sl`, from every `every`-th row."""
    cfg, data = trainer.config, trainer.data
    return landscape.compute(trainer.loss, data.X_train, data.y_train, sl, cfg.penalty, cfg.lam, every)


def value_at(trainer: Trainer, weights: np.ndarray) -> float:
    """The trainer's objective at `weights`, as the surface evaluates its cells (the ◉ value)."""
    cfg, data = trainer.config, trainer.data
    return landscape.loss_at(trainer.loss, data.X_train, data.y_train, weights, cfg.penalty, cfg.lam)


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

    def follow(self, trainer: Trainer, path: np.ndarray, pair: tuple[int, int], width: int,
               height: int) -> landscape.Slice | None:
        """Keep up with the run's `path` (k, *weight shape) over the flat weights `pair`: compute
        the new surface now if it is small, else return the slice a worker should compute
        (`arrived` takes its result). None: nothing to compute."""
        wanted = landscape.follow(self.wanted, path, pair, width, height)
        if wanted == self.wanted:
            return None
        self.wanted = wanted
        rows = len(trainer.data.y_train)
        cost = rows * wanted.window.width * wanted.window.height * (path[0].size // path.shape[-1])
        if cost <= SYNC_LIMIT:
            self.surface, self.estimated = surface_of(trainer, wanted), False
            return None
        every = -(-cost // SYNC_LIMIT)  # (a sample as large as the limit allows)
        self.surface, self.estimated = surface_of(trainer, wanted, every), True
        return wanted

    def arrived(self, surface: landscape.Surface) -> bool:
        """A worker's surface: shown if it is still the one wanted."""
        if surface.slice == self.wanted:
            self.surface, self.estimated = surface, False
            return True
        return False
