"""The scatters of models beyond the lesson's: a feature map's curve, K classes' regions, glyphs and
key, the race's class edges, the point inspector's geometry. The cells' classes and edges are
worked out here again by hand (each feature written out, loops over the cells)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.ui.legend import legend, race_legend
from gdtui.ui.pictures import PointCells, RaceScatter, Scatter
from gdtui.ui.point_mode import PointMode

GLYPH = {0: "o", 1: "x", 2: "△", 3: "◇", 4: "□", 5: "▽"}
REGION = {0: "#00005f", 1: "#5f0000", 2: "#005f00", 3: "#5f005f", 4: "#005f5f", 5: "#5f5f00"}
FEATURE = {"x1": lambda a, b: a, "x2": lambda a, b: b, "x1^2": lambda a, b: a * a, "x2^2": lambda a, b: b * b,
           "x1x2": lambda a, b: a * b, "sin1": lambda a, b: math.sin(a), "sin2": lambda a, b: math.sin(b)}

CIRCLES = dict(dataset="circles", features=("x1", "x2", "x1^2", "x2^2"), loss="bce", alpha=0.05, epochs=300)
SOFTMAX = dict(dataset="blobs", classes=3, loss="softmax", alpha=0.001, epochs=200)
SVM = dict(dataset="blobs", classes=3, loss="svm", alpha=0.001, epochs=200, standardize=True)


def trained(**options):
    trainer = create_trainer(TrainConfig(seed=0, **options))
    trainer.run()
    return trainer


def by_hand(trainer, options):
    """class_at(x, y): the class the trainer's weights give the point, every feature computed here."""
    data, w = trainer.data, np.asarray(trainer.weights).tolist()
    features = options.get("features", ("x1", "x2"))
    stats = None
    if options.get("standardize"):
        stats = []
        for name in features:
            values = [FEATURE[name](a, b) for a, b in data.train_points.tolist()]
            mean = sum(values) / len(values)
            stats.append((mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0))

    def class_at(x, y):
        r = [1.0] + [FEATURE[name](x, y) for name in features]
        if stats:
            r = [1.0] + [(v - m) / s for v, (m, s) in zip(r[1:], stats)]
        if not isinstance(w[0], list):
            return int(sum(a * b for a, b in zip(w, r)) > 0)
        scores = [sum(a * b for a, b in zip(wk, r)) for wk in w]
        return scores.index(max(scores))

    return class_at


def expected_cells(trainer, options, frame, points, labels):
    """(glyph rows, region class rows, edge rows) of the scatter, by hand."""
    class_at = by_hand(trainer, options)
    dx, dy = frame.x_max - frame.x_min, frame.y_max - frame.y_min
    held = [[set() for _ in range(frame.width)] for _ in range(frame.height)]
    for (x, y), label in zip(points.tolist(), labels.tolist()):
        c = min(max(int((x - frame.x_min) / dx * frame.width), 0), frame.width - 1)
        r = min(max(int((frame.y_max - y) / dy * frame.height), 0), frame.height - 1)
        held[r][c].add(int(label))
    glyphs, regions, edges = [], [], []
    for r in range(frame.height):
        corner = [[class_at(frame.x_min + (c + i) * dx / frame.width, frame.y_max - (r + j) * dy / frame.height)
                   for i in (0, 1) for j in (0, 1)] for c in range(frame.width)]
        edge = [len(set(k)) > 1 for k in corner]
        regions.append([class_at(frame.x_min + (c + 0.5) * dx / frame.width,
                                 frame.y_max - (r + 0.5) * dy / frame.height) for c in range(frame.width)])
        glyphs.append("".join(("•" if e else " ") if not h else GLYPH[min(h)] if len(h) == 1 else "*"
                              for h, e in zip(held[r], edge)))
        edges.append(edge)
    return glyphs, regions, edges


@pytest.fixture(scope="module")
def models():
    return {name: (trained(**options), options) for name, options in
            (("circles", CIRCLES), ("softmax", SOFTMAX), ("svm", SVM))}


@pytest.mark.parametrize("name", ["circles", "softmax", "svm"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_every_cell_shows_its_points_glyph_on_the_predicted_class_region(models, name, split):
    trainer, options = models[name]
    data = trainer.data
    cells = PointCells(data)
    picture = Scatter(cells, split, trainer.snapshot().weights)
    codes = picture.codes(46, 19)
    frame = cells.frame(46, 19)
    points, labels = (data.train_points, data.y_train) if split == "train" else (data.test_points, data.y_test)
    glyphs, regions, _ = expected_cells(trainer, options, frame, points, labels)
    assert ["".join(picture.glyphs[c] for c in line) for line in codes.tolist()] == glyphs
    assert [[picture.styles[c].split(" on ")[1] for c in line] for line in codes.tolist()] == [
        [REGION[k] for k in line] for line in regions]
    assert len({k for line in regions for k in line}) == data.classes  # every class has a region


def test_circles_with_squares_draw_a_closed_curve(models):
    trainer, _ = models["circles"]
    cells = PointCells(trainer.data)
    picture = Scatter(cells, "train", trainer.snapshot().weights)
    drawn = ["".join(picture.glyphs[c] for c in line) for line in picture.codes(40, 20).tolist()]
    # the boundary does not reach the picture's edge: it closes around the inner circle
    assert "•" not in drawn[0] + drawn[-1] + "".join(line[0] + line[-1] for line in drawn)
    middle = drawn[10]
    assert middle.index("x") > middle.index("o") and middle.rindex("x") < middle.rindex("o")


def test_the_batch_ghosts_and_selection_follow_the_points_not_the_models_columns():
    """Standardized columns are not the points: the batch's capitals and the selected point sit
    where the points are."""
    trainer = create_trainer(TrainConfig(seed=0, dataset="blobs", classes=3, loss="softmax", standardize=True,
                                         batch_size=32, alpha=0.01))
    trainer.step_batch()
    data = trainer.data
    rows = np.arange(0, 400, 7)
    cells = PointCells(data)
    frame = cells.frame(50, 20)
    selected = tuple(data.test_points[3].tolist())
    later = np.asarray(trainer.weights) + [[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    picture = Scatter(cells, "train", trainer.snapshot().weights, rows, (None, later, None), selected)
    codes = picture.codes(50, 20)
    drawn = ["".join(picture.glyphs[c] for c in line) for line in codes.tolist()]
    marked = {(int(r), int(c)) for r, c in zip(*np.nonzero([[g in "OX▲#" for g in line] for line in drawn]))}
    dx, dy = frame.x_max - frame.x_min, frame.y_max - frame.y_min
    batch = {(min(int((frame.y_max - y) / dy * 20), 19), min(int((x - frame.x_min) / dx * 50), 49))
             for x, y in data.train_points[rows].tolist()}
    at = (min(int((frame.y_max - selected[1]) / dy * 20), 19), min(int((selected[0] - frame.x_min) / dx * 50), 49))
    assert drawn[at[0]][at[1]] == "@"
    assert marked == batch - {at}
    assert "∙" in "".join(drawn)  # the ghost's class edges (where no point or boundary is)


def test_the_race_scatter_marks_each_racers_class_edges(models):
    trainer, options = models["softmax"]
    cells = PointCells(trainer.data)
    start = create_trainer(TrainConfig(seed=0, **SOFTMAX)).weights
    picture = RaceScatter(cells, (("gd", trainer.snapshot().weights), ("adam", start)))
    codes = picture.codes(46, 19)
    frame = cells.frame(46, 19)
    _, _, edges = expected_cells(trainer, options, frame, np.empty((0, 2)), np.empty(0))
    start_trainer = create_trainer(TrainConfig(seed=0, **SOFTMAX))
    _, _, start_edges = expected_cells(start_trainer, options, frame, np.empty((0, 2)), np.empty(0))
    drawn = ["".join(picture.glyphs[c] for c in line) for line in codes.tolist()]
    for r, line in enumerate(drawn):
        for c, glyph in enumerate(line):
            expected = {(True, True): "+", (True, False): "●", (False, True): "★"}.get((edges[r][c], start_edges[r][c]))
            if expected:
                assert glyph == expected
            else:
                assert glyph in " ox△*"
    assert any("△" in line for line in drawn)


def test_the_key_names_every_class_and_shrinks_to_the_border():
    batch = "O X # batch"
    boundary = "[#ffff5f]•[/] boundary"
    ghosts = "next [#5fffff]∙[/]α/2 [#5fff5f]∙[/]α [#ff5fff]∙[/]2α"
    assert legend(("0", "1"), 200, True, True) == f"o 0  x 1  * both  {batch}  {boundary}  {ghosts}"
    assert legend(("0", "1"), 35, False, False) == f"o 0  x 1  * both  {boundary}"
    three = ("0", "1", "2")
    assert legend(three, 200, True, False) == f"o 0  x 1  △ 2  * mixed  O X ▲ # batch  {boundary}"
    assert legend(three, 40, False, False) == f"o 0  x 1  △ 2  * mixed  {boundary}"
    assert legend(three, 30, False, False) == f"o 0  x 1  △ 2  {boundary}"
    assert legend(three, 22, False, False) == "o 0  x 1  △ 2  [#ffff5f]•[/] line"
    six = ("a", "b", "c", "d", "e", "f")
    assert legend(six, 28, False, True) == "o a  x b  △ c  ◇ d  □ e  ▽ f"
    assert legend(six, 27, False, True) == ""
    assert legend(("cat [dog]", "1"), 200, False, False).startswith(r"o cat \[dog]  x 1")
    assert race_legend(three, 80) == "o 0  x 1  △ 2  [bold #ffffff]+[/] several"
    assert race_legend(("0", "1"), 80) == "o 0  x 1  [bold #ffffff]+[/] several"
    assert race_legend(three, 14) == "o 0  x 1  △ 2"


def test_the_point_inspector_selects_by_the_points_position():
    """With standardized squares the model's columns 1-2 are not (x1, x2): a click must select the
    point nearest the clicked cell as the scatter draws it, and the marker go where it is."""
    trainer = create_trainer(TrainConfig(seed=0, **dict(CIRCLES, standardize=True, epochs=5)))
    data = trainer.data
    frame = PointCells(data).frame(40, 20)
    mode = PointMode()
    target = data.train_points[17]
    dx, dy = frame.x_max - frame.x_min, frame.y_max - frame.y_min
    col, row = int((target[0] - frame.x_min) / dx * 40), int((frame.y_max - target[1]) / dy * 20)
    mode.select_cell(trainer, col, row, frame)
    chosen = data.train_points[mode.index]
    assert (int((chosen[0] - frame.x_min) / dx * 40), int((frame.y_max - chosen[1]) / dy * 20)) == (col, row)
    assert mode.position(trainer) == (float(chosen[0]), float(chosen[1]))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("options, glyphs", [(CIRCLES, "ox"), (SOFTMAX, "ox△"), (SVM, "ox△")],
                         ids=["circles", "softmax", "svm"])
async def test_the_app_draws_the_models_scatter(make_app, size, options, glyphs):
    app = make_app(**dict(options, epochs=20))
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space")
        await pilot.pause()
        area = app.solo.query_one("#picture")
        grid = area.grid
        text = "".join("".join(s.text for s in grid.render_line(y)) for y in range(grid.size.height))
        assert all(g in text for g in glyphs) and "•" in text
        key = area.border_subtitle
        assert all(f"{g} {k}" in key for k, g in enumerate(glyphs))
