"""The engine's one-line reasons, said in the TUI's words."""

from __future__ import annotations


def reason(exc: Exception) -> str:
    """`exc`'s message without the command-line flag it starts with: the TUI has no flags
    (`--alpha must be a number in (0, 1e6] (got 0.0)` -> `alpha must be ...`)."""
    return str(exc).removeprefix("--")
