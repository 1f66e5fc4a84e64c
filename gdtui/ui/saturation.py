"""Saturation said where it happens: when the sigmoid is flat for most rows, sse stops learning.

With sse each row's part of g carries the factor p(1 − p), σ's derivative, which vanishes as p
nears 0 or 1: a row saturated on the wrong side is wrong and cannot be moved. `SaturationWatch`
says so once when it starts (not every frame), and again only after it has ended and come back.
"""

from __future__ import annotations

from gdtui.engine.points import SATURATED, saturation


def saturation_words(share: float, wrong: float) -> str:
    return (f"saturated: {100 * share:.0f}% of the training rows have p within {SATURATED:g} of 0 or 1 "
            f"({100 * wrong:.0f}% on the wrong side); sse's gradient carries p(1−p), which vanishes there, so "
            "they hardly move: try a smaller alpha (-) or the bce loss (its gradient has no p(1−p))")


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
