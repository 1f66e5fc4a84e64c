"""Messages to the screens, small dataclasses: from worker threads (never a widget touched from a
thread), and from widgets that were clicked."""

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


@dataclass
class CellClicked(Message):
    """A click on a cell picture (the scatter or the landscape): which cell, from the top left."""

    col: int
    row: int
