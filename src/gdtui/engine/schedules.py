"""Learning-rate schedules: the alpha in force during an epoch, from the base alpha.

`t` counts the epochs finished before the one being run (0 during the first epoch).

| schedule   | alpha during epoch t+1                 | default decay |
|------------|----------------------------------------|---------------|
| `constant` | alpha                                  | -             |
| `step`     | alpha * decay ** floor(t / step_every) | 0.5           |
| `exp`      | alpha * decay ** t                     | 0.95          |
| `inv`      | alpha / (1 + decay * t)   (1/t decay)  | 0.1           |
"""

from __future__ import annotations

SCHEDULES = ("constant", "step", "exp", "inv")
DEFAULT_DECAY = {"constant": 1.0, "step": 0.5, "exp": 0.95, "inv": 0.1}


def effective_alpha(schedule: str, alpha: float, t: int, decay: float | None = None, step_every: int = 10) -> float:
    d = DEFAULT_DECAY[schedule] if decay is None else decay
    if schedule == "step":
        return alpha * d ** (t // step_every)
    if schedule == "exp":
        return alpha * d ** t
    if schedule == "inv":
        return alpha / (1 + d * t)
    return alpha


def describe(schedule: str, decay: float | None = None, step_every: int = 10) -> str:
    """The schedule in a few words, for the status line and help."""
    d = DEFAULT_DECAY[schedule] if decay is None else decay
    return {
        "constant": "constant",
        "step": f"step ×{d:g} every {step_every}",
        "exp": f"exp ×{d:g}/epoch",
        "inv": f"1/t, decay {d:g}",
    }[schedule]
