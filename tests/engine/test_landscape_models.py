"""The landscape of every model: the objective at a cell is the loss (plus the penalty the rule
descends) at the weights built by hand from the cell's two values and the held ones, row by row."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer, landscape
from gdtui.engine.landscape import Window

WINDOW = Window(-2.0, 1.5, -1.0, 2.5, 7, 5)
CELLS = [(0, 0), (6, 4), (3, 2), (5, 1)]
"""(col, row) of the cells checked by hand."""


def trained(**options):
    t = create_trainer(TrainConfig(seed=3, samples=300, alpha=0.001, **options))
    t.run(4)
    return t


def by_hand(sl: landscape.Slice, col: int, row: int) -> np.ndarray:
    """The weights of a cell, in their shape: the held ones, the two of the pair from the cell's centre."""
    x = WINDOW.x_min + (col + 0.5) * (WINDOW.x_max - WINDOW.x_min) / WINDOW.width
    y = WINDOW.y_max - (row + 0.5) * (WINDOW.y_max - WINDOW.y_min) / WINDOW.height
    flat = np.array(sl.held, dtype=float)
    flat[sl.axes[0]], flat[sl.axes[1]] = x, y
    return flat.reshape(sl.shape)


def hinge(X, y, w):
    t = 2 * y - 1
    return sum(max(0.0, 1.0 - ti * zi) for ti, zi in zip(t, X @ w))


def softmax(X, y, W):
    total = 0.0
    for x, label in zip(X, y.astype(int)):
        s = W @ x
        total += np.log(np.sum(np.exp(s))) - s[label]
    return total


def svm(X, y, W):
    total = 0.0
    for x, label in zip(X, y.astype(int)):
        s = W @ x
        total += sum(max(0.0, s[j] - s[label] + 1.0) for j in range(len(s)) if j != label)
    return total


def bce(X, y, w):
    z = X @ w
    return float(np.sum(np.logaddexp(0.0, z) - y * z))


def sse(X, y, w):
    p = 1 / (1 + np.exp(-(X @ w)))
    return float(np.sum((p - y) ** 2))


def l2(lam, W):
    return lam / 2 * float(np.sum(np.asarray(W)[..., 1:] ** 2))


def l1(lam, W):
    return lam * float(np.sum(np.abs(np.asarray(W)[..., 1:])))


CASES = [
    ("hinge", dict(loss="hinge"), (0, 2), lambda X, y, W: hinge(X, y, W)),
    ("softmax", dict(loss="softmax", classes=3), (1, 5), softmax),  # w0.1 and w1.2
    ("softmax across rows", dict(loss="softmax", classes=4), (3, 10), softmax),  # w1.0 and w3.1
    ("svm", dict(loss="svm", classes=3, features=("x1", "x2", "x1x2")), (6, 9), svm),  # w1.2 and w2.1
    ("bce + features", dict(loss="bce", dataset="circles", features=("x1", "x2", "x1^2", "x2^2")), (3, 4), bce),
    ("softmax + l2", dict(loss="softmax", classes=3, penalty="l2", lam=0.7), (1, 4),
     lambda X, y, W: softmax(X, y, W) + l2(0.7, W)),
    ("bce + l1", dict(loss="bce", penalty="l1", lam=0.3, standardize=True), (0, 1),
     lambda X, y, W: bce(X, y, W) + l1(0.3, W)),
    # sse's direction is the gradient of ½·SSE + penalty: the surface it descends is SSE + 2·penalty
    ("sse + l2", dict(loss="sse", penalty="l2", lam=0.5), (1, 2), lambda X, y, W: sse(X, y, W) + 2 * l2(0.5, W)),
]


@pytest.mark.parametrize("name, options, axes, reference", CASES, ids=[c[0] for c in CASES])
def test_every_cell_holds_the_objective_at_its_weights(name, options, axes, reference):
    t = trained(**options)
    X, y, cfg = t.data.X_train, t.data.y_train, t.config
    sl = landscape.Slice(axes, tuple(t.weights.ravel().tolist()), WINDOW, cfg.weight_shape)
    surface = landscape.compute(t.loss, X, y, sl, cfg.penalty, cfg.lam)
    assert surface.values.shape == (WINDOW.height, WINDOW.width)
    for col, row in CELLS:
        W = by_hand(sl, col, row)
        assert surface.values[row, col] == pytest.approx(reference(X, y, W), rel=1e-9)
        np.testing.assert_array_equal(sl.weights_at(col, row), W)  # what a click on the cell starts from
    # the ◉ value: the objective at the current weights, in their shape
    here = landscape.loss_at(t.loss, X, y, t.weights, cfg.penalty, cfg.lam)
    assert here == pytest.approx(reference(X, y, t.weights), rel=1e-9)


def test_the_held_weights_are_the_current_ones_and_only_two_vary():
    t = trained(loss="softmax", classes=3)
    sl = landscape.Slice((1, 5), tuple(t.weights.ravel().tolist()), WINDOW, (3, 3))
    W = sl.weights_at(2, 3)
    assert W.shape == (3, 3)
    changed = np.argwhere(W != t.weights)
    assert {tuple(i) for i in changed} <= {(0, 1), (1, 2)}
    assert sl.held_axes == (0, 2, 3, 4, 6, 7, 8)


@pytest.mark.parametrize("options", [dict(loss="softmax", classes=5), dict(loss="svm", classes=3),
                                     dict(loss="hinge")])
def test_chunking_does_not_change_the_score_losses(options, monkeypatch):
    t = trained(**options)
    X, y = t.data.X_train, t.data.y_train
    grid = np.random.default_rng(0).normal(size=(30, t.config.weight_count))
    whole = landscape.losses_at(t.loss, X, y, grid)
    monkeypatch.setattr(landscape, "SCORE_CHUNK", 30 * 5 * 7)  # 7 rows (or more) at a time
    np.testing.assert_allclose(landscape.losses_at(t.loss, X, y, grid), whole, rtol=1e-12)


def test_an_estimate_scales_the_data_loss_but_not_the_penalty():
    t = trained(loss="softmax", classes=3, penalty="l2", lam=2.0)
    X, y = t.data.X_train, t.data.y_train
    sl = landscape.Slice((1, 2), tuple(t.weights.ravel().tolist()), WINDOW, (3, 3))
    estimate = landscape.compute(t.loss, X, y, sl, "l2", 2.0, every=4)
    for col, row in CELLS:
        W = by_hand(sl, col, row)
        expected = softmax(X[::4], y[::4], W) * len(y) / len(y[::4]) + l2(2.0, W)
        assert estimate.values[row, col] == pytest.approx(expected, rel=1e-9)


def test_the_lessons_surface_is_the_summed_loss_of_its_logits_to_the_bit():
    """The lesson's model keeps its one vectorised pass (its screens must not change by a bit)."""
    t = trained()
    X, y = t.data.X_train, t.data.y_train
    sl = landscape.Slice((1, 2), tuple(t.weights.tolist()), WINDOW, (3,))
    a, b = np.meshgrid(*WINDOW.centres())
    W = sl.weights(a.ravel(), b.ravel())
    expected = t.loss.summed(X @ W.T, y).reshape(WINDOW.height, WINDOW.width)
    np.testing.assert_array_equal(landscape.compute(t.loss, X, y, sl).values, expected)


@pytest.mark.parametrize("shape, pair", [((3,), (1, 2)), ((5,), (1, 2)), ((3, 3), (1, 2)), ((6, 8), (1, 2)),
                                         ((2,), (0, 1)), ((3, 2), (1, 3))])
def test_the_default_pair_is_the_first_two_weights_that_are_not_a_bias(shape, pair):
    assert landscape.default_pair(shape) == pair


def test_follow_takes_the_path_in_the_weights_shape():
    t = trained(loss="svm", classes=3)
    path = t.history.weights  # (5, 3, 3)
    sl = landscape.follow(None, path, (1, 5), 30, 15)
    flat = path.reshape(len(path), -1)
    assert sl.shape == (3, 3) and sl.held == tuple(flat[-1].tolist())
    assert sl.window.holds(flat[:, [1, 5]])
    assert landscape.follow(sl, path, (1, 5), 30, 15) is sl
    assert landscape.follow(sl, path, (1, 4), 30, 15).axes == (1, 4)
    moved = path.copy()
    moved[-1, 2, 0] += 5.0  # a held weight (w2.0) moved far
    assert landscape.follow(sl, moved, (1, 5), 30, 15) is not sl


@pytest.mark.parametrize("options, label, factor", [
    (dict(), "sse", 0.0),
    (dict(loss="bce", penalty="l1", lam=0.3), "bce + l1", 1.0),
    (dict(loss="hinge", penalty="l2", lam=0.3), "hinge + l2", 1.0),
    (dict(loss="softmax", classes=3, penalty="l2", lam=0.7), "softmax + l2", 1.0),
    (dict(loss="svm", classes=3, penalty="l1", lam=0.1), "svm + l1", 1.0),
    # sse's direction is the gradient of ½·SSE + penalty: the surface it descends is SSE + 2·penalty
    (dict(loss="sse", penalty="l2", lam=0.5), "sse + 2·l2", 2.0),
])
def test_the_objective_is_named_with_the_factor_on_its_penalty(options, label, factor):
    t = create_trainer(TrainConfig(seed=0, **options))
    assert landscape.objective_label(t.loss, t.config.penalty) == label
    assert landscape.penalty_factor(t.loss, t.config.penalty) == factor
