"""What a model predicts over the plane of the data: the class of any point, of every cell of a
window, and the cells its class edges cross (the pictures draw these).

A point is mapped as the training rows were (`gdtui.engine.features`: the feature columns, then
the training split's standardization), and classified as `predict.predict` does: z > 0 is class 1
for one weight row, the largest score for K rows (the lowest class on a tie).

A cell is on the boundary when the classes predicted at its four corners are not all the same:
with K classes these are the edges between any two classes, with feature maps a curve (a closed
one, such as a circle, when the model draws one). A class region thinner than a cell can slip
between corners unseen. The lesson's straight line keeps its own exact test (`gdtui.ui.raster`).
"""

from __future__ import annotations

import numpy as np

from . import features as feature_maps
from .data import Dataset
from .landscape import Window
from .predict import predict


def design(data: Dataset, points: np.ndarray) -> np.ndarray:
    """(N, 2) points in the data's own coordinates -> (N, d) rows as the model reads them."""
    X = feature_maps.columns(np.asarray(points, dtype=np.float64), data.features)
    return X if data.scaling is None else feature_maps.scaled(X, data.scaling)


def classes_at(data: Dataset, weights, points: np.ndarray) -> np.ndarray:
    """(N,) int64 class predicted for each of the (N, 2) points under `weights` (d,) or (K, d)."""
    return predict(design(data, points), np.asarray(weights, dtype=np.float64))


def is_line(data: Dataset, weights) -> bool:
    """Is the model the lesson's line, one row (w0, w1, w2) over the points' own (x1, x2)?"""
    return np.ndim(weights) == 1 and tuple(data.features) == feature_maps.LESSON and data.scaling is None


def _classes_on(data: Dataset, weights, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """(len(ys), len(xs)) classes at every (x, y) of the grid xs x ys, row by row."""
    points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    return classes_at(data, weights, points).reshape(len(ys), len(xs))


def cell_classes(data: Dataset, weights, window: Window) -> np.ndarray:
    """(height, width) class predicted at each cell's centre (row 0 at the top)."""
    return _classes_on(data, weights, *window.centres())


def corner_classes(data: Dataset, weights, window: Window) -> np.ndarray:
    """(height + 1, width + 1) class predicted at the cells' corners (row 0 the top edge)."""
    xs = np.linspace(window.x_min, window.x_max, window.width + 1)
    ys = np.linspace(window.y_max, window.y_min, window.height + 1)
    return _classes_on(data, weights, xs, ys)


def edge_cells(data: Dataset, weights, window: Window) -> np.ndarray:
    """(height, width) True where the classes at the cell's corners differ: a class edge crosses it."""
    c = corner_classes(data, weights, window)
    corners = np.stack([c[:-1, :-1], c[:-1, 1:], c[1:, :-1], c[1:, 1:]])
    return corners.min(axis=0) != corners.max(axis=0)
