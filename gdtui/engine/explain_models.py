"""The rows of the models beyond the lesson's sigmoid unit made concrete: the binary hinge, softmax
and the multi-class svm, how a batch of them pushed, and the penalty's part of g.

Every row's part of g is an outer product R_i ⊗ x_i of the row's design-matrix entries x_i (d,)
with one number R_i for one score (the hinge's −t·[1 − t·z > 0]) or K numbers for K class scores
(softmax's P − Y, svm's C: 1 for each active margin, minus their count at the label). So g = Rᵀ X
and |part_i|² = |R_i|²·|x_i|², without forming the (n, K, d) parts. As in `gdtui.engine.explain`,
the formulas are written plainly, not through the training kernels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import penalties
from .snapshot import plain

IDLE = 1e-6
"""A row whose push is at most this share of the batch's largest pushes (almost) nothing."""


@dataclass(frozen=True)
class Pushes:
    """How the rows of a batch of one score pushed: those that push z down (sigmoid: e > 0,
    predicted too high; hinge: t = −1 inside the margin), those that push it up, and those that
    push almost nothing (below a millionth of the largest push; hinge: outside the margin)."""

    down: int
    up: int
    idle: int


@dataclass(frozen=True)
class ClassPushes:
    """How the rows of a batch of K scores pushed: each pushing row raises its label's score and
    lowers others; `idle` rows push almost nothing (softmax: |P − Y| below a millionth of the
    batch's largest; svm: no active margin)."""

    pushing: int
    idle: int
    wrong: int
    """Rows whose largest score is not their label's."""
    active: int
    """svm: the active margins, all rows together (0 for softmax)."""


@dataclass(frozen=True)
class HingeRow:
    """One training row under the binary hinge."""

    index: int
    x: tuple[float, ...]
    """Its design-matrix entries, the bias's 1 first."""
    y: float
    t: float
    """t = 2y − 1, the label as ±1."""
    z: float
    margin: float
    """1 − t·z: the row is inside the margin (active) where it is > 0."""
    part: tuple[float, ...]
    """−t·x where active, else 0."""

    @property
    def active(self) -> bool:
        return self.margin > 0


@dataclass(frozen=True)
class ClassRow:
    """One training row under softmax or the multi-class svm."""

    index: int
    x: tuple[float, ...]
    y: int
    """Its class."""
    scores: tuple[float, ...]
    """s_k = W_k·x, one per class."""
    probabilities: tuple[float, ...] | None
    """softmax: P_k = e^(s_k) / Σ_j e^(s_j); None for svm."""
    margins: tuple[float, ...] | None
    """svm: s_j − s_y + 1 for every class j (0 at the label's own, which is not a margin); None for softmax."""
    coefficients: tuple[float, ...]
    """R: P − Y (softmax) or C (svm: 1 per active margin, minus their count at the label)."""
    part: tuple[tuple[float, ...], ...]
    """R ⊗ x: K rows of d."""

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.scores))

    @property
    def active(self) -> tuple[bool, ...] | None:
        """svm: is each class's margin active (> 0; never the label's own, which is 0); None for softmax."""
        return None if self.margins is None else tuple(m > 0 for m in self.margins)


def hinge_rows(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    z = X @ w
    t = 2.0 * y - 1.0
    margin = 1.0 - t * z
    return {"z": z, "t": t, "margin": margin, "R": np.where(margin > 0, -t, 0.0)}


def class_rows(loss: str, X: np.ndarray, y: np.ndarray, W: np.ndarray) -> dict[str, np.ndarray]:
    S = X @ W.T
    labels = y.astype(np.int64)
    rows = np.arange(len(labels))
    out = {"S": S, "labels": labels}
    if loss == "softmax":
        e = np.exp(S - S.max(axis=1, keepdims=True))  # (the same P: the shift cancels, exp never overflows)
        P = e / e.sum(axis=1, keepdims=True)
        R = P.copy()
        R[rows, labels] -= 1.0
        out.update(P=P, R=R)
    else:
        margins = S - S[rows, labels][:, None] + 1.0
        margins[rows, labels] = 0.0
        C = (margins > 0).astype(np.float64)
        C[rows, labels] = -C.sum(axis=1)
        out.update(margins=margins, R=C)
    return out


def model_rows(loss: str, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """The rows' values under `loss` (hinge, softmax or svm), R among them: (n,) or (n, K)."""
    w = np.asarray(w, dtype=np.float64)
    return hinge_rows(X, y, w) if loss == "hinge" else class_rows(loss, X, y, w)


def batch_sum(R: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Σ_i R_i ⊗ x_i: (d,) for one score, (K, d) for K."""
    return R @ X if R.ndim == 1 else R.T @ X


def lengths(R: np.ndarray, X: np.ndarray) -> np.ndarray:
    """|R_i ⊗ x_i|² of every row."""
    r2 = R * R if R.ndim == 1 else np.einsum("ik,ik->i", R, R)
    return r2 * np.einsum("ij,ij->i", X, X)


def loss_value(loss: str, rows: dict[str, np.ndarray]) -> float:
    """The printed loss summed over the rows: Σ max(0, 1 − t·z), Σ log Σ_j e^(s_j) − s_y, or
    Σ_i Σ_(j≠y) max(0, s_j − s_y + 1)."""
    if loss == "hinge":
        return float(np.sum(np.maximum(rows["margin"], 0.0)))
    if loss == "svm":
        return float(np.sum(np.maximum(rows["margins"], 0.0)))
    S = rows["S"]
    return float(np.sum(np.logaddexp.reduce(S, axis=1) - S[np.arange(len(S)), rows["labels"]]))


def pushes_of(loss: str, rows: dict[str, np.ndarray]) -> Pushes | ClassPushes:
    R = rows["R"]
    if loss == "hinge":
        idle = R == 0
        return Pushes(int(np.count_nonzero(R > 0)), int(np.count_nonzero(R < 0)), int(np.count_nonzero(idle)))
    wrong = int(np.count_nonzero(np.argmax(rows["S"], axis=1) != rows["labels"]))
    if loss == "svm":
        active = int(np.count_nonzero(rows["margins"] > 0))
        idle = int(np.count_nonzero(np.all(R == 0, axis=1)))
    else:
        active = 0
        size = np.abs(R).max(axis=1)
        idle = int(np.count_nonzero(size <= IDLE * (size.max() if size.size else 0.0)))
    return ClassPushes(len(R) - idle, idle, wrong, active)


def model_row(loss: str, X: np.ndarray, y: np.ndarray, rows: dict[str, np.ndarray], k: int) -> HingeRow | ClassRow:
    """Row `k` of X made concrete from `model_rows`' values."""
    x = X[k]
    R = rows["R"][k]
    if loss == "hinge":
        return HingeRow(int(k), tuple(x.tolist()), float(y[k]), float(rows["t"][k]), float(rows["z"][k]),
                        float(rows["margin"][k]), tuple((R * x).tolist()))
    P, margins = rows.get("P"), rows.get("margins")
    return ClassRow(int(k), tuple(x.tolist()), int(y[k]), tuple(rows["S"][k].tolist()),
                    None if P is None else tuple(P[k].tolist()),
                    None if margins is None else tuple(margins[k].tolist()), tuple(R.tolist()),
                    tuple(tuple(row) for row in np.outer(R, x).tolist()))


@dataclass(frozen=True)
class PenaltyPart:
    """The penalty's part of g at the weights before the update (never on the bias column)."""

    kind: str
    """'l1' or 'l2'."""
    lam: float
    value: float
    """λ/2·Σw² or λ·Σ|w| over the non-bias weights."""
    part: tuple
    """λ·w or λ·sign(w) on the non-bias weights, 0 in the bias column; the weights' shape."""


def penalty_part(kind: str, lam: float, w: np.ndarray) -> PenaltyPart | None:
    if kind == "none":
        return None
    part = penalties.gradient(kind, lam, np.asarray(w, dtype=np.float64))
    return PenaltyPart(kind, float(lam), penalties.value(kind, lam, w), plain(part))


