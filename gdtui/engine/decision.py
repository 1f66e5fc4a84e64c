"""What a model predicts over the plane of the data: the class of any point, of every cell of a
window, and the cells its class edges cross (the pictures draw these).

A point is mapped as the training rows were (`gdtui.engine.features`: the feature columns, then
the training split's standardization), and classified as `predict.predict` does: z > 0 is class 1
for one weight row, the largest score for K rows (the lowest class on a tie).

A cell is on the boundary when the classes predicted at its four corners are not all the same:
with K classes these are the edges between any two classes, with feature maps a curve (a closed
one, such as a circle, when the model draws one). A class region thinner than a cell can slip
between corners unseen. The lesson's straight line w0 + w1·x + w2·y = 0 keeps its own exact test:
a cell is on it when the plane's sign differs between the corners, the line touching a corner
included.
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


def _corners(window: Window) -> tuple[np.ndarray, np.ndarray]:
    """x of each column edge (width + 1,) and y of each row edge (height + 1,), the top edge first."""
    return (np.linspace(window.x_min, window.x_max, window.width + 1),
            np.linspace(window.y_max, window.y_min, window.height + 1))


def plane_at_corners(w, window: Window) -> np.ndarray:
    """(height + 1, width + 1) values of the line's w0 + w1·x + w2·y at the cells' corners."""
    xs, ys = _corners(window)
    return w[0] + w[1] * xs[None, :] + w[2] * ys[:, None]


def boundary_cells(w, window: Window) -> np.ndarray:
    """(height, width) True where the line w0 + w1·x + w2·y = 0 crosses the cell.

    A cell is crossed when the plane's sign differs between its corners, which covers steep,
    flat and vertical (w2 = 0) lines alike; with w1 = w2 = 0 there is no line.
    """
    if w[1] == 0 and w[2] == 0:
        return np.zeros((window.height, window.width), dtype=bool)
    with np.errstate(all="ignore"):
        f = plane_at_corners(w, window)
    corners = np.stack([f[:-1, :-1], f[:-1, 1:], f[1:, :-1], f[1:, 1:]])
    return (corners.min(axis=0) <= 0) & (corners.max(axis=0) >= 0)


def predicted_region(w, window: Window) -> np.ndarray:
    """(height, width) True where the line's plane is positive at the cell's centre (class 1)."""
    xs, ys = window.centres()
    with np.errstate(all="ignore"):
        return (w[0] + w[1] * xs[None, :] + w[2] * ys[:, None]) > 0


def _classes_on(data: Dataset, weights, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """(len(ys), len(xs)) classes at every (x, y) of the grid xs x ys, row by row."""
    points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    return classes_at(data, weights, points).reshape(len(ys), len(xs))


def cell_classes(data: Dataset, weights, window: Window) -> np.ndarray:
    """(height, width) class predicted at each cell's centre (row 0 at the top); the lesson's line
    by `predicted_region`."""
    if is_line(data, weights):
        return predicted_region(weights, window).astype(np.int64)
    return _classes_on(data, weights, *window.centres())


def corner_classes(data: Dataset, weights, window: Window) -> np.ndarray:
    """(height + 1, width + 1) class predicted at the cells' corners (row 0 the top edge)."""
    return _classes_on(data, weights, *_corners(window))


def edge_cells(data: Dataset, weights, window: Window) -> np.ndarray:
    """(height, width) True where the classes at the cell's corners differ: a class edge crosses it;
    for the lesson's line, where `boundary_cells` says the line crosses."""
    if is_line(data, weights):
        return boundary_cells(weights, window)
    c = corner_classes(data, weights, window)
    corners = np.stack([c[:-1, :-1], c[:-1, 1:], c[1:, :-1], c[1:, 1:]])
    return corners.min(axis=0) != corners.max(axis=0)
