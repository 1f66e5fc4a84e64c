"""Saturation said where it happens: when the sigmoid is flat for most rows, sse stops learning.

With sse each row's part of g carries the factor p(1 − p), σ's derivative, which vanishes as p
nears 0 or 1: a row saturated on the wrong side is wrong and cannot be moved. `SaturationWatch`
says so once when it starts (not every frame), and again only after it has ended and come back.
"""

from __future__ import annotations

from gdtui.engine.points import SATURATED, saturation


def saturation_words(share: float, wrong: float) -> str:
    limit = f"{SATURATED:.0e}".replace("e-0", "e-")
    return (f"saturated: {100 * share:.0f}% of the training rows have p within {limit} of 0 or 1, "
            f"{100 * wrong:.0f}% on the wrong side; vanishing p(1−p): sse hardly moves them. "
            "Try a smaller alpha (-) or bce")


class SaturationWatch:
    """Whether the state shown is stalled by saturation, and whether that has been said."""

    def __init__(self) -> None:
        self.said = False
        """Said since the saturation began (cleared when it ends)."""

    def check(self, trainer, weights) -> str:
        """The line to say now: the words when saturation has just begun under sse, else ""."""
        if trainer.config.loss != "sse":
            self.said = False
            return ""
        found = saturation(trainer.data.X_train, trainer.data.y_train, weights)
        if not found.stalling:
            self.said = False
            return ""
        if self.said:
            return ""
        self.said = True
        return saturation_words(found.share, found.wrong_share)
