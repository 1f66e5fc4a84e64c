"""One data point read through the model, and how many points sit where the prediction is flat.

`reading` gives what the point inspector shows of a row: its score(s), what the loss makes of them
(σ(z), softmax's P, the margins), the class predicted and the row's part of the update direction
g over all training rows, with its share of g (the part's projection on g divided by |g|², parts
and g flattened: with the penalty's share, the shares of all rows add up to 1). `saturation`
counts the rows whose p lies within `SATURATED` of 0 or 1 (softmax: whose P is that close to one
class), where sse's factor p(1 − p) vanishes; `saturation_verdict` says whether that is worth
telling the user.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import explain_models as models
from . import penalties
from .explain import SIGMOID_LOSSES, rows_of, sigmoid, strongest

SATURATED = 1e-6
"""p within this of 0 or 1 counts as saturated."""
SAMPLE_ROWS = 20_000
"""`saturation` looks at most at this many rows (evenly spaced), so that it stays cheap per frame."""
SATURATING_LOSSES = (*SIGMOID_LOSSES, "softmax")
"""The losses whose probabilities can saturate (the hinge and the svm have none)."""
LARGE_INPUTS = 20.0
"""Feature columns whose mean |value| exceeds this count as large (the generated data sets stay
below it; a CSV around 100, or the squares of blobs, do not)."""


@dataclass(frozen=True)
class Reading:
    """A row of a split as the weights see it."""

    index: int
    x: tuple[float, ...]
    """Its design-matrix entries, (1, x1, x2) for the lesson."""
    label: float
    z: float | tuple[float, ...]
    """z = W·x, or the K class scores s_k = W_k·x."""
    p: float | tuple[float, ...] | None
    """σ(z) (sse, bce), softmax's P (K), None for hinge and svm."""
    predicted: int
    """1 where p > 0.5 (z > 0 for hinge), or the class of the largest score."""
    part: tuple[float, ...]
    """Its contribution to g, flattened (K x d row by row): e·p(1 − p)·x (sse), e·x (bce), R ⊗ x."""
    share: float | None
    """part·g / (g·g), g the direction at these weights over all training rows; None for a row
    outside them (test), or when g is 0."""
    margin: float | tuple[float, ...] | None = None
    """hinge: 1 − t·z; svm: s_j − s_y + 1 per class (0 at the label's own); else None."""
    point: tuple[float, float] | None = None
    """The raw (x1, x2), where the columns are not simply (1, x1, x2)."""

    @property
    def active(self) -> bool | tuple[bool, ...] | None:
        """hinge: is the row inside the margin (1 − t·z > 0); svm: is each class's margin active
        (> 0; never the label's own, which is 0); else None."""
        if self.margin is None:
            return None
        if isinstance(self.margin, tuple):
            return tuple(m > 0 for m in self.margin)
        return self.margin > 0


class Parts:
    """Every row's contribution to g at one set of weights, kept for the readings of one split."""

    def __init__(self, loss: str, X: np.ndarray, y: np.ndarray, w, in_g: bool, penalty: str = "none",
                 lam: float = 0.0, points: np.ndarray | None = None) -> None:
        self.loss, self.X, self.y, self.in_g = loss, X, y, in_g
        self.penalty, self.lam, self.points = penalty, lam, points
        self.weights = np.array(w, dtype=np.float64)
        self.rows = rows_of(loss, X, y, self.weights) if loss in SIGMOID_LOSSES else \
            models.model_rows(loss, X, y, self.weights)

    def reading(self, index: int, g: np.ndarray) -> Reading:
        """Row `index`, with its share of `g` (`direction()` of the training rows at the same weights)."""
        r = self.rows
        g = np.ravel(g)
        norm = float(g @ g)
        point = None if self.points is None else tuple(float(v) for v in self.points[index])
        if self.loss in SIGMOID_LOSSES:
            part = r["part"][index]
            p, margin, z = float(r["p"][index]), None, float(r["z"][index])
            predicted = int(p > 0.5)
        else:
            part = np.outer(r["R"][index], self.X[index]).ravel()
            p, margin, z, predicted = self._scored(index)
        share = float(part @ g) / norm if self.in_g and norm > 0 else None
        return Reading(int(index), tuple(self.X[index].tolist()), float(self.y[index]), z, p, predicted,
                       tuple(part.tolist()), share, margin, point)

    def _scored(self, index: int) -> tuple:
        """(p, margin, z, predicted) of row `index` under hinge, softmax or svm."""
        r = self.rows
        if self.loss == "hinge":
            z = float(r["z"][index])
            return None, float(r["margin"][index]), z, int(z > 0)
        scores = r["S"][index]
        P = r.get("P")
        margins = r.get("margins")
        return (None if P is None else tuple(P[index].tolist()), None if margins is None else
                tuple(margins[index].tolist()), tuple(scores.tolist()), int(np.argmax(scores)))

    def total(self) -> np.ndarray:
        """The rows' contributions summed."""
        if self.loss in SIGMOID_LOSSES:
            return self.rows["part"].sum(axis=0)
        return models.batch_sum(self.rows["R"], self.X)

    def direction(self) -> np.ndarray:
        """`total()` plus the penalty's part: the update direction a full batch would take."""
        if self.penalty == "none":
            return self.total()
        return self.total() + penalties.gradient(self.penalty, self.lam, self.weights)

    def strongest(self) -> int:
        """The row whose contribution is the longest."""
        if self.loss in SIGMOID_LOSSES:
            return strongest(self.rows["part"])
        return int(np.argmax(models.lengths(self.rows["R"], self.X)))


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
        wrong side: sse's gradient hardly moves them, so the run stalls while they are wrong (bce's
        and softmax's do move them). A well-trained run has most rows saturated too, but on the
        right side."""
        return self.share > 0.5 and self.wrong_share >= 0.1


def saturation(X: np.ndarray, y: np.ndarray, w, sample: int = SAMPLE_ROWS) -> Saturation:
    """Saturated rows of X (n, d) at weights w: all rows, or `sample` of them evenly spaced. One
    weight row: p = σ(z) within `SATURATED` of 0 or 1; K rows: softmax's largest P within it of 1
    (wrong: that class is not the label)."""
    X, y = _sampled(X, y, sample)
    w = np.asarray(w, dtype=np.float64)
    with np.errstate(all="ignore"):
        if w.ndim == 1:
            p = sigmoid(X @ w)
            low, high = p < SATURATED, p > 1.0 - SATURATED
            saturated, wrong = low | high, (low & (y > 0.5)) | (high & (y < 0.5))
        else:
            S = X @ w.T
            e = np.exp(S - S.max(axis=1, keepdims=True))
            saturated = e.max(axis=1) / e.sum(axis=1) > 1.0 - SATURATED
            wrong = saturated & (np.argmax(S, axis=1) != y.astype(np.int64))
    return Saturation(len(y), int(np.count_nonzero(saturated)), int(np.count_nonzero(wrong)))


@dataclass(frozen=True)
class SaturationVerdict:
    """Saturation worth telling: sse stalling, or bce and softmax kept saturated by large inputs."""

    loss: str
    share: float
    """Of the rows looked at, the saturated ones."""
    wrong_share: float
    """Of the rows looked at, the ones saturated on the wrong side."""
    scale: float | None
    """The inputs' `input_scale` where it exceeds `LARGE_INPUTS` and they are not standardized."""

    @property
    def stalls(self) -> bool:
        """sse: each row's part carries p(1 − p), which vanishes where p is saturated, so the wrong
        saturated rows cannot be moved. bce's (p − y)·x and softmax's (P − Y)ᵀx push them fully."""
        return self.loss == "sse"


def saturation_verdict(config, X: np.ndarray, y: np.ndarray, w, scale: float | None = None) -> SaturationVerdict | None:
    """What to tell of the training rows X (n, d), y at weights w under `config`'s loss, or None.

    sse: when `Saturation.stalling`. bce and softmax do not stall, but with huge inputs (a CSV
    around 100, unstandardized) every step swings the scores far and the rows stay saturated: only
    then, and while `stalling`. Never the hinge nor the svm. `scale` is X's `input_scale` where the
    caller keeps it (it depends on X only), else it is measured here.
    """
    if config.loss not in SATURATING_LOSSES:
        return None
    large = None
    if not config.standardize:
        scale = input_scale(X) if scale is None else scale
        large = scale if scale > LARGE_INPUTS else None
    if config.loss != "sse" and large is None:
        return None
    found = saturation(X, y, w)
    if not found.stalling:
        return None
    return SaturationVerdict(config.loss, found.share, found.wrong_share, large)


def input_scale(X: np.ndarray, sample: int = SAMPLE_ROWS) -> float:
    """The largest mean absolute value of the feature columns (not the bias): how large the
    inputs are that multiply the weights."""
    X, _ = _sampled(X, X[:, 0], sample)
    if X.shape[1] < 2 or not len(X):
        return 0.0
    with np.errstate(all="ignore"):
        return float(np.mean(np.abs(X[:, 1:]), axis=0).max())


def _sampled(X: np.ndarray, y: np.ndarray, sample: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(y)
    if n > sample:
        picked = np.linspace(0, n - 1, sample).astype(np.int64)
        return X[picked], y[picked]
    return X, y
