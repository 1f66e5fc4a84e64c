"""What a model predicts over the plane: the class of points and cells and the class edges, checked
against a plain-Python transcription (every feature computed by hand, loops over the cells)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer, decision
from gdtui.engine.landscape import Window

BY_HAND = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin1": lambda x1, x2: math.sin(x1),
    "sin2": lambda x1, x2: math.sin(x2),
}


def statistics(points, features):
    """(mean, divisor) of each feature over the training points: population std, 1 where it is 0."""
    out = []
    for name in features:
        values = [BY_HAND[name](x1, x2) for x1, x2 in points]
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        out.append((mean, std if std > 0 else 1.0))
    return out


def row(x1, x2, features, stats):
    values = [BY_HAND[name](x1, x2) for name in features]
    if stats is not None:
        values = [(v - mean) / std for v, (mean, std) in zip(values, stats)]
    return [1.0, *values]


def classify(weights, r):
    """z > 0 -> 1 for one row of weights; for K rows the class of the largest score, the first on a tie."""
    if not isinstance(weights[0], (list, tuple)):
        return 1 if sum(w * v for w, v in zip(weights, r)) > 0 else 0
    scores = [sum(w * v for w, v in zip(wk, r)) for wk in weights]
    return scores.index(max(scores))


def classes_by_hand(weights, features, stats, xs, ys):
    return [[classify(weights, row(x, y, features, stats)) for x in xs] for y in ys]


def centres(window):
    dx, dy = window.x_max - window.x_min, window.y_max - window.y_min
    return ([window.x_min + (c + 0.5) * dx / window.width for c in range(window.width)],
            [window.y_max - (r + 0.5) * dy / window.height for r in range(window.height)])


def edges_by_hand(weights, features, stats, window):
    dx, dy = window.x_max - window.x_min, window.y_max - window.y_min
    xs = [window.x_min + c * dx / window.width for c in range(window.width + 1)]
    ys = [window.y_max - r * dy / window.height for r in range(window.height + 1)]
    corner = classes_by_hand(weights, features, stats, xs, ys)
    return [[len({corner[r][c], corner[r][c + 1], corner[r + 1][c], corner[r + 1][c + 1]}) > 1
             for c in range(window.width)] for r in range(window.height)]


def plain(weights):
    """The weights as Python floats: a list, or a list of K lists."""
    return np.asarray(weights).tolist()


def trained(**options):
    trainer = create_trainer(TrainConfig(seed=0, **options))
    trainer.run()
    return trainer


CIRCLE_FEATURES = ("x1", "x2", "x1^2", "x2^2")
CIRCLES = Window(-1.5, 1.5, -1.5, 1.5, 40, 20)
BLOBS = Window(-16.0, 4.0, -15.0, 15.0, 36, 18)


@pytest.fixture(scope="module")
def circles():
    return trained(dataset="circles", features=CIRCLE_FEATURES, loss="bce", alpha=0.05, epochs=300)


@pytest.fixture(scope="module")
def blobs():
    return trained(dataset="blobs", classes=3, loss="softmax", alpha=0.001, epochs=200)


CASES = {
    "circles bce": (dict(dataset="circles", features=CIRCLE_FEATURES, loss="bce", alpha=0.05, epochs=300), CIRCLES),
    "circles bce standardized, every feature": (
        dict(dataset="circles", features=("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2"), standardize=True,
             loss="bce", alpha=0.01, epochs=100), CIRCLES),
    "moons hinge standardized": (dict(dataset="moons", features=("x1", "x2", "x1x2", "sin1"), standardize=True,
                                      loss="hinge", alpha=0.01, epochs=100), Window(-1.5, 2.5, -1.0, 1.5, 30, 12)),
    "3 blobs softmax": (dict(dataset="blobs", classes=3, loss="softmax", alpha=0.001, epochs=200), BLOBS),
    "4 blobs svm standardized, squares": (dict(dataset="blobs", classes=4, features=("x1", "x2", "x1^2", "x2^2"),
                                               standardize=True, loss="svm", alpha=0.001, epochs=100), BLOBS),
}


@pytest.mark.parametrize("name", CASES)
def test_cell_classes_and_edges_match_a_transcription(name):
    options, window = CASES[name]
    trainer = trained(**options)
    data, weights = trainer.data, plain(trainer.weights)
    features = options.get("features", ("x1", "x2"))
    stats = statistics(data.train_points.tolist(), features) if options.get("standardize") else None
    by_hand = classes_by_hand(weights, features, stats, *centres(window))
    assert decision.cell_classes(data, trainer.weights, window).tolist() == by_hand
    assert decision.edge_cells(data, trainer.weights, window).tolist() == edges_by_hand(weights, features, stats,
                                                                                          window)
    classes = {k for line in by_hand for k in line}
    assert len(classes) >= 2  # (a picture with a boundary in it: the test can tell edges from none)


@pytest.mark.parametrize("name", CASES)
def test_the_points_are_classified_as_the_training_rows_were(name):
    options, _ = CASES[name]
    trainer = trained(**options)
    data, weights = trainer.data, plain(trainer.weights)
    features = options.get("features", ("x1", "x2"))
    stats = statistics(data.train_points.tolist(), features) if options.get("standardize") else None
    points = data.test_points.tolist()
    assert decision.classes_at(data, trainer.weights, data.test_points).tolist() == [
        classify(weights, row(x1, x2, features, stats)) for x1, x2 in points]


def test_circles_with_squares_draw_a_closed_curve_around_the_inner_class(circles):
    data, w = circles.data, circles.weights
    region = decision.cell_classes(data, w, CIRCLES)
    edges = decision.edge_cells(data, w, CIRCLES)
    h, wd = region.shape
    assert region[h // 2, wd // 2] == 1  # the centre: the inner circle's class
    assert (region[0] == 0).all() and (region[-1] == 0).all() and (region[:, 0] == 0).all() \
        and (region[:, -1] == 0).all()
    # from the centre, cells the boundary does not cross never lead out to the border: the curve is closed
    seen, todo = set(), [(h // 2, wd // 2)]
    while todo:
        r, c = todo.pop()
        if (r, c) in seen or not (0 <= r < h and 0 <= c < wd) or edges[r, c]:
            continue
        assert 0 < r < h - 1 and 0 < c < wd - 1
        seen.add((r, c))
        todo += [(r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)]
    assert len(seen) > 20
    inner = data.train_points[data.y_train == 1]
    assert np.mean(decision.classes_at(data, w, inner) == 1) > 0.95


def test_three_blobs_with_softmax_give_three_regions(blobs):
    data, w = blobs.data, blobs.weights
    region = decision.cell_classes(data, w, BLOBS)
    assert set(region.ravel().tolist()) == {0, 1, 2}
    for k in range(3):
        points = data.train_points[data.y_train == k]
        assert np.mean(decision.classes_at(data, w, points) == k) > 0.9
    assert decision.edge_cells(data, w, BLOBS).any()


def test_a_circle_by_hand():
    """z = x1² + x2² - 1: class 1 outside the unit circle; the 8 x 8 window [-2, 2]² has corners at
    integers and halves."""
    from gdtui.engine.data import split

    points = np.array([[0.0, 0.0], [2.0, 2.0], [0.1, 0.0], [1.9, 2.0]])
    data = split(points, np.array([0, 1, 0, 1]), 0.5, "hand", features=("x1^2", "x2^2"))
    window = Window(-2.0, 2.0, -2.0, 2.0, 8, 8)
    region = decision.cell_classes(data, (-1.0, 1.0, 1.0), window)
    assert region[3:5, 3:5].tolist() == [[0, 0], [0, 0]]  # the centres (±0.25, ±0.25)
    assert region[0, 0] == 1 and region[7, 7] == 1
    edges = decision.edge_cells(data, (-1.0, 1.0, 1.0), window)
    assert not edges[3:5, 3:5].any() and not edges[0, 0]
    # the cell [0.5, 1] x [0, 0.5] (row 3, column 5): corner (1, 0) is on the circle (class 0), (1, 0.5) outside
    assert edges[3, 5]
    assert decision.classes_at(data, (-1.0, 1.0, 1.0), np.array([[0.5, 0.5], [1.0, 0.5]])).tolist() == [0, 1]


def test_equal_scores_go_to_the_lowest_class_and_draw_no_edge(blobs):
    window = Window(-1.0, 1.0, -1.0, 1.0, 6, 4)
    same = np.tile([0.5, -1.0, 2.0], (3, 1))
    assert (decision.cell_classes(blobs.data, same, window) == 0).all()
    assert not decision.edge_cells(blobs.data, same, window).any()


def test_only_the_lessons_line_is_a_line(circles, blobs):
    lesson = create_trainer(TrainConfig(seed=0))
    hinge = create_trainer(TrainConfig(seed=0, loss="hinge"))
    scaled = create_trainer(TrainConfig(seed=0, standardize=True))
    assert decision.is_line(lesson.data, lesson.weights) and decision.is_line(hinge.data, hinge.weights)
    assert not decision.is_line(scaled.data, scaled.weights)
    assert not decision.is_line(circles.data, circles.weights)
    assert not decision.is_line(blobs.data, blobs.weights)


# ---- the lesson's line: its exact test ---------------------------------------------------------------

FRAME = Window(x_min=0.0, x_max=10.0, y_min=0.0, y_max=5.0, width=10, height=5)


def test_boundary_of_a_horizontal_line():
    # w0 + w1 x + w2 y = 0 with w = (-2.5, 0, 1) is y = 2.5, inside row 2 (which spans y in [2, 3])
    cells = decision.boundary_cells((-2.5, 0.0, 1.0), FRAME)
    assert cells[2].all()
    assert cells.sum() == 10


def test_boundary_of_a_vertical_line_when_w2_is_zero():
    cells = decision.boundary_cells((-3.5, 1.0, 0.0), FRAME)  # x = 3.5: column 3 only
    assert cells[:, 3].all()
    assert cells.sum() == 5


def test_no_boundary_when_w1_and_w2_are_zero():
    assert not decision.boundary_cells((1.0, 0.0, 0.0), FRAME).any()


def test_predicted_region_is_the_positive_side():
    region = decision.predicted_region((-2.5, 0.0, 1.0), FRAME)  # y > 2.5 is class 1: the top rows
    assert region[:2].all() and not region[3:].any()


def test_a_line_through_corners_marks_the_cells_it_touches():
    # y = x through the integer corners of a 4 x 4 window of unit cells: the diagonal cells are crossed,
    # and so are their neighbours that only touch the line at a corner (the plane is 0 there)
    window = Window(0.0, 4.0, 0.0, 4.0, 4, 4)
    cells = decision.boundary_cells((0.0, 1.0, -1.0), window)
    by_hand = [[abs((3 - r) - c) <= 1 for c in range(4)] for r in range(4)]
    assert cells.tolist() == by_hand


def test_the_lessons_cells_and_edges_are_the_lines_exact_test():
    """The lesson's model goes through the line's test: class 1 where w0 + w1·x + w2·y > 0 at the
    centre, an edge where the plane's sign at the four corners is not one sign (0 counts as both)."""
    trainer = trained()
    data, (w0, w1, w2) = trainer.data, plain(trainer.weights)
    window = Window(-4.0, 4.0, -3.0, 3.0, 24, 12)
    xs, ys = centres(window)
    region = [[1 if w0 + w1 * x + w2 * y > 0 else 0 for x in xs] for y in ys]
    dx, dy = 8.0 / 24, 6.0 / 12
    corner_x = [-4.0 + c * dx for c in range(25)]
    corner_y = [3.0 - r * dy for r in range(13)]
    edges = []
    for r in range(12):
        values = [[w0 + w1 * x + w2 * y for x in corner_x[c:c + 2] for y in corner_y[r:r + 2]] for c in range(24)]
        edges.append([min(v) <= 0 <= max(v) for v in values])
    assert decision.cell_classes(data, trainer.weights, window).tolist() == region
    assert decision.edge_cells(data, trainer.weights, window).tolist() == edges
    assert 0 < sum(map(sum, region)) < 24 * 12 and any(map(any, edges))
