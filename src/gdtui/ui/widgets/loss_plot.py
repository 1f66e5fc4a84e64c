"""The loss per epoch as a plotext line, reduced to ~2 points per column, optionally log-scaled."""

from __future__ import annotations

import numpy as np
from textual_plotext import PlotextPlot

from gdtui.engine.raster import reduce_series

LINE_COLOR = (95, 175, 255)
MARK_COLOR = (255, 255, 95)


class LossPlot(PlotextPlot):
    """Call `replot()` with the history's losses; it never plots more points than columns allow."""

    DEFAULT_CSS = """
    LossPlot { width: 1fr; height: 1fr; min-height: 5; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.log_scale = False
        self._losses = np.zeros(0)
        self.marked_epoch: int | None = None

    def replot(self, losses: np.ndarray, log_scale: bool, marked_epoch: int | None = None) -> None:
        """`losses[k]` is the loss of epoch k (row 0: at the initial weights); `marked_epoch`, if
        given, is marked instead of the last one (a rewound view)."""
        self._losses, self.log_scale, self.marked_epoch = losses, log_scale, marked_epoch
        self.refresh()

    def render(self):
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("epoch")
        plt.yscale("log" if self.log_scale else "linear")
        losses = self._losses
        last = len(losses) - 1
        ticks = sorted({int(round(t)) for t in np.linspace(min(1, last), max(last, 1), 5)})
        plt.xticks(ticks, [str(t) for t in ticks])
        if len(losses) > 1:
            xs, ys = reduce_series(losses[1:], max(self.size.width - 12, 8))
            plt.plot(xs.tolist(), ys.tolist(), color=LINE_COLOR, marker="braille")
            mark = last if self.marked_epoch is None else self.marked_epoch
            if self.marked_epoch is not None:
                plt.vline(max(mark, 1), color=MARK_COLOR)
            plt.scatter([float(max(mark, 1))], [float(losses[max(mark, 1)])], color=MARK_COLOR, marker="●")
        elif len(losses) == 1:
            plt.scatter([0.0], [float(losses[0])], color=MARK_COLOR, marker="●")
        return super().render()
