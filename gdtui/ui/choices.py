"""What the setting keys share (`gdtui.ui.settings`, `gdtui.ui.model_settings`): the next choice
of a cycle, and the note on a change."""

from __future__ import annotations


def after(choices: tuple, current) -> object:
    """The choice after `current` (the first if it is not one of them)."""
    return choices[(choices.index(current) + 1) % len(choices)] if current in choices else choices[0]


def said(note: str, words: str) -> str:
    """The session's note on a change (a fork), then what changed; a refusal alone."""
    if note.startswith("refused"):
        return note
    return f"{note}; {words}" if note else words
