"""Update rules, written to match torch.optim step for step.

Each rule is an `update(g, state, alpha, momentum) -> step` function: it reads the direction g
(3,), advances its explicit `OptState` in place and returns the step that is added to W.
The learning rate and momentum are passed on every call, so they can change between steps
without losing the state.

| rule       | torch.optim equivalent                                         |
|------------|----------------------------------------------------------------|
| `gd`       | SGD(lr)                                                        |
| `momentum` | SGD(lr, momentum=mu, dampening=0)                              |
| `nesterov` | SGD(lr, momentum=mu, dampening=0, nesterov=True)               |
| `adagrad`  | Adagrad(lr) (lr_decay 0, initial accumulator 0, eps 1e-10)     |
| `rmsprop`  | RMSprop(lr) (smoothing alpha 0.99, eps 1e-8, no momentum)      |
| `adam`     | Adam(lr) (betas 0.9 / 0.999, eps 1e-8, no amsgrad)             |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

ADAGRAD_EPS = 1e-10
RMSPROP_SMOOTHING = 0.99
RMSPROP_EPS = 1e-8
ADAM_BETA1 = 0.9
ADAM_BETA2 = 0.999
ADAM_EPS = 1e-8


def _zeros() -> np.ndarray:
    return np.zeros(3)


@dataclass
class OptState:
    """The memory of an update rule. Which fields a rule uses is listed in `Optimizer.state_labels`."""

    first: np.ndarray = field(default_factory=_zeros)
    """Momentum buffer (momentum, nesterov) or first moment m (adam)."""
    second: np.ndarray = field(default_factory=_zeros)
    """Sum of g^2 (adagrad), running mean of g^2 (rmsprop) or second moment v (adam)."""
    steps: int = 0
    """Updates taken so far (bias correction of adam)."""

    def copy(self) -> "OptState":
        return OptState(self.first.copy(), self.second.copy(), self.steps)


def _gd(g: np.ndarray, state: OptState, alpha: float, momentum: float) -> np.ndarray:
    state.steps += 1
    return -alpha * g


def _momentum(g: np.ndarray, state: OptState, alpha: float, momentum: float) -> np.ndarray:
    # torch starts the buffer at g; mu * 0 + g == g exactly, so a zero buffer is the same rule.
    buf = state.first
    buf *= momentum
    buf += g
    state.steps += 1
    return -alpha * buf


def _nesterov(g: np.ndarray, state: OptState, alpha: float, momentum: float) -> np.ndarray:
    buf = state.first
    buf *= momentum
    buf += g
    state.steps += 1
    return -alpha * (g + momentum * buf)


def _adagrad(g: np.ndarray, state: OptState, alpha: float, momentum: float) -> np.ndarray:
    state.second += g * g
    state.steps += 1
    return -alpha * (g / (np.sqrt(state.second) + ADAGRAD_EPS))


def _rmsprop(g: np.ndarray, state: OptState, alpha: float, momentum: float) -> np.ndarray:
    sq = state.second
    sq *= RMSPROP_SMOOTHING
    sq += (1 - RMSPROP_SMOOTHING) * (g * g)
    state.steps += 1
    return -alpha * (g / (np.sqrt(sq) + RMSPROP_EPS))


def _adam(g: np.ndarray, state: OptState, alpha: float, momentum: float) -> np.ndarray:
    m, v = state.first, state.second
    m += (1 - ADAM_BETA1) * (g - m)  # torch's lerp form of beta1*m + (1 - beta1)*g
    v *= ADAM_BETA2
    v += (1 - ADAM_BETA2) * (g * g)
    state.steps += 1
    step_size = alpha / (1 - ADAM_BETA1**state.steps)
    denom = np.sqrt(v) / np.sqrt(1 - ADAM_BETA2**state.steps) + ADAM_EPS
    return -step_size * (m / denom)


@dataclass(frozen=True)
class Optimizer:
    """An update rule and how to present it."""

    name: str
    title: str
    """One line for help and status: the rule in words."""
    update: Callable[[np.ndarray, OptState, float, float], np.ndarray]
    state_labels: tuple[tuple[str, str, str], ...] = ()
    """(OptState field, symbol, meaning) for each field the rule uses."""
    uses_momentum: bool = False


OPTIMIZERS: dict[str, Optimizer] = {
    opt.name: opt
    for opt in (
        Optimizer("gd", "W -= alpha * g", _gd),
        Optimizer("momentum", "v = mu*v + g; W -= alpha * v", _momentum, (("first", "v", "velocity"),), True),
        Optimizer("nesterov", "v = mu*v + g; W -= alpha * (g + mu*v)", _nesterov, (("first", "v", "velocity"),), True),
        Optimizer("adagrad", "s += g^2; W -= alpha * g / (sqrt(s) + 1e-10)", _adagrad, (("second", "s", "sum of g^2"),)),
        Optimizer("rmsprop", "s = .99 s + .01 g^2; W -= alpha * g / (sqrt(s) + 1e-8)", _rmsprop,
                  (("second", "s", "running mean of g^2"),)),
        Optimizer("adam", "m, v moments (.9, .999), bias-corrected; W -= alpha * m^ / (sqrt(v^) + 1e-8)", _adam,
                  (("first", "m", "1st moment"), ("second", "v", "2nd moment"))),
    )
}
