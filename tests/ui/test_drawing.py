"""What the widgets draw, read back from the lines they hand Textual (`render_line`).

The scatter, the landscape and the race scatter are cell pictures: every cell must show the glyph
its code asks for, the codes computed here again from the data. The loss plot must show plotext's
picture, character for character, with the curve in its colour. Partial redraws (only the rows
that changed) must leave the screen as a full redraw draws it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from rich.color import Color

from gdtui.ui import raster, theme
from gdtui.ui.charts import LossChart



def row_text(widget, y: int) -> str:
    return "".join(segment.text for segment in widget.render_line(y))


def independent_scatter_glyphs(data, weights, width, height):
    """The scatter's glyphs, derived here from the points and the weights without the picture code."""
    frame = raster.Frame.around(np.concatenate([data.X_train[:, 1:], data.X_test[:, 1:]]), width, height)
    cols = np.clip(((data.X_train[:, 1] - frame.x_min) / (frame.x_max - frame.x_min) * width).astype(int), 0, width - 1)
    rows = np.clip(((frame.y_max - data.X_train[:, 2]) / (frame.y_max - frame.y_min) * height).astype(int), 0,
                   height - 1)
    grid = [[" "] * width for _ in range(height)]
    classes = [[set() for _ in range(width)] for _ in range(height)]
    for r, c, label in zip(rows.tolist(), cols.tolist(), data.y_train.tolist()):
        classes[r][c].add(int(label))
    xs = np.linspace(frame.x_min, frame.x_max, width + 1)
    ys = np.linspace(frame.y_max, frame.y_min, height + 1)
    for r in range(height):
        for c in range(width):
            corners = [weights[0] + weights[1] * x + weights[2] * y for x in xs[c:c + 2] for y in ys[r:r + 2]]
            crossed = min(corners) <= 0 <= max(corners)
            kind = classes[r][c]
            grid[r][c] = {frozenset(): "•" if crossed else " ", frozenset({0}): "o", frozenset({1}): "x",
                          frozenset({0, 1}): "*"}[frozenset(kind)]
    return ["".join(row) for row in grid]


async def test_the_scatter_shows_every_point_and_the_boundary(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "space")
        await pilot.pause()
        grid = app.solo.query_one("#grid")
        width, height = grid.size
        drawn = [row_text(grid, y) for y in range(height)]
        weights = app.session.trainer.weights
        assert drawn == independent_scatter_glyphs(app.session.trainer.data, weights, width, height)
        assert sum(row.count("•") for row in drawn) > 10  # the boundary crosses the picture


async def test_the_mini_batch_just_used_is_drawn_in_capitals(make_app, size):
    app = make_app(batch_size=64)
    async with app.run_test(size=size) as pilot:
        await pilot.press("n")
        await pilot.pause()
        grid = app.solo.query_one("#grid")
        drawn = "".join(row_text(grid, y) for y in range(grid.size.height))
        assert any(glyph in drawn for glyph in "OX#") and any(glyph in drawn for glyph in "ox")
        await pilot.press("space")  # the rest of the epoch: its last batch is the one shown
        await pilot.pause()
        np.testing.assert_array_equal(grid.picture.highlight, app.session.trainer.last_batch_rows())


def plotext_text(losses, width, height, marked=None):
    """plotext's own picture of the same chart, in a figure of its own, as plain text."""
    from textual_plotext import PlotextPlot

    widget = PlotextPlot()
    plt = widget.plt
    plt.plotsize(width, height)
    LossChart(losses, False, marked).draw(plt, width)
    return [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in plt.build().split("\n")][:height]


async def test_the_loss_plot_shows_plotexts_picture_with_the_curve_in_its_colour(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*["space"] * 12, "left", "left")
        await pilot.pause()
        plot = app.solo.query_one("#loss")
        width, height = plot.size
        expected = plotext_text(app.session.trainer.history.losses.copy(), width, height, marked=10)
        assert [row_text(plot, y) for y in range(height)] == expected
        line = Color.from_rgb(*theme.LINE_RGB)
        braille = [segment.style.color for y in range(height) for segment in plot.render_line(y)
                   if any("\u2800" <= ch <= "\u28ff" for ch in segment.text)]
        assert braille and all(color == line for color in braille)


@pytest.mark.parametrize("keys", [["p"], ["c", "p"]], ids=["solo", "race"])
async def test_partial_redraws_leave_the_screen_as_a_full_redraw_draws_it(make_app, keys):
    """Pictures and the plot redraw only the rows that changed: after many such frames the
    screen must equal a screen drawn from scratch."""
    app = make_app(epochs=400)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*keys)
        for _ in range(400):
            if not (app.session.running or getattr(app.screen, "running", False)):
                break
            await pilot.pause(0.02)
        await pilot.pause()
        partial = app.export_screenshot()
        for widget in app.screen.query("*"):
            widget.refresh()
        await pilot.pause()
        assert app.export_screenshot() == partial


def test_a_short_plot_gets_no_more_y_ticks_than_it_has_rows_of_data():
    from gdtui.ui.charts import _y_ticks

    assert _y_ticks(1.0, 9.0, False) == [1.0, 3.0, 5.0, 7.0, 9.0]
    assert _y_ticks(1.0, 9.0, False, height=20) == [1.0, 3.0, 5.0, 7.0, 9.0]
    assert _y_ticks(1.0, 9.0, False, height=6) == [1.0, 5.0, 9.0]  # three rows of data
    assert _y_ticks(1.0, 9.0, False, height=5) == [1.0, 9.0]  # (with five, plotext picked two by chance)
    assert _y_ticks(1.0, 100.0, True, height=4) == pytest.approx([1.0, 100.0])
