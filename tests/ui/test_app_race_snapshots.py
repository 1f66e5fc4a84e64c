"""How the race screen looks, at the smallest supported terminal and a roomy one, always paused.

New or changed snapshots fail until accepted with `pytest --snapshot-update`: open
snapshot_report.html and look at them first.
"""

from __future__ import annotations

import pytest

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]

STATES = {
    "start": (dict(), ["c"]),
    "ten_epochs": (dict(), ["c"] + ["space"] * 10),
    "six_rules_log": (dict(alpha=0.05), ["c", "4", "5", "L"] + ["space"] * 40),
    "diverged": (dict(loss="bce", alpha=1e5), ["c", "space", "space"]),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", list(STATES))
def test_race_screen(snap_compare, make_app, far_csv, state, size):
    options, keys = STATES[state]
    if state == "diverged":
        options = {**options, "dataset": far_csv}
    assert snap_compare(make_app(**options), press=keys, terminal_size=size)
