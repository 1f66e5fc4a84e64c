"""One data point read through the model, and how many points sit where the sigmoid is flat.

`reading` gives what the point inspector shows of a row: z = W·x, p = σ(z), the class predicted
and the row's part of the update direction g over all training rows, with its share of g (the
part's projection on g divided by |g|: the shares of all rows add up to 1). `saturation` counts
the rows whose p lies within `SATURATED` of 0 or 1, where sse's factor p(1 − p) vanishes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .explain import rows_of, sigmoid, strongest

SATURATED = 1e-6
"""p within this of 0 or 1 counts as saturated."""
SAMPLE_ROWS = 20_000
"""`saturation` looks at most at this many rows (evenly spaced), so that it stays cheap per frame."""


@dataclass(frozen=True)
class Reading:
    """A row of a split as the weights see it."""

    index: int
    x: tuple[float, ...]
    """(1, x1, x2)."""
    label: float
    z: float
    p: float
    predicted: int
    """1 where p > 0.5."""
    part: tuple[float, ...]
    """Its contribution to g: e·p(1 − p)·x (sse) or e·x (bce)."""
    share: float | None
    """part·g / (g·g), g summed over all training rows; None for a row outside them (test), or
    when g is 0."""


class Parts:
    """Every row's contribution to g at one set of weights, kept for the readings of one split."""

    def __init__(self, loss: str, X: np.ndarray, y: np.ndarray, w, in_g: bool) -> None:
        self.loss, self.X, self.y, self.in_g = loss, X, y, in_g
        self.weights = np.array(w, dtype=np.float64)
        self.rows = rows_of(loss, X, y, self.weights)

    def reading(self, index: int, g: np.ndarray) -> Reading:
        """Row `index`, with its share of `g` (the training rows' sum at the same weights)."""
        r = self.rows
        part = r["part"][index]
        norm = float(g @ g)
        share = float(part @ g) / norm if self.in_g and norm > 0 else None
        p = float(r["p"][index])
        return Reading(int(index), tuple(self.X[index].tolist()), float(self.y[index]), float(r["z"][index]), p,
                       int(p > 0.5), tuple(part.tolist()), share)

    def total(self) -> np.ndarray:
        return self.rows["part"].sum(axis=0)

    def strongest(self) -> int:
        """The row whose contribution is the longest."""
        return strongest(self.rows["part"])


@dataclass(frozen=True)
class Saturation:
    """How many rows (of those looked at) have p within `SATURATED` of 0 or 1."""

    rows: int
    saturated: int
    wrong: int
    """Saturated on the wrong side: p near 1 for label 0, or near 0 for label 1."""

    @property
    def share(self) -> float:
        return self.saturated / self.rows if self.rows else 0.0

    @property
    def wrong_share(self) -> float:
        return self.wrong / self.rows if self.rows else 0.0

    @property
    def stalling(self) -> bool:
        """Most rows saturated (more than half), and at least a tenth of all rows saturated on the
        wrong side: sse's gradient hardly moves them, so the run stalls while they are wrong. (A
        well-trained sse run has most rows saturated too, but on the right side.)"""
        return self.share > 0.5 and self.wrong_share >= 0.1


def saturation(X: np.ndarray, y: np.ndarray, w, sample: int = SAMPLE_ROWS) -> Saturation:
    """Saturated rows of X (n, d) at weights w: all rows, or `sample` of them evenly spaced."""
    n = len(y)
    if n > sample:
        picked = np.linspace(0, n - 1, sample).astype(np.int64)
        X, y = X[picked], y[picked]
    with np.errstate(all="ignore"):
        p = sigmoid(X @ np.asarray(w, dtype=np.float64))
    low, high = p < SATURATED, p > 1.0 - SATURATED
    wrong = (low & (y > 0.5)) | (high & (y < 0.5))
    return Saturation(len(y), int(np.count_nonzero(low | high)), int(np.count_nonzero(wrong)))
