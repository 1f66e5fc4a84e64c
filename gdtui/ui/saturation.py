"""Saturation said where it matters: when the sigmoid is flat for most rows, sse stops learning.

With sse each row's part of g carries the factor p(1 − p), σ's derivative, which vanishes as p
nears 0 or 1: a row saturated on the wrong side is wrong and cannot be moved. bce's part (p − y)·x
and softmax's (P − Y)ᵀx do not vanish there (a wrong saturated row pushes fully), so for them no
stall is claimed; but with huge inputs (a CSV around 100, unstandardized) every step swings the
scores far and the rows stay saturated, so that, and only that, is said, with --standardize. The
hinge and the svm have no probabilities to saturate. `SaturationWatch` says it once when it
starts (not every frame), and again only after it has ended and come back.
"""

from __future__ import annotations

from gdtui.engine.points import SATURATED, input_scale, saturation

LARGE_INPUTS = 20.0
"""Feature columns whose mean |value| exceeds this count as large (the generated data sets stay
below it; a CSV around 100, or the squares of blobs, do not)."""


def _limit() -> str:
    return f"{SATURATED:.0e}".replace("e-0", "e-")


def _standardize(scale: float) -> str:
    return f"the inputs are large (a column's mean |x| is {scale:.3g}): start again with --standardize to scale them"


def saturation_words(share: float, wrong: float, loss: str = "sse", scale: float | None = None) -> str:
    """The note for `loss`; `scale`: the inputs' size where they are large and not standardized."""
    if loss == "sse":
        words = (f"saturated: {100 * share:.0f}% of the training rows have p within {_limit()} of 0 or 1, "
                 f"{100 * wrong:.0f}% on the wrong side; vanishing p(1−p): sse hardly moves them. "
                 "Try a smaller alpha (-) or bce")
        return words if scale is None else f"{words}; {_standardize(scale)}"
    what = "P within" if loss == "softmax" else "p within"
    close_to = "of one class" if loss == "softmax" else "of 0 or 1"
    gradient = "P − Y" if loss == "softmax" else "p − y"
    return (f"saturated: {100 * share:.0f}% of the training rows have {what} {_limit()} {close_to}, "
            f"{100 * wrong:.0f}% on the wrong side; {loss}'s {gradient} does not vanish there, but each step "
            f"swings the scores far. {_standardize(scale).capitalize()}, or try a smaller alpha (-)")


class SaturationWatch:
    """Whether the state shown is stalled (sse) or kept saturated by huge inputs (bce, softmax),
    and whether that has been said."""

    def __init__(self) -> None:
        self.said = False
        """Said since the saturation began (cleared when it ends)."""
        self._scale: tuple[object, float] | None = None
        """(the training rows, their `input_scale`): measured once per data."""

    def check(self, trainer, weights) -> str:
        """The line to say now: the words when saturation has just begun, else ""."""
        cfg = trainer.config
        words = self._words(trainer, weights) if cfg.loss in ("sse", "bce", "softmax") else ""
        if not words:
            self.said = False
            return ""
        if self.said:
            return ""
        self.said = True
        return words

    def _words(self, trainer, weights) -> str:
        cfg, X = trainer.config, trainer.data.X_train
        large = None
        if not cfg.standardize:
            if self._scale is None or self._scale[0] is not X:
                self._scale = (X, input_scale(X))
            large = self._scale[1] if self._scale[1] > LARGE_INPUTS else None
        if cfg.loss != "sse" and large is None:
            return ""
        found = saturation(X, trainer.data.y_train, weights)
        return saturation_words(found.share, found.wrong_share, cfg.loss, large) if found.stalling else ""
