"""Shared fixtures: apps built through the same factory as the CLI, with fixed seeds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI explores the same examples on every run; locally each run draws new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from app_support import app_for, kept_file

DATA = Path(__file__).parent / "data"
HUGE_CSV = DATA / "huge.csv"
"""24 rows with coordinates near 1e160: bce training overflows on its second epoch."""


@pytest.fixture
def kept():
    return kept_file


@pytest.fixture(autouse=True)
def private_state_home(tmp_path_factory, monkeypatch):
    """Every test keeps its autosaves in its own folder, never in the user's ~/.local/state."""
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    monkeypatch.delenv("GDTUI_STATE_DIR", raising=False)
    return folder


SIZE = (100, 30)
"""The terminal of the Pilot tests that are not about the size."""


@pytest.fixture
def make_app():
    return app_for


@pytest.fixture
def size():
    return SIZE


async def _until_paused(pilot, polls: int = 4000) -> None:
    """Let run mode go on until it pauses by itself (the solo run, or the race shown on top): a
    readiness signal, polled; the cap only turns a run that never stops into a failure."""
    app = pilot.app
    for _ in range(polls):
        if not (app.session.running or getattr(app.screen, "running", False)):
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError("run mode never paused")


@pytest.fixture
def wait_until_paused():
    return _until_paused


@pytest.fixture
def huge_csv() -> str:
    return str(HUGE_CSV)


@pytest.fixture
def far_csv(tmp_path) -> str:
    """24 rows near 1e151: with bce and alpha 1e5, gd, momentum and nesterov overflow on their
    second epoch, while adam (whose steps are alpha-sized) goes on."""
    rows = ["x1,x2,label"]
    for k in range(12):
        rows += [f"{1 + k / 10:.2f}e151,{2 - k / 10:.2f}e151,far", f"{-1 - k / 10:.2f}e151,{-2 + k / 10:.2f}e151,near"]
    path = tmp_path / "far.csv"
    path.write_text("\n".join(rows) + "\n")
    return str(path)
