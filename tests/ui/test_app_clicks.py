"""The mouse, where it helps: a click on the landscape starts a run from the weights of that cell,
a click on a footer key does what the key does, and a cell picture says which cell was clicked."""

from __future__ import annotations

import numpy as np
import pytest
from textual.app import App

from gdtui.ui.messages import CellClicked
from gdtui.ui.widgets.cell_grid import CellGrid


async def _landscape_after(pilot, *keys: str) -> None:
    await pilot.press(*keys, "l")
    await pilot.pause()
    await pilot.pause()


async def test_a_click_on_the_landscape_starts_a_run_from_that_cell(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _landscape_after(pilot, "space", "space", "space")
        before = app.session.trainer
        surface = app.solo.surfaces.surface
        expected = surface.slice.weights_at(5, 3)
        held = surface.slice.held[0]
        await pilot.click("#grid", offset=(5, 3))
        await pilot.pause()
        trainer = app.session.trainer
        assert trainer is not before and trainer.epoch == 0 and before.epoch == 3
        np.testing.assert_array_equal(trainer.weights, expected)
        assert trainer.weights[0] == held and trainer.config == before.config and trainer.data is before.data
        # the loss at the new ◉ is the one the clicked cell shows
        assert app.solo.landscape_value == pytest.approx(surface.values[3, 5], rel=1e-12)
        notice = app.solo.query_one("#notice").text
        assert notice.startswith("new run from the clicked W (") and "\n" not in notice  # one line at 80 columns
        await pilot.press("space")
        await pilot.pause()
        assert trainer.epoch == 1
        await pilot.press("u")  # the run before comes back
        await pilot.pause()
        assert app.session.trainer is before and before.epoch == 3


async def test_a_click_on_the_scatter_inspects_the_point_nearest_it(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "space")
        await pilot.pause()
        before = app.session.trainer
        screen = app.solo
        assert not screen.points.active
        await pilot.click("#grid", offset=(4, 4))
        await pilot.pause()
        assert screen.points.active and app.session.trainer is before and before.epoch == 2
        clicked = screen.points.index
        await pilot.press("escape")
        assert screen.select_point_at(4, 4) and screen.points.index == clicked  # (the cell's nearest point)


async def test_a_click_while_rewound_or_on_the_axes_changes_nothing(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "space")
        await pilot.pause()
        before = app.session.trainer
        await pilot.click("#y-axis", offset=(1, 1))
        await pilot.pause()
        assert app.session.trainer is before and before.epoch == 2
        await _landscape_after(pilot, "left")  # rewound to epoch 1: a click starts from there too
        expected = app.solo.surfaces.surface.slice.weights_at(2, 2)
        await pilot.click("#x-axis", offset=(3, 0))
        await pilot.pause()
        assert app.session.trainer is before
        await pilot.click("#grid", offset=(2, 2))
        await pilot.pause()
        assert app.session.viewing is None and app.session.trainer.epoch == 0
        np.testing.assert_array_equal(app.session.trainer.weights, expected)


async def test_a_click_on_a_footer_key_runs_it(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # (the footer lists the keys once the bindings are known)
        keys = {key.key: key for key in app.screen.query("FooterKey")}
        assert {"space", "p", "q"} <= set(keys)
        await pilot.click(keys["space"])
        await pilot.pause()
        assert app.session.trainer.epoch == 1
        await pilot.click(keys["minus"])
        await pilot.pause()
        assert app.session.trainer.config.alpha == 0.005


class _OneGrid(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.clicked: list[tuple[int, int]] = []

    def compose(self):
        yield CellGrid(id="grid")

    def on_cell_clicked(self, message: CellClicked) -> None:
        self.clicked.append((message.col, message.row))


async def test_a_cell_grid_says_which_cell_was_clicked():
    app = _OneGrid()
    async with app.run_test(size=(20, 6)) as pilot:
        await pilot.click("#grid", offset=(0, 0))
        await pilot.click("#grid", offset=(7, 3))
        await pilot.click("#grid", offset=(19, 5))
        await pilot.pause()
    assert app.clicked == [(0, 0), (7, 3), (19, 5)]


async def test_a_click_on_the_landscape_of_class_rows_starts_from_that_cells_weight_matrix(make_app):
    app = make_app(loss="softmax", classes=3, alpha=0.001)
    async with app.run_test(size=(80, 24)) as pilot:
        await _landscape_after(pilot, "space", "space")
        before = app.session.trainer
        surface = app.solo.surfaces.surface
        assert surface.slice.axes == (1, 2) and surface.slice.shape == (3, 3)  # w0.1, w0.2
        x, y = surface.slice.window.point(4, 2)
        await pilot.click("#grid", offset=(4, 2))
        await pilot.pause()
        trainer = app.session.trainer
        assert trainer is not before and trainer.epoch == 0 and before.epoch == 2
        expected = before.weights.copy()
        expected[0, 1], expected[0, 2] = x, y  # the cell's two weights; the other seven as they were
        np.testing.assert_array_equal(trainer.weights, expected)
        assert app.solo.landscape_value == pytest.approx(surface.values[2, 4], rel=1e-12)
        notice = app.solo.query_one("#notice").text
        assert notice == f"new run from w0.1={x:.3g}, w0.2={y:.3g}, 7 others held; u brings the old one back"
        assert "\n" not in notice  # (one line at 80 columns)
