"""Saturation said where it matters, in words: the verdict (`gdtui.engine.points.saturation_verdict`)
says when sse stalls on saturated rows, or bce and softmax are kept saturated by huge inputs.
`SaturationWatch` says it once when it starts (not every frame), and again only after it has ended
and come back.
"""

from __future__ import annotations

from gdtui.engine.points import SaturationVerdict, input_scale, saturation_verdict

from .tables import SATURATED_WORDS


def _standardize(scale: float) -> str:
    return f"the inputs are large (a column's mean |x| is {scale:.3g}): Z standardizes them (a new run)"


def saturation_words(verdict: SaturationVerdict) -> str:
    """The note for the verdict: why the run stalls (sse), or why it stays saturated."""
    share, wrong, loss, scale = verdict.share, verdict.wrong_share, verdict.loss, verdict.scale
    if verdict.stalls:
        words = (f"saturated: {100 * share:.0f}% of the training rows have p within {SATURATED_WORDS} of 0 or 1, "
                 f"{100 * wrong:.0f}% on the wrong side; vanishing p(1−p): sse hardly moves them. "
                 "Try a smaller alpha (-) or bce")
        return words if scale is None else f"{words}; {_standardize(scale)}"
    what = "P within" if loss == "softmax" else "p within"
    close_to = "of one class" if loss == "softmax" else "of 0 or 1"
    gradient = "P − Y" if loss == "softmax" else "p − y"
    advice = "try a smaller alpha (-)" if scale is None else f"{_standardize(scale)}, or try a smaller alpha (-)"
    return (f"saturated: {100 * share:.0f}% of the training rows have {what} {SATURATED_WORDS} {close_to}, "
            f"{100 * wrong:.0f}% on the wrong side ({loss}'s {gradient} does not vanish, but each step swings the "
            f"scores far). {advice[0].upper()}{advice[1:]}")


class SaturationWatch:
    """Whether the state shown has a saturation verdict, and whether that has been said."""

    def __init__(self) -> None:
        self.said = False
        """Said since the saturation began (cleared when it ends)."""
        self._scale: tuple[object, float] | None = None
        """(the training rows, their `input_scale`): measured once per data."""

    def check(self, trainer, weights) -> str:
        """The line to say now: the words when saturation has just begun, else ""."""
        verdict = saturation_verdict(trainer.config, trainer.data.X_train, trainer.data.y_train, weights,
                                     self._input_scale(trainer))
        if verdict is None:
            self.said = False
            return ""
        if self.said:
            return ""
        self.said = True
        return saturation_words(verdict)

    def _input_scale(self, trainer) -> float:
        """The training rows' `input_scale`, kept while they are the same rows."""
        X = trainer.data.X_train
        if self._scale is None or self._scale[0] is not X:
            self._scale = (X, input_scale(X))
        return self._scale[1]
