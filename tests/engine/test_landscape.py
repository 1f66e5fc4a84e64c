"""The loss landscape: grid values are the loss at those weights, bands order them, windows follow."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer, landscape
from gdtui.engine.losses import LOSSES
from gdtui.engine.landscape import Window

LESSON_PAIRS = ((1, 2), (0, 1), (0, 2))
"""Every pair of the lesson's three weights."""


@pytest.fixture(scope="module")
def trainer():
    t = create_trainer(TrainConfig(seed=2))
    t.run(15)
    return t


def reference_loss(name, X, y, w):
    z = X @ w
    p = 1 / (1 + np.exp(-z))
    if name == "sse":
        return np.sum((p - y) ** 2)
    return np.sum(np.logaddexp(0, z) - y * z)  # -y log p - (1-y) log(1-p), without log(1 - p) rounding


@pytest.mark.parametrize("name", ["sse", "bce"])
@pytest.mark.parametrize("axes", LESSON_PAIRS)
def test_every_cell_holds_the_loss_at_its_centre(trainer, name, axes):
    X, y = trainer.data.X_train, trainer.data.y_train
    w = trainer.weights
    held = w[3 - sum(axes)]
    sl = landscape.Slice(axes, tuple(w.tolist()), Window(-3.0, 1.0, -2.0, 2.0, 7, 5))
    surface = landscape.compute(LOSSES[name], X, y, sl)
    assert surface.values.shape == (5, 7)
    xs = -3.0 + (np.arange(7) + 0.5) * 4 / 7
    ys = 2.0 - (np.arange(5) + 0.5) * 4 / 5
    for r, c in [(0, 0), (4, 6), (2, 3), (1, 5)]:
        weights = np.empty(3)
        weights[3 - sum(axes)] = held
        weights[axes[0]], weights[axes[1]] = xs[c], ys[r]
        assert surface.values[r, c] == pytest.approx(reference_loss(name, X, y, weights), rel=1e-9)


def test_the_value_at_the_current_point_is_the_current_loss(trainer):
    X, y = trainer.data.X_train, trainer.data.y_train
    w = trainer.weights
    value = landscape.loss_at(LOSSES["sse"], X, y, w)
    assert value == pytest.approx(reference_loss("sse", X, y, w), rel=1e-12)
    assert value == landscape.losses_at(LOSSES["sse"], X, y, w[None, :])[0]


def test_chunking_does_not_change_the_values(trainer, monkeypatch):
    X, y = trainer.data.X_train, trainer.data.y_train
    grid = np.random.default_rng(0).normal(size=(40, 3))
    whole = landscape.losses_at(LOSSES["bce"], X, y, grid)
    monkeypatch.setattr(landscape, "CHUNK_CELLS", 40 * 7)  # 7 rows at a time
    np.testing.assert_allclose(landscape.losses_at(LOSSES["bce"], X, y, grid), whole, rtol=1e-12)


def test_bands_are_ordered_like_the_values():
    values = np.array([[1.0, 10.0, 100.0], [1000.0, 10_000.0, 1e5]])
    sl = landscape.Slice((1, 2), (0.0, 0.0, 0.0), Window(0, 1, 0, 1, 3, 2))
    bands = landscape.Surface(sl, values).bands(levels=5)
    assert bands.min() == 0 and bands.max() == 4
    assert np.all(np.diff(bands.ravel()) >= 0)


def test_flat_surface_has_one_band():
    sl = landscape.Slice((1, 2), (0.0, 0.0, 0.0), Window(0, 1, 0, 1, 2, 2))
    assert not landscape.Surface(sl, np.full((2, 2), 3.0)).bands().any()


def test_window_holds_the_trajectory_with_room(trainer):
    path = trainer.history.weights
    frame = landscape.window(path, (1, 2), 40, 20)
    assert frame.x_min < path[:, 1].min() and path[:, 1].max() < frame.x_max
    assert frame.y_min < path[:, 2].min() and path[:, 2].max() < frame.y_max
    single = landscape.window(path[:1], (1, 2), 40, 20)
    assert single.x_max - single.x_min >= 0.5  # a lone starting point still gets a window


def test_slice_puts_the_weights_in_their_places():
    sl = landscape.Slice((0, 2), (5.0, 7.0, 9.0), Window(0, 1, 0, 1, 1, 1))
    np.testing.assert_array_equal(sl.weights(np.array([1.0]), np.array([2.0])), [[1.0, 7.0, 2.0]])
    assert sl.held_axes == (1,)


def test_window_edges_are_round_steps(trainer):
    """Edges on multiples of 1, 2 or 5 times a power of ten: they read well, and the path's
    extreme points do not fall on cell edges by construction."""
    path = trainer.history.weights
    frame = landscape.window(path, (1, 2), 36, 20)
    for low, high in ((frame.x_min, frame.x_max), (frame.y_min, frame.y_max)):
        step = next(s for s in (m * 10.0 ** k for k in range(-3, 3) for m in (1, 2, 5))
                    if abs(low / s - round(low / s)) < 1e-9 and abs(high / s - round(high / s)) < 1e-9
                    and 5 <= (high - low) / s <= 20)
        assert step > 0


def test_follow_keeps_the_window_while_the_path_fits_and_moves_it_when_it_leaves(trainer):
    path = trainer.history.weights
    first = landscape.follow(None, path[:5], (1, 2), 30, 15)
    assert first.window.holds(path[:5, 1:]) and first.held == tuple(path[4].tolist())
    assert landscape.follow(first, path[:6], (1, 2), 30, 15) is first  # still inside, w0 barely moved
    assert landscape.follow(first, path[:5], (0, 1), 30, 15).axes == (0, 1)  # another pair: new slice
    assert landscape.follow(first, path[:5], (1, 2), 31, 15) is not first  # another size
    far = np.vstack([path[:5], path[4] + [0.0, 100.0, 0.0]])
    moved = landscape.follow(first, far, (1, 2), 30, 15)
    assert moved is not first and moved.window.holds(far[:, 1:])
    shifted = np.vstack([path[:5], path[4] + [1.0, 0.0, 0.0]])  # the held weight w0 moved a lot
    assert landscape.follow(first, shifted, (1, 2), 30, 15) is not first


@pytest.mark.parametrize("axes", LESSON_PAIRS)
def test_a_cell_maps_to_the_weights_whose_loss_it_shows(trainer, axes):
    X, y = trainer.data.X_train, trainer.data.y_train
    sl = landscape.Slice(axes, tuple(trainer.weights.tolist()), Window(-2.5, 0.5, -1.0, 3.0, 9, 6))
    surface = landscape.compute(LOSSES["sse"], X, y, sl)
    xs, ys = sl.window.centres()
    for row in range(6):
        for col in range(9):
            w = sl.weights_at(col, row)
            assert (w[axes[0]], w[axes[1]]) == (xs[col], ys[row])  # the very centres the surface used
            assert [w[k] for k in sl.held_axes] == [trainer.weights[k] for k in sl.held_axes]
            assert surface.values[row, col] == pytest.approx(reference_loss("sse", X, y, w), rel=1e-9)


def test_cells_outside_the_window_have_no_weights():
    sl = landscape.Slice((1, 2), (0.5, 1.0, 2.0), Window(0.0, 1.0, 0.0, 1.0, 4, 3))
    assert sl.weights_at(0, 0) is not None and sl.weights_at(3, 2) is not None
    assert [sl.weights_at(c, r) for c, r in [(-1, 0), (4, 0), (0, -1), (0, 3)]] == [None] * 4
    np.testing.assert_allclose(sl.weights_at(0, 0), (0.5, 0.125, 5 / 6), rtol=1e-12)  # row 0 is the top
    np.testing.assert_allclose(sl.weights_at(3, 2), (0.5, 0.875, 1 / 6), rtol=1e-12)
