"""Helpers the UI tests import by name (a module of its own: each test folder may have a
conftest.py, so `from conftest import ...` would be ambiguous)."""

from __future__ import annotations

from pathlib import Path

from gdtui.engine import TrainConfig


def app_for(**options):
    """The app as `gdtui` would build it, seeded so that every run draws the same screen."""
    from gdtui.ui.app import build_app  # here, so that engine and CLI tests load without the UI

    options.setdefault("seed", 0)
    return build_app(TrainConfig(**options))


def kept_file(state_home: Path) -> Path | None:
    """The newest session gdtui kept under `state_home` (an XDG_STATE_HOME), None if none."""
    files = sorted((state_home / "gdtui" / "sessions").glob("*.json"), key=lambda p: p.stat().st_mtime)
    return files[-1] if files else None
