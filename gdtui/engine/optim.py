"""Update rules as pure pairs, written to match torch.optim step for step.

Each rule is `init(shape) -> OptState` and `update(g, state, alpha, mu) -> (step, new_state)`:
`update` reads the direction g (any shape, that of the weights) and the rule's memory, and
returns the step to add to W with the memory after it. Nothing is changed in place, so a caller
that refuses a step (a divergence) simply keeps the state it had. The learning rate and momentum
are passed on every call, so they can change between steps without losing the memory.

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

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

ADAGRAD_EPS = 1e-10
RMSPROP_SMOOTHING = 0.99
RMSPROP_EPS = 1e-8
ADAM_BETA1 = 0.9
ADAM_BETA2 = 0.999
ADAM_EPS = 1e-8


class OptState(NamedTuple):
    """The memory of an update rule; which fields a rule uses is listed in `Rule.state_labels`."""

    first: np.ndarray
    """Momentum buffer (momentum, nesterov) or first moment m (adam); the weights' shape."""
    second: np.ndarray
    """Sum of g^2 (adagrad), running mean of g^2 (rmsprop) or second moment v (adam)."""
    steps: int
    """Updates taken so far (adam's bias correction counts them)."""

    @classmethod
    def zeros(cls, shape: tuple[int, ...]) -> "OptState":
        return cls(np.zeros(shape), np.zeros(shape), 0)

    def pack(self) -> np.ndarray:
        """One flat row: first, second, steps (how the history keeps it)."""
        return np.concatenate([self.first.ravel(), self.second.ravel(), [float(self.steps)]])

    @classmethod
    def unpack(cls, row: np.ndarray, shape: tuple[int, ...]) -> "OptState":
        size = int(np.prod(shape))
        return cls(row[:size].reshape(shape).copy(), row[size:2 * size].reshape(shape).copy(), int(row[2 * size]))


Update = Callable[[np.ndarray, OptState, float, float], "tuple[np.ndarray, OptState]"]


def _gd(g, state, alpha, mu):
    return -alpha * g, state._replace(steps=state.steps + 1)


def _momentum(g, state, alpha, mu):
    # torch starts the buffer at g; mu * 0 + g == g exactly, so a zero buffer is the same rule.
    velocity = state.first * mu + g
    return -alpha * velocity, state._replace(first=velocity, steps=state.steps + 1)


def _nesterov(g, state, alpha, mu):
    velocity = state.first * mu + g
    return -alpha * (g + mu * velocity), state._replace(first=velocity, steps=state.steps + 1)


def _adagrad(g, state, alpha, mu):
    total = state.second + g * g
    return -alpha * (g / (np.sqrt(total) + ADAGRAD_EPS)), state._replace(second=total, steps=state.steps + 1)


def _rmsprop(g, state, alpha, mu):
    mean = state.second * RMSPROP_SMOOTHING + (1 - RMSPROP_SMOOTHING) * (g * g)
    return -alpha * (g / (np.sqrt(mean) + RMSPROP_EPS)), state._replace(second=mean, steps=state.steps + 1)


def _adam(g, state, alpha, mu):
    m = state.first + (1 - ADAM_BETA1) * (g - state.first)  # torch's lerp form of beta1*m + (1 - beta1)*g
    v = state.second * ADAM_BETA2 + (1 - ADAM_BETA2) * (g * g)
    t = state.steps + 1
    step_size = alpha / (1 - ADAM_BETA1**t)
    denom = np.sqrt(v) / np.sqrt(1 - ADAM_BETA2**t) + ADAM_EPS
    return -step_size * (m / denom), OptState(m, v, t)


@dataclass(frozen=True)
class Rule:
    """An update rule and how to present it."""

    name: str
    title: str
    """One line for help and status: the rule in words."""
    update: Update
    state_labels: tuple[tuple[str, str, str], ...] = ()
    """(OptState field, symbol, meaning) for each field the rule uses."""
    uses_momentum: bool = False

    @staticmethod
    def init(shape: tuple[int, ...]) -> OptState:
        """The memory before the first update: zeros of the weights' shape."""
        return OptState.zeros(shape)


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("gd", "W -= alpha * g", _gd),
        Rule("momentum", "v = mu*v + g; W -= alpha * v", _momentum, (("first", "v", "velocity"),), True),
        Rule("nesterov", "v = mu*v + g; W -= alpha * (g + mu*v)", _nesterov, (("first", "v", "velocity"),), True),
        Rule("adagrad", "s += g^2; W -= alpha * g / (sqrt(s) + 1e-10)", _adagrad, (("second", "s", "sum of g^2"),)),
        Rule("rmsprop", "s = .99 s + .01 g^2; W -= alpha * g / (sqrt(s) + 1e-8)", _rmsprop,
             (("second", "s", "running mean of g^2"),)),
        Rule("adam", "m, v moments (.9, .999), bias-corrected; W -= alpha * m^ / (sqrt(v^) + 1e-8)", _adam,
             (("first", "m", "1st moment"), ("second", "v", "2nd moment"))),
    )
}
