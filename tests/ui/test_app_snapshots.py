"""How the main states look, at the smallest supported terminal and a roomy one.

New or changed snapshots fail until accepted with `pytest --snapshot-update`: open
snapshot_report.html and look at them first.
"""

from __future__ import annotations

import pytest

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def _run_to_the_end(pilot, until_paused) -> None:
    await pilot.press("p")
    await until_paused(pilot)


async def _break_at_loss_40(pilot, until_paused) -> None:
    await pilot.press("b")
    await pilot.pause()
    pilot.app.screen.query_one("#bp-loss_below").value = "40"
    await pilot.press("enter")
    await until_paused(pilot)
    for _ in range(200):  # (the note of what fired is drawn after the run has paused: wait for it)
        if pilot.app.solo.query_one("#notice").text.startswith("break: "):
            break
        await pilot.pause()
    await pilot.pause()


STATES = {
    "start": (dict(), [], None),
    "five_epochs": (dict(), ["space"] * 5, None),
    "converged": (dict(tol=1.0), [], _run_to_the_end),
    "mini_batch": (dict(batch_size=32, optimizer="momentum"), ["space", "space", "n", "n", "n"], None),
    "help": (dict(), ["question_mark"], None),
    "diverged": (dict(dataset="huge", loss="bce"), ["space", "space"], None),
    "rewound": (dict(), ["space"] * 5 + ["left", "left"], None),
    "landscape": (dict(), ["space"] * 5 + ["l", "_", "_"], None),
    "inspector": (dict(), ["space", "space", "g"], None),
    "preview": (dict(), ["space", "space", "v"], None),
    "evaluation": (dict(), ["space", "space", "e"], None),
    "schedule": (dict(schedule="step", decay_every=2), ["space"] * 5, None),
    "breakpoints_form": (dict(), ["space", "b"], None),
    "data_form": (dict(), ["D"], None),
    "breakpoint_fired": (dict(), [], _break_at_loss_40),
    "alpha_form": (dict(), ["space", "a"], None),
    "epoch_form": (dict(), ["space", "space", "j"], None),
    "race_help": (dict(), ["c", "question_mark"], None),
    "why": (dict(), ["space", "y"], None),
    "why_adam_batch": (dict(optimizer="adam", batch_size=32), ["space", "n", "n", "y"], None),
    "point_inspector": (dict(), ["space", "i", "right", "up"], None),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", list(STATES))
def test_screen(snap_compare, make_app, huge_csv, wait_until_paused, state, size):
    options, keys, before = STATES[state]
    if options.get("dataset") == "huge":
        options = {**options, "dataset": huge_csv}

    async def run_before(pilot) -> None:
        await before(pilot, wait_until_paused)

    assert snap_compare(make_app(**options), press=keys, terminal_size=size, run_before=run_before if before else None)


def test_too_small(snap_compare, make_app):
    assert snap_compare(make_app(), press=["space"], terminal_size=(40, 12))
