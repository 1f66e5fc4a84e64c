"""How the models beyond the lesson's look (issue 15), at the SSH terminal's size and a roomy one:
circles solved with the squares, three blobs with softmax and with the multi-class SVM, and the
instruments (evaluation, why, the point inspector, the landscape) on them.

New or changed snapshots fail until accepted with `pytest --snapshot-update`: open
snapshot_report.html and look at them first.
"""

from __future__ import annotations

import pytest

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]

CIRCLES = dict(dataset="circles", features=("x1", "x2", "x1^2", "x2^2"), loss="bce", alpha=0.05, epochs=300)
SOFTMAX = dict(classes=3, loss="softmax", alpha=0.001, epochs=200)
SVM = dict(classes=3, loss="svm", alpha=0.001, epochs=100)


async def _run_to_the_end(pilot, until_paused) -> None:
    await pilot.press("p")
    await until_paused(pilot)
    await pilot.pause()


STATES = {
    "circles_squares_solved": (CIRCLES, [], _run_to_the_end),
    "softmax_three": (SOFTMAX, [], _run_to_the_end),
    "svm_three": (SVM, [], _run_to_the_end),
    "softmax_evaluation": (SOFTMAX, ["e"], _run_to_the_end),
    "softmax_why": (dict(SOFTMAX, epochs=5), ["y"], _run_to_the_end),
    "circles_point": (dict(CIRCLES, epochs=20), ["i"], _run_to_the_end),
    "softmax_landscape": (dict(SOFTMAX, epochs=20), ["l", "_", "_"], _run_to_the_end),
    "penalty_l2": (dict(CIRCLES, epochs=40), ["P"], _run_to_the_end),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", list(STATES))
def test_model_screen(snap_compare, make_app, wait_until_paused, state, size):
    options, keys, before = STATES[state]

    async def run_before(pilot) -> None:
        await before(pilot, wait_until_paused)

    assert snap_compare(make_app(**options), press=keys, terminal_size=size, run_before=run_before)
