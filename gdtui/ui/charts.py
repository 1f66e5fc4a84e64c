"""What the loss plots show, as plotext calls: the solo run's loss curve and the race's curves.

A chart is an immutable value; `draw(plt, width)` gives it to a plotext figure (a
`textual_plotext.Plot`) that was cleared and sized. No chart hands plotext more than ~2 points per
column (`reduce_series`), so a million epochs cost what a few hundred do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .raster import reduce_series
from .theme import LINE_RGB, LOOKS, MARK_RGB, SHARED

GLYPHS_ALONG = 2
"""Glyphs marked along each race curve besides the one at its end (staggered between the rules)."""
AXIS_COLUMNS = 12
"""Columns plotext takes for the y axis and its labels."""


def _ticks(last: int, first: int = 0) -> list[int]:
    return sorted({int(round(t)) for t in np.linspace(first, max(last, first + 1), 5)})


PLOT_FRAME_ROWS = 3
"""Rows of a plot that hold no data: its frame above and below, and the x labels."""


def _y_ticks(low: float, high: float, log_scale: bool, height: int | None = None) -> list[float]:
    """Five tick values from `low` to `high`, evenly spaced (by ratio on the log scale); fewer in a
    plot of `height` rows with fewer rows of data, so that no two share a row (plotext would then
    pick one of them by chance)."""
    if not high > low:
        return [low]
    count = 5 if height is None else max(2, min(5, height - PLOT_FRAME_ROWS))
    return (np.geomspace(low, high, count) if log_scale else np.linspace(low, high, count)).tolist()


@dataclass(frozen=True, eq=False)
class LossChart:
    """The loss per epoch (row 0 at the initial weights), the epoch shown marked."""

    losses: np.ndarray
    log_scale: bool = False
    marked: int | None = None
    """A rewound epoch to mark instead of the last one."""

    def same_as(self, other: object) -> bool:
        return (isinstance(other, LossChart) and (self.log_scale, self.marked) == (other.log_scale, other.marked)
                and np.array_equal(self.losses, other.losses))

    def draw(self, plt, width: int, height: int | None = None) -> None:
        """Epochs 1.. as a line (only finite losses: a divergence ends the line where it was still a
        number; on the log scale only positive ones), the epoch shown marked; epoch 0 alone as a point."""
        losses = self.losses
        last = len(losses) - 1
        plt.yscale("log" if self.log_scale else "linear")
        ticks = _ticks(last, min(1, last))
        plt.xticks(ticks, [str(t) for t in ticks])
        mark = max(last if self.marked is None else self.marked, 1) if last else 0
        shown = losses[1:] if last else losses[:1]
        finite = shown[np.isfinite(shown) & ((shown > 0) if self.log_scale else True)]
        if len(finite):  # (plotext's own ticks fail for huge losses and swallow the plot)
            values = _y_ticks(float(finite.min()), float(finite.max()), self.log_scale, height)
            plt.yticks(values, [f"{v:.4g}" for v in values])
        if last:
            xs, ys = reduce_series(losses[1:], max(width - AXIS_COLUMNS, 8))
            keep = np.isfinite(ys) & ((ys > 0) if self.log_scale else True)
            if keep.any():
                plt.plot(xs[keep].tolist(), ys[keep].tolist(), color=LINE_RGB, marker="braille")
            if self.marked is not None:
                plt.vline(mark, color=MARK_RGB)
        if np.isfinite(losses[mark]) and (losses[mark] > 0 or not self.log_scale):  # (hinge and svm reach 0)
            plt.scatter([float(mark)], [float(losses[mark])], color=MARK_RGB, marker="●")


@dataclass(frozen=True, eq=False)
class RaceChart:
    """Every racer's loss per epoch from epoch 0 (the start they share), each in its rule's look."""

    curves: tuple[tuple[str, np.ndarray], ...]
    log_scale: bool = False

    def same_as(self, other: object) -> bool:
        return (isinstance(other, RaceChart) and self.log_scale == other.log_scale
                and len(self.curves) == len(other.curves)
                and all(a == b and np.array_equal(x, y) for (a, x), (b, y) in zip(self.curves, other.curves)))

    def draw(self, plt, width: int, height: int | None = None) -> None:
        plt.yscale("log" if self.log_scale else "linear")
        last = max((len(losses) - 1 for _, losses in self.curves), default=0)
        ticks = _ticks(last)
        plt.xticks(ticks, [str(t) for t in ticks])
        lines = [(rule, *self._drawable(losses, width)) for rule, losses in self.curves]
        lines = [(rule, xs, ys) for rule, xs, ys in lines if len(xs)]
        if not lines:
            return
        every = np.concatenate([ys for _, _, ys in lines])
        values = _y_ticks(float(every.min()), float(every.max()), self.log_scale, height)
        plt.yticks(values, [f"{v:.3g}" for v in values])  # (plotext's own would swallow the plot for huge losses)
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

    def _drawable(self, losses: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, losses) of the points plotted: reduced to the width, only finite ones (and
        only positive ones on the log scale)."""
        xs, ys = reduce_series(losses, max(width - AXIS_COLUMNS, 8))
        xs = xs - 1  # (reduce_series counts from 1; row 0 is epoch 0)
        keep = np.isfinite(ys) & ((ys > 0) if self.log_scale else True)
        return xs[keep], ys[keep]


def _marked_points(points: int, index: int, count: int) -> list[int]:
    """Indices of the points of curve `index` (of `count`) that carry its glyph: its last point,
    and, on a long enough curve, a few along it, shifted per curve so that glyphs do not pile up."""
    marked = {points - 1}
    if points >= 4 * GLYPHS_ALONG * max(count, 1):
        for k in range(GLYPHS_ALONG):
            share = (k + (index + 1) / (count + 1)) / GLYPHS_ALONG
            marked.add(int(share * (points - 1)))
    return sorted(marked)
