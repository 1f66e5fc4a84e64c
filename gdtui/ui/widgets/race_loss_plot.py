"""The race's loss curves on one plot: a braille line per rule in its colour, with its glyph
marked along the line and at its end, so that the curves can be told apart without colour."""

from __future__ import annotations

import numpy as np

from gdtui.engine.raster import reduce_series

from .loss_plot import LossPlot
from .racers import LOOKS, SHARED

GLYPHS_ALONG = 2
"""Glyphs marked along each curve besides the one at its end (staggered between the rules)."""


class RaceLossPlot(LossPlot):
    """Call `show_curves()` with each racer's losses; like `LossPlot`, it plots at most ~2 points
    per column per curve and redraws only the rows that changed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._curves: tuple[tuple[str, np.ndarray], ...] = ()

    def show_curves(self, curves: tuple[tuple[str, np.ndarray], ...], log_scale: bool) -> None:
        """`curves`: (rule, losses) per racer, `losses[k]` the loss of epoch k (row 0: at the start)."""
        same = (log_scale == self.log_scale and len(curves) == len(self._curves)
                and all(rule == old_rule and np.array_equal(losses, old)
                        for (rule, losses), (old_rule, old) in zip(curves, self._curves)))
        if same:
            return
        self._curves = tuple((rule, np.array(losses)) for rule, losses in curves)
        self.log_scale = log_scale
        self._repaint()

    def _give_plotext(self) -> None:
        """Every curve from epoch 0 (the start they share, marked with `SHARED`'s glyph), its glyphs,
        and axes with short tick labels (plotext's own would swallow the plot for huge losses)."""
        plt = self.plt
        plt.clear_data()
        plt.xlabel("epoch")
        plt.yscale("log" if self.log_scale else "linear")
        last = max((len(losses) - 1 for _, losses in self._curves), default=0)
        ticks = sorted({int(round(t)) for t in np.linspace(0, max(last, 1), 5)})
        plt.xticks(ticks, [str(t) for t in ticks])
        lines = [(rule, *self._drawable(losses)) for rule, losses in self._curves]
        lines = [(rule, xs, ys) for rule, xs, ys in lines if len(xs)]
        if not lines:
            return
        every = np.concatenate([ys for _, _, ys in lines])
        values = _y_ticks(float(every.min()), float(every.max()), self.log_scale)
        plt.yticks(values, [f"{v:.3g}" for v in values])
        for rule, xs, ys in lines:
            if len(xs) > 1:
                plt.plot(xs.tolist(), ys.tolist(), color=LOOKS[rule].rgb, marker="braille")
        for index, (rule, xs, ys) in enumerate(lines):  # the glyphs over every line
            look = LOOKS[rule]
            marked = [k for k in _marked_points(len(xs), index, len(lines)) if xs[k] > 0]
            plt.scatter(xs[marked].tolist(), ys[marked].tolist(), color=look.rgb, marker=look.glyph)
        starts = [(xs[0], ys[0]) for _, xs, ys in lines if xs[0] == 0]
        if starts:
            plt.scatter([0.0], [starts[0][1]], color=SHARED.rgb, marker=SHARED.glyph)

    def _drawable(self, losses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, losses) of the points plotted: reduced to the width, only finite ones (and
        only positive ones on the log scale)."""
        xs, ys = reduce_series(losses, max(self.size.width - 12, 8))
        xs = xs - 1  # (reduce_series counts from 1; row 0 is epoch 0)
        keep = np.isfinite(ys) & ((ys > 0) if self.log_scale else True)
        return xs[keep], ys[keep]


def _y_ticks(low: float, high: float, log_scale: bool) -> list[float]:
    """Five tick values from `low` to `high`, evenly spaced (by ratio on the log scale)."""
    if not high > low:
        return [low]
    return (np.geomspace(low, high, 5) if log_scale else np.linspace(low, high, 5)).tolist()


def _marked_points(points: int, index: int, count: int) -> list[int]:
    """Indices of the points of curve `index` (of `count`) that carry its glyph: its last point,
    and, on a long enough curve, a few along it, shifted per curve so that glyphs do not pile up."""
    marked = {points - 1}
    if points >= 4 * GLYPHS_ALONG * max(count, 1):
        for k in range(GLYPHS_ALONG):
            share = (k + (index + 1) / (count + 1)) / GLYPHS_ALONG
            marked.add(int(share * (points - 1)))
    return sorted(marked)
