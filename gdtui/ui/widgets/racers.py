"""How each update rule looks in the race: its own colour and its own glyph, the same on the
scatter, on the loss plot and in the table. The colours are from the xterm 256-colour cube, so
they survive a terminal (or an SSH session) without true colour; the glyphs tell the rules apart
without colour at all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Look:
    """A rule's colour, glyph and the short name used where room is tight."""

    ink: str
    glyph: str
    short: str

    @property
    def rgb(self) -> tuple[int, int, int]:
        """The colour as an (r, g, b) tuple, as plotext takes it."""
        return tuple(int(self.ink[k:k + 2], 16) for k in (1, 3, 5))


LOOKS = {  # one per rule of gdtui.engine.config.OPTIMIZERS
    "gd": Look("#ffff5f", "●", "gd"),
    "momentum": Look("#5fd7ff", "▲", "mom"),
    "nesterov": Look("#ff87d7", "◆", "nest"),
    "adagrad": Look("#87ff5f", "■", "adag"),
    "rmsprop": Look("#ffaf5f", "▼", "rms"),
    "adam": Look("#ff5f5f", "★", "adam"),
}

SHARED = Look("#ffffff", "+", "shared")
"""Where racers meet: a scatter cell that several boundaries cross, the start all loss curves share."""
