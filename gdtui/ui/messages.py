"""Messages from worker threads to the screens: small dataclasses, posted (never a widget touched
from a thread)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from gdtui.engine.landscape import Surface


@dataclass
class SurfaceReady(Message):
    """A loss surface computed in a worker; a newer one replaces one still queued."""

    surface: Surface

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SurfaceReady)
