"""Every colour and glyph of gdtui's screens, once.

All colours are from the xterm 256-colour cube (steps 00, 5f, 87, af, d7, ff), because an SSH
session forwards TERM but not COLORTERM: a terminal without true colour shows them exactly.
Glyphs tell apart what colour alone would (the classes, the racers) for terminals without colour.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- words and numbers ----------------------------------------------------------------------------

TEXT = "#d7d7d7"
GOOD = "#5fff5f"
BAD = "#ff5f5f"
WARN = "#ffaf5f"
INFO = "#5fafff"
KEY = "#ffff5f"
DIM = "dim"
BOUNDARY_INK = "#ffff5f"

STATE_STYLES = {
    "paused": f"bold {TEXT}",
    "running": f"bold {GOOD}",
    "converged": f"bold {INFO}",
    "diverged": "bold #ffffff on #af0000",
    "break:": "bold #000000 on #ffaf00",
    "done": f"bold {WARN}",
    "rewound": "bold #000000 on #5fafff",
    "all": f"bold {WARN}",
}
"""The style of the status line's first word, by that word."""

# ---- the scatter ------------------------------------------------------------------------------------

POINT_GLYPHS = (" ", "o", "x", "△", "◇", "□", "▽", "*")
"""Per cell: empty; points of one class only (class 0, 1, ... 5); points of several classes.
(Hollow shapes: the race draws its racers' boundaries in filled ones, and `SHARED`'s `+`.)"""
MIXED = len(POINT_GLYPHS) - 1
"""A cell of several classes: its index in `POINT_GLYPHS` and the tables below in the same order."""
HIGHLIGHT_GLYPHS = (" ", "O", "X", "▲", "◆", "■", "▼", "#")
"""The same, for the rows of the batch just used."""
POINT_INK = ("#d7d7d7", "#5fafff", "#ffaf5f", "#87d75f", "#d787ff", "#5fd7d7", "#d7d787", "#d7d7d7")
REGION_BG = ("#00005f", "#5f0000", "#005f00", "#5f005f", "#005f5f", "#5f5f00")
"""The background of cells the weights predict as class 0, 1, ... 5 (each class's hue, dark)."""
BOUNDARY_GLYPH = "•"
SELECTED_GLYPH = "@"
SELECTED_STYLE = "bold #000000 on #ff87ff"
"""The point the point inspector selected: its own glyph, black on pink."""
GHOST_GLYPH = "∙"
GHOST_INK = ("#5fffff", "#5fff5f", "#ff5fff")
"""Preview boundaries for alpha/2, alpha and 2*alpha."""

# ---- the landscape ----------------------------------------------------------------------------------

BAND_BG = ("#00005f", "#000087", "#0000af", "#005faf", "#0087af", "#00af87", "#5faf00", "#afaf00", "#d78700",
           "#d70000")
"""Low loss dark blue ... high loss red."""
EDGE_GLYPH = "·"
PATH_GLYPH, START_GLYPH, HERE_GLYPH = "•", "○", "◉"
PATH_INK, HERE_INK, EDGE_INK = "#ffffff", "#ffff5f", "#8a8a8a"

# ---- the loss curve -----------------------------------------------------------------------------------

LINE_RGB = (95, 175, 255)
MARK_RGB = (255, 255, 95)


# ---- the race ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Look:
    """A racer's colour, glyph and the short name used where room is tight."""

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
"""Where racers meet: a scatter cell several boundaries cross, the start all loss curves share."""
RACE_POINT_INK = ("#d7d7d7", "#5f87af", "#af875f", "#5f875f", "#875faf", "#5f8787", "#87875f", "#d7d7d7")
"""The race's points, dimmer than the boundaries drawn over them."""
RACE_STATES = {
    None: ("racing", DIM),
    "epochs": ("done", WARN),
    "tol": ("below tol", INFO),
    "patience": ("no progress", INFO),
    "diverged": ("diverged", "bold #ffffff on #af0000"),
}
"""What a racer's state column says for each stop reason, and in which style."""
