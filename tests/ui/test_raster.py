"""The drawing geometry: binning, series reduction (and the boundary's equation in words)."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui import describe
from gdtui.ui import raster

FRAME = raster.Frame(x_min=0.0, x_max=10.0, y_min=0.0, y_max=5.0, width=10, height=5)


def test_cells_put_row_zero_at_the_top():
    points = np.array([[0.5, 4.5], [9.5, 0.5], [5.0, 2.5]])
    # (0.5, 4.5): top-left; (9.5, 0.5): bottom-right; (5, 2.5): row 2, column 5
    assert FRAME.cells(points).tolist() == [0, 4 * 10 + 9, 2 * 10 + 5]


def test_class_counts_match_a_loop():
    rng = np.random.default_rng(3)
    points = rng.uniform([0, 0], [10, 5], size=(400, 2))
    labels = (rng.random(400) > 0.4).astype(float)
    counts = raster.class_counts(points, labels, FRAME)
    expected = np.zeros((2, 5, 10), dtype=int)
    for (x, y), label in zip(points, labels):
        expected[int(label), min(int((5 - y)), 4), min(int(x), 9)] += 1
    np.testing.assert_array_equal(counts, expected)
    assert counts.sum() == 400


@pytest.mark.parametrize("w, text", [
    ((1.0, 2.0, 4.0), "y = (-1 - 2·x) / 4"),
    ((1.0, -2.0, 4.0), "y = (-1 + 2·x) / 4"),
    ((1.0, 2.0, 0.0), "x = -0.5  (vertical: w2 = 0)"),
    ((1.0, 0.0, 0.0), "no boundary (w1 = w2 = 0)"),
])
def test_boundary_equation(w, text):
    assert describe.boundary_equation(w) == text


def test_reduce_series_keeps_short_series_whole():
    values = np.array([5.0, 3.0, 4.0])
    xs, ys = raster.reduce_series(values, 10)
    assert xs.tolist() == [1.0, 2.0, 3.0] and ys.tolist() == [5.0, 3.0, 4.0]


def test_reduce_series_keeps_each_buckets_extremes_and_the_last_value():
    rng = np.random.default_rng(0)
    values = rng.random(10_000)
    xs, ys = raster.reduce_series(values, 50)
    assert len(ys) == 100
    buckets = np.array_split(values, 50)
    assert ys[0] == buckets[0].max() and ys[1] == buckets[0].min()
    assert ys[-2] == buckets[-1].max()
    assert ys[-1] == values[-1] and xs[-1] == 10_000
    assert ys.max() == values.max()
