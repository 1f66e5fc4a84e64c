"""The losses beyond the lesson's sigmoid unit: the binary hinge, and two losses of K class scores.

`hinge`    one score z = X @ w per row, labels t = 2y - 1 in {-1, +1}:
           loss = sum(max(0, 1 - t z)); subgradient -X^T(t * [1 - t z > 0]) (0 on the hinge itself).
`softmax`  scores S = X @ W^T (n, K), one weight row per class; P = softmax(S) row by row:
           loss = sum_i (log sum_j exp(S_ij) - S_i,y_i), the summed cross-entropy;
           gradient (P - Y)^T X (K, d), Y the one-hot labels.
`svm`      the multi-class hinge with margin 1 (cs231n's form; torch's MultiMarginLoss divides by K):
           loss = sum_i sum_{j != y_i} max(0, S_ij - S_i,y_i + 1); subgradient C^T X, where
           C_ij = [margin_ij > 0] for j != y_i and C_i,y_i = -(the number of those).

Each loss has the interface of `gdtui.engine.losses.Loss` (`evaluate`, `kernel` on negated weights
for the fused loop, `value`), so the trainer, the fused loop and every update rule use it
unchanged. These are plain NumPy formulas (they allocate): only the lesson's model is tuned for speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .losses import LOSSES, Workspace


def hinge(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, np.ndarray, int]:
    """(loss, subgradient (d,), rows right) of the binary hinge at weights w (d,)."""
    z = X @ w
    t = 2.0 * y - 1.0
    margin = 1.0 - t * z
    active = margin > 0
    loss = float(np.sum(np.where(active, margin, 0.0)))
    direction = -((t * active) @ X)
    right = int(np.count_nonzero((z > 0) == (y > 0.5)))
    return loss, direction, right


def scores(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """(n, K) class scores of rows X (n, d) under weights W (K, d)."""
    return X @ W.T


def softmax(X: np.ndarray, y: np.ndarray, W: np.ndarray) -> tuple[float, np.ndarray, int]:
    """(loss, gradient (K, d), rows right) of the summed cross-entropy at weights W (K, d)."""
    S = scores(X, W)
    classes = y.astype(np.int64)
    rows = np.arange(len(y))
    top = S.max(axis=1, keepdims=True)
    shifted = S - top  # (the largest score becomes 0: exp never overflows)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = float(np.sum(np.log(total[:, 0]) - shifted[rows, classes]))
    P = e / total
    P[rows, classes] -= 1.0
    right = int(np.count_nonzero(np.argmax(S, axis=1) == classes))
    return loss, P.T @ X, right


def svm(X: np.ndarray, y: np.ndarray, W: np.ndarray) -> tuple[float, np.ndarray, int]:
    """(loss, subgradient (K, d), rows right) of the multi-class hinge at weights W (K, d)."""
    S = scores(X, W)
    classes = y.astype(np.int64)
    rows = np.arange(len(y))
    margins = S - S[rows, classes][:, None] + 1.0
    margins[rows, classes] = 0.0
    active = margins > 0
    loss = float(np.sum(np.where(active, margins, 0.0)))
    C = active.astype(np.float64)
    C[rows, classes] = -C.sum(axis=1)
    right = int(np.count_nonzero(np.argmax(S, axis=1) == classes))
    return loss, C.T @ X, right


@dataclass(frozen=True)
class ScoreLoss:
    """A loss of `gdtui.engine.multiclass`, with the interface of `gdtui.engine.losses.Loss`."""

    name: str
    formula: str
    direction_formula: str
    gradient_factor: float
    """d(printed loss)/dw = gradient_factor * direction (1: the direction is the (sub)gradient)."""

    @property
    def function(self):
        return {"hinge": hinge, "softmax": softmax, "svm": svm}[self.name]

    def evaluate(self, X: np.ndarray, y: np.ndarray, w: np.ndarray, work: Workspace) -> tuple[float, np.ndarray]:
        """Loss at `w` and the update direction; the rows classified right go into `work.correct`."""
        loss, direction, work.correct = self.function(X, y, np.asarray(w, dtype=np.float64))
        return loss, direction

    def kernel(self, X: np.ndarray, y: np.ndarray, negated_w: np.ndarray, work: Workspace,
               direction: np.ndarray, count: bool = False):
        """As `Loss.kernel`: the loss at weights -`negated_w`, the direction written into `direction`."""
        loss, direction[...], right = self.function(X, y, -negated_w)
        if count:
            work.correct = right
        return loss

    def value(self, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
        """The printed loss at `w`."""
        return self.function(X, y, np.asarray(w, dtype=np.float64))[0]


def loss_named(name: str):
    """The loss called `name`: the lesson's (`gdtui.engine.losses.LOSSES`) or one of `SCORE_LOSSES`."""
    return LOSSES[name] if name in LOSSES else SCORE_LOSSES[name]


SCORE_LOSSES: dict[str, ScoreLoss] = {
    "hinge": ScoreLoss("hinge", "sum(max(0, 1 - t z)), t = 2y - 1", "-X^T(t [1 - t z > 0])", 1.0),
    "softmax": ScoreLoss("softmax", "sum(log sum_j e^(s_j) - s_y)", "(P - Y)^T X", 1.0),
    "svm": ScoreLoss("svm", "sum_i sum_(j != y) max(0, s_j - s_y + 1)", "C^T X (C: active margins)", 1.0),
}
