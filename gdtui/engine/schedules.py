"""Learning-rate schedules: the alpha in force during an epoch, from the base alpha.

`t` counts the epochs finished before the one being run (0 during the first epoch), so the
first epoch always runs with the base alpha.

| schedule   | alpha during epoch t+1                  | default decay |
|------------|-----------------------------------------|---------------|
| `constant` | alpha                                   | -             |
| `step`     | alpha * decay ** floor(t / decay_every) | 0.5           |
| `exp`      | alpha * decay ** t                      | 0.95          |
| `inv`      | alpha / (1 + decay * t)   (1/t decay)   | 0.1           |
"""

from __future__ import annotations

SCHEDULES = ("constant", "step", "exp", "inv")
DEFAULT_DECAY = {"constant": 1.0, "step": 0.5, "exp": 0.95, "inv": 0.1}


def scheduled_alpha(schedule: str, alpha: float, t: int, decay: float | None = None, decay_every: int = 10) -> float:
    """The alpha in force during epoch t+1 (see the table above)."""
    d = DEFAULT_DECAY[schedule] if decay is None else decay
    if schedule == "step":
        return alpha * d ** (t // decay_every)
    if schedule == "exp":
        return alpha * d ** t
    if schedule == "inv":
        return alpha / (1 + d * t)
    return alpha
