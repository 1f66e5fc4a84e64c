"""How the guided lesson looks: its first step as `gdtui lesson` opens it, and the step where alpha
is too large after its 40 epochs, at the smallest supported terminal and a roomy one.

New or changed snapshots fail until accepted with `pytest --snapshot-update`: look at them first.
"""

from __future__ import annotations

import pytest

from gdtui.ui.app import build_lesson

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def _opened(pilot) -> None:
    await pilot.pause()
    await pilot.pause()  # (the lesson opens once the solo view is up)


@pytest.mark.parametrize("size", SIZES)
def test_the_first_step(snap_compare, size):
    assert snap_compare(build_lesson(), terminal_size=size, run_before=_opened)


@pytest.mark.parametrize("size", SIZES)
def test_alpha_too_large_after_its_run(snap_compare, wait_until_paused, size):
    async def run_before(pilot) -> None:
        await _opened(pilot)
        await pilot.press(*["greater_than_sign"] * 5)
        await pilot.pause()
        await pilot.press("p")
        await wait_until_paused(pilot)
        await pilot.pause()  # the note said at the end takes a row: the plots draw again at their new size
        await pilot.pause()

    assert snap_compare(build_lesson(), terminal_size=size, run_before=run_before)
