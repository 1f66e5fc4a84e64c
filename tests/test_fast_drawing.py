"""The fast drawing paths draw exactly what Textual's own rendering of the same widgets draws.

Scatter, LossPlot, the numeric panels and the status line build their lines themselves (from
codes, from plotext's colour codes, from templates) instead of handing Rich text to Textual on
every frame. Here every line they produce is compared, segment by segment (text, style and the
offsets Textual keeps for selection), with the line Textual renders from the widget's `render()`,
over a sequence of states: steps, mini-batches, a log scale, a rewind, every update rule.
"""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from rich.console import Console

from gdtui.engine.losses import sigmoid_of_negated
from gdtui.ui.widgets.loss_plot import LossPlot
from gdtui.ui.widgets.panels import GradientPanel, WeightsPanel, _ReplayedTable, _table_of, number
from gdtui.ui.widgets.scatter import Scatter
from gdtui.ui.widgets.status import StatusLine

WIDGETS = (Scatter, LossPlot, WeightsPanel, GradientPanel, StatusLine)


def textual_lines(widget):
    """The widget's content lines as Textual renders them from `render()`."""
    widget._render_content()
    return widget._render_cache.lines


def segments(strip):
    return [(segment.text, segment.style) for segment in strip]


def assert_fast_lines_match(app):
    for kind in WIDGETS:
        widget = app.query_one(kind)
        fast = [widget.render_line(y) for y in range(widget.size.height)]
        reference = textual_lines(widget)
        assert len(fast) == len(reference), kind.__name__
        for y, (ours, theirs) in enumerate(zip(fast, reference)):
            assert segments(ours) == segments(theirs), f"{kind.__name__} line {y}"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("options", [{}, {"loss": "bce", "optimizer": "adam", "samples": 3000}],
                         ids=["lesson", "bce-adam"])
async def test_fast_lines_are_textuals_lines(make_app, size, options):
    app = make_app(epochs=10_000, **options)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert_fast_lines_match(app)
        for keys in (["space"], ["space"] * 3, ["L"], ["o", "o"], ["space", "space"], ["left", "left"],
                     ["end", "B", "n", "n"], ["p"], ["p"]):
            await pilot.press(*keys)
            await pilot.pause()
            assert_fast_lines_match(app)


async def test_partial_redraws_leave_the_screen_as_a_full_redraw_draws_it(make_app):
    """Scatter and loss plot redraw only the rows that changed: after many such frames the
    screen must equal a screen drawn from scratch."""
    app = make_app(epochs=10_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await pilot.pause(0.5)
        await pilot.press("p")
        await pilot.pause()
        partial = app.export_screenshot()
        for widget in app.screen.query("*"):
            widget.refresh()
        await pilot.pause()
        assert app.export_screenshot() == partial


def test_the_replayed_table_is_richs_table():
    rng = random.Random(0)
    for _ in range(500):
        width = rng.randint(8, 90)
        console = Console(width=width, color_system="truecolor", file=io.StringIO())
        values = [0.0, 1e-3, -1e4, 9999.5, 123.456, -0.000123]
        cells = tuple((rng.choice(["W", "ΔW", "g", "step", "v", "s", "m"]),
                       *(number(rng.choice(values) * rng.choice([1, -1, 10 ** rng.randint(-6, 6)])) for _ in range(3)))
                      for _ in range(rng.randint(1, 5)))
        options = console.options.update(width=width)
        expected = [(s.text, s.style, s.control) for s in console.render(_table_of(cells), options)]
        assert [(s.text, s.style, s.control) for s in console.render(_ReplayedTable(cells), options)] == expected


@pytest.mark.parametrize("kind", ["saturated", "mixed", "special"])
def test_the_saturated_sigmoid_is_the_formula_to_the_bit(kind):
    rng = np.random.default_rng({"saturated": 0, "mixed": 1, "special": 2}[kind])
    for _ in range(40):
        n = int(rng.integers(4096, 40_000))
        if kind == "saturated":
            t = rng.uniform(-3000, 3000, n)
        elif kind == "mixed":
            t = np.where(rng.random(n) < 0.9, rng.uniform(-3000, 3000, n), rng.normal(0, 20, n))
        else:
            t = rng.choice([-1e308, 1e308, np.inf, -np.inf, np.nan, -37.0, -36.99, 700.0, 699.99, 0.0, -800.0], n)
        with np.errstate(all="ignore"):
            expected = 1.0 / (1.0 + np.exp(np.clip(t, -700.0, 700.0)))
            got = sigmoid_of_negated(t.copy(), np.empty(n))
        np.testing.assert_array_equal(got, expected)


async def test_the_loss_plot_reused_across_frames_draws_what_a_fresh_figure_draws(make_app):
    """The plot clears its data, not its whole figure, between frames: every setting is given
    again each frame, so the pictures must be those of a figure cleared completely."""
    app = make_app(epochs=10_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        plot = app.query_one(LossPlot)
        rng = np.random.default_rng(5)
        states = []
        for _ in range(40):
            n = int(rng.integers(1, 4000))
            losses = np.cumsum(rng.random(n))[::-1] * 10 + 0.1
            marked = int(rng.integers(0, n)) if rng.random() < 0.3 else None
            states.append((losses, bool(rng.integers(0, 2)), marked))

        def pictures(fresh: bool) -> list:
            drawn = []
            for losses, log_scale, marked in states:
                plot._losses, plot.log_scale, plot.marked_epoch = losses, log_scale, marked
                if fresh:
                    plot.plt.clear_figure()
                plot._draw_picture()
                drawn.append(plot._picture)
            return drawn

        assert pictures(fresh=False) == pictures(fresh=True)
