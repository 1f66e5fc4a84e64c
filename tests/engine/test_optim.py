"""The update rules against independent transcriptions of torch.optim's documented algorithms.

torch is not installed; the reference classes below are written from the algorithm boxes of the
torch.optim documentation (SGD with momentum / dampening 0 / nesterov, Adagrad, RMSprop, Adam) with
their default hyperparameters, one parameter vector, no weight decay, minimising.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.config import OPTIMIZERS as OPTIMIZER_NAMES
from gdtui.engine.optim import RULES, OptState

NAMES = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


# ---- reference rules (torch.optim docs, transcribed) -------------------------------------------


class RefSGD:
    """SGD: b_t = mu b_{t-1} + (1 - tau) g_t (b_1 = g_1); g <- g + mu b_t (nesterov) or b_t; theta -= lr g."""

    def __init__(self, momentum=0.0, dampening=0.0, nesterov=False):
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov
        self.b = None
        self.t = 0

    def step(self, theta, g, lr, momentum=None):
        if momentum is not None and self.momentum != 0:
            self.momentum = momentum  # torch: param_groups[0]["momentum"] changed between steps
        self.t += 1
        if self.momentum != 0:
            if self.t > 1:
                self.b = self.momentum * self.b + (1 - self.dampening) * g
            else:
                self.b = np.array(g, dtype=float)
            g = g + self.momentum * self.b if self.nesterov else self.b
        return theta - lr * g


class RefAdagrad:
    """Adagrad: sum_t = sum_{t-1} + g^2 (sum_0 = tau = 0); theta -= lr' g / (sqrt(sum_t) + eps),
    lr' = lr / (1 + (t - 1) eta) with eta = 0."""

    def __init__(self, lr_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
        self.lr_decay, self.eps = lr_decay, eps
        self.state_sum = np.full(3, initial_accumulator_value, dtype=float)
        self.t = 0

    def step(self, theta, g, lr, momentum=None):
        self.t += 1
        clr = lr / (1 + (self.t - 1) * self.lr_decay)
        self.state_sum = self.state_sum + g * g
        return theta - clr * g / (np.sqrt(self.state_sum) + self.eps)


class RefRMSprop:
    """RMSprop (not centred, no momentum): v_t = a v_{t-1} + (1 - a) g^2; theta -= lr g / (sqrt(v_t) + eps)."""

    def __init__(self, alpha=0.99, eps=1e-8):
        self.alpha, self.eps = alpha, eps
        self.v = np.zeros(3)

    def step(self, theta, g, lr, momentum=None):
        self.v = self.alpha * self.v + (1 - self.alpha) * g * g
        return theta - lr * g / (np.sqrt(self.v) + self.eps)


class RefAdam:
    """Adam (no amsgrad): m, v moving averages; m^ = m / (1 - b1^t), v^ = v / (1 - b2^t);
    theta -= lr m^ / (sqrt(v^) + eps)."""

    def __init__(self, betas=(0.9, 0.999), eps=1e-8):
        self.b1, self.b2 = betas
        self.eps = eps
        self.m = np.zeros(3)
        self.v = np.zeros(3)
        self.t = 0

    def step(self, theta, g, lr, momentum=None):
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g * g
        m_hat = self.m / (1 - self.b1 ** self.t)
        v_hat = self.v / (1 - self.b2 ** self.t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + self.eps)


def reference(name, mu):
    if name == "gd":
        return RefSGD()
    if name == "momentum":
        return RefSGD(momentum=mu)
    if name == "nesterov":
        return RefSGD(momentum=mu, nesterov=True)
    if name == "adagrad":
        return RefAdagrad()
    if name == "rmsprop":
        return RefRMSprop()
    return RefAdam()


def engine_trajectory(name, theta0, grads, lrs, mus):
    state = RULES[name].init((3,))
    theta = np.array(theta0, dtype=float)
    out = []
    for g, lr, mu in zip(grads, lrs, mus):
        step, state = RULES[name].update(np.array(g, dtype=float), state, lr, mu)
        theta = theta + step
        out.append(theta.copy())
    return np.array(out)


def reference_trajectory(name, theta0, grads, lrs, mus):
    ref = reference(name, mus[0])
    theta = np.array(theta0, dtype=float)
    out = []
    for g, lr, mu in zip(grads, lrs, mus):
        theta = ref.step(theta, np.array(g, dtype=float), lr, mu)
        out.append(theta.copy())
    return np.array(out)


def gradient_sequence():
    """40 fixed gradients: signs flip, scales from 1e-4 to 1e3, one component stays exactly 0 for a while."""
    rng = np.random.default_rng(20240611)
    grads = rng.standard_normal((40, 3))
    grads[:, 1] *= np.logspace(-4, 3, 40)
    grads[:10, 2] = 0.0
    grads[25] = 0.0
    return grads


# ---- the registry ------------------------------------------------------------------------------


def test_every_configurable_optimizer_has_an_update_rule():
    assert set(OPTIMIZER_NAMES) == set(NAMES) == set(RULES)
    for name in NAMES:
        assert RULES[name].name == name


# ---- trajectories against the references -------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mu", [0.9, 0.5])
def test_trajectory_matches_torch_reference(name, mu):
    grads = gradient_sequence()
    lrs = [0.01] * len(grads)
    mus = [mu] * len(grads)
    theta0 = np.array([0.3, -1.2, 2.0])
    got = engine_trajectory(name, theta0, grads, lrs, mus)
    want = reference_trajectory(name, theta0, grads, lrs, mus)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # the trajectory must actually move (or a no-op rule would pass)
    assert np.abs(got[-1] - theta0).max() > 1e-3


@pytest.mark.parametrize("name", NAMES)
def test_learning_rate_and_momentum_may_change_every_step(name):
    grads = gradient_sequence()
    lrs = list(np.geomspace(0.1, 1e-4, len(grads)))
    mus = list(np.linspace(0.95, 0.1, len(grads)))
    theta0 = np.zeros(3)
    got = engine_trajectory(name, theta0, grads, lrs, mus)
    want = reference_trajectory(name, theta0, grads, lrs, mus)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_update_returns_the_step_and_the_next_state_and_changes_nothing_in_place(name):
    state = RULES[name].init((3,))
    g = np.array([1.0, -3.0, 0.25])
    before = g.copy()
    for k in range(1, 4):
        old = OptState(state.first.copy(), state.second.copy(), state.steps)
        step, new = RULES[name].update(g, state, 0.05, 0.9)
        assert step.shape == (3,) and new.steps == k
        # pure: the state handed in is as it was (a refused step just keeps it)
        assert state.steps == old.steps and state.first.tobytes() == old.first.tobytes()
        assert state.second.tobytes() == old.second.tobytes()
        state = new
    np.testing.assert_array_equal(g, before)  # the direction is not modified in place


@pytest.mark.parametrize("name", NAMES)
def test_states_take_the_weights_shape(name):
    g = np.arange(6.0).reshape(2, 3) - 2.5
    step, state = RULES[name].update(g, RULES[name].init((2, 3)), 0.1, 0.9)
    assert step.shape == state.first.shape == state.second.shape == (2, 3)
    for row in range(2):  # each row steps as a vector of its own would
        alone, _ = RULES[name].update(g[row], RULES[name].init((3,)), 0.1, 0.9)
        np.testing.assert_array_equal(step[row], alone)


# ---- first steps by hand ----------------------------------------------------------------------
# theta0 = 0, g1 = (0.5, -2, 0), g2 = (1, 1, 1), alpha = 0.1, mu = 0.9. Values from exact decimal
# arithmetic of the formulas written in the comments.

G1 = np.array([0.5, -2.0, 0.0])
G2 = np.array([1.0, 1.0, 1.0])

HAND_FIRST = {
    # -alpha g
    "gd": [-0.05, 0.2, 0.0],
    # b = g1: -alpha g1
    "momentum": [-0.05, 0.2, 0.0],
    # b = g1: -alpha (g1 + 0.9 g1) = -0.19 g1
    "nesterov": [-0.095, 0.38, 0.0],
    # s = g1^2: -0.1 * 0.5 / (0.5 + 1e-10) = -0.1 / (1 + 2e-10); 0.1 * 2 / (2 + 1e-10); 0 / 1e-10
    "adagrad": [-0.09999999998000000000400, 0.09999999999500000000025, 0.0],
    # s = 0.01 g1^2, sqrt(s) = 0.1 |g1|: -0.1 * 0.5 / (0.05 + 1e-8) = -1 / (1 + 2e-7); 0.2 / (0.2 + 1e-8)
    "rmsprop": [-0.99999980000003999999, 0.99999995000000249999, 0.0],
    # m^ = g1, v^ = g1^2: -0.1 * 0.5 / (0.5 + 1e-8) = -0.1 / (1 + 2e-8); 0.1 * 2 / (2 + 1e-8)
    "adam": [-0.09999999800000003999, 0.09999999950000000250, 0.0],
}

HAND_SECOND = {
    "gd": [-0.1, -0.1, -0.1],
    # b = 0.9 g1 + g2 = (1.45, -0.8, 1): -alpha b
    "momentum": [-0.145, 0.08, -0.1],
    # -alpha (g2 + 0.9 b) = -0.1 (2.305, 0.28, 1.9)
    "nesterov": [-0.2305, -0.028, -0.19],
    # s = g1^2 + g2^2 = (1.25, 5, 1): -0.1 / (sqrt(s) + 1e-10)
    "adagrad": [-0.089442719091991587857, -0.044721359547995793928, -0.099999999990000000001],
    # s = 0.99 * 0.01 g1^2 + 0.01 g2^2 = (0.012475, 0.0496, 0.01): -0.1 / (sqrt(s) + 1e-8)
    "rmsprop": [-0.89532288191137698298, -0.44901323490564783447, -0.99999990000000999999],
    # m = (0.145, -0.08, 0.1), v = (0.00124975, 0.004996, 0.001), 1 - b1^2 = 0.19, 1 - b2^2 = 0.001999:
    # -0.1 (m / 0.19) / (sqrt(v / 0.001999) + 1e-8)
    "adam": [-0.096518201361491240137, 0.026633703797568639658, -0.074413681304593486115],
}


@pytest.mark.parametrize("name", NAMES)
def test_first_two_steps_by_hand(name):
    state = RULES[name].init((3,))
    rule = RULES[name].update
    first, state = rule(G1.copy(), state, 0.1, 0.9)
    np.testing.assert_allclose(first, HAND_FIRST[name], rtol=1e-14, atol=1e-300)
    second, state = rule(G2.copy(), state, 0.1, 0.9)
    np.testing.assert_allclose(second, HAND_SECOND[name], rtol=1e-14, atol=1e-300)


def test_adaptive_first_steps_have_the_size_of_alpha_whatever_the_gradient_scale():
    # adam's first step is -alpha g / (|g| + eps): about -alpha sign(g) for |g| >> eps;
    # rmsprop's first step is -alpha g / (0.1 |g| + eps): about -10 alpha sign(g).
    for scale in (1e-3, 1.0, 1e3):
        g = scale * np.array([1.0, -1.0, 2.0])
        adam, _ = RULES["adam"].update(g, OptState.zeros((3,)), 0.01, 0.0)
        np.testing.assert_allclose(adam, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-14)
        np.testing.assert_allclose(adam, -0.01 * np.sign(g), rtol=1e-5)
        rms, _ = RULES["rmsprop"].update(g, OptState.zeros((3,)), 0.01, 0.0)
        np.testing.assert_allclose(rms, -0.1 * np.sign(g), rtol=1e-4)


# ---- every rule learns the lesson's problem -------------------------------------------------------

TABLE = [
    # optimizer, loss, alpha
    ("gd", "sse", 0.01),
    ("momentum", "sse", 0.001),
    ("nesterov", "sse", 0.001),
    ("adagrad", "sse", 0.5),
    ("rmsprop", "sse", 0.05),
    ("adam", "sse", 0.1),
    ("gd", "bce", 0.001),
    ("momentum", "bce", 0.001),
    ("nesterov", "bce", 0.001),
    ("adagrad", "bce", 0.5),
    ("rmsprop", "bce", 0.1),
    ("adam", "bce", 0.1),
]

WRONG_SIDE = (0.2, 0.3, 0.4)
"""Initial weights that classify almost every training row wrongly."""


def full_loss(kind, X, y, w):
    z = X @ w
    if kind == "sse":
        return float(np.sum((1.0 / (1.0 + np.exp(-z)) - y) ** 2))
    return float(np.sum(np.where(y == 1, np.logaddexp(0.0, -z), np.logaddexp(0.0, z))))


def test_the_table_covers_every_optimizer_and_loss():
    assert {(name, loss) for name, loss, _ in TABLE} == {(n, l) for n in NAMES for l in ("sse", "bce")}


@pytest.mark.parametrize("batch_size", [None, 32], ids=["full-batch", "batch32"])
@pytest.mark.parametrize(("name", "loss", "alpha"), TABLE)
def test_every_optimizer_decreases_the_loss_on_the_lesson_data(name, loss, alpha, batch_size):
    trainer = create_trainer(TrainConfig(optimizer=name, loss=loss, alpha=alpha, batch_size=batch_size,
                                         epochs=50, init_weights=WRONG_SIDE, seed=0))
    X, y = trainer.data.X_train, trainer.data.y_train
    assert trainer.accuracy(trainer.weights, "train") < 0.05
    assert trainer.run() == "epochs"
    assert trainer.epoch == 50
    losses = trainer.history.losses
    assert np.all(np.isfinite(losses))
    assert losses[-1] < losses[1]
    before = full_loss(loss, X, y, np.array(WRONG_SIDE))
    after = full_loss(loss, X, y, trainer.weights)
    assert after < 0.05 * before
    assert trainer.accuracy(trainer.weights, "test") >= 0.97


# ---- live changes on a trainer ------------------------------------------------------------------


def sse_direction(X, y, w):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return X.T @ ((p - y) * p * (1.0 - p))


@pytest.mark.parametrize("name", NAMES)
def test_changing_alpha_between_epochs_keeps_the_optimizer_state(name):
    trainer = create_trainer(TrainConfig(optimizer=name, alpha=0.01, momentum=0.8, init_weights=(0.5, 1.0, -1.0),
                                         seed=0))
    X, y = trainer.data.X_train, trainer.data.y_train
    for _ in range(3):
        trainer.step_epoch()
    state_before = trainer.snapshot().optimizer_state
    trainer.configure(alpha=0.003)
    assert trainer.snapshot().optimizer_state == state_before
    assert trainer.snapshot().alpha == 0.003
    for _ in range(3):
        trainer.step_epoch()

    # the same six full-batch updates with the reference rule and one continuous state
    ref = reference(name, 0.8)
    w = np.array([0.5, 1.0, -1.0])
    for lr in [0.01] * 3 + [0.003] * 3:
        w = ref.step(w, sse_direction(X, y, w), lr, 0.8)
    np.testing.assert_allclose(trainer.weights, w, rtol=1e-12, atol=1e-14)

    # a fresh state after the alpha change would land elsewhere (for every rule with memory)
    if name != "gd":
        fresh = reference(name, 0.8)
        w2 = np.array(trainer.history.weights[3])
        for lr in [0.003] * 3:
            w2 = fresh.step(w2, sse_direction(X, y, w2), lr, 0.8)
        assert np.abs(w2 - w).max() > 1e-6


@pytest.mark.parametrize(("before", "after"), [("adam", "momentum"), ("momentum", "nesterov"),
                                               ("rmsprop", "adagrad"), ("nesterov", "adam")])
def test_changing_the_optimizer_starts_from_a_fresh_state(before, after):
    trainer = create_trainer(TrainConfig(optimizer=before, alpha=0.01, init_weights=(0.5, 1.0, -1.0), seed=0))
    X, y = trainer.data.X_train, trainer.data.y_train
    for _ in range(4):
        trainer.step_epoch()
    assert any(any(v != 0.0 for v in entry[-1]) for entry in trainer.snapshot().optimizer_state)
    trainer.configure(optimizer=after)
    assert trainer.snapshot().optimizer == after
    for entry in trainer.snapshot().optimizer_state:
        assert entry[-1] == (0.0, 0.0, 0.0)
    w = trainer.weights
    trainer.step_epoch()
    ref = reference(after, trainer.config.momentum)
    expected = ref.step(w, sse_direction(X, y, w), 0.01, trainer.config.momentum)
    np.testing.assert_allclose(trainer.weights, expected, rtol=1e-12, atol=1e-14)


def test_configuring_the_same_optimizer_keeps_its_state():
    trainer = create_trainer(TrainConfig(optimizer="adam", init_weights=(0.5, 1.0, -1.0), seed=0))
    for _ in range(3):
        trainer.step_epoch()
    state = trainer.snapshot().optimizer_state
    trainer.configure(optimizer="adam", momentum=0.5)
    assert trainer.snapshot().optimizer_state == state


def test_changing_momentum_keeps_the_velocity():
    trainer = create_trainer(TrainConfig(optimizer="momentum", alpha=0.001, momentum=0.9,
                                         init_weights=(0.5, 1.0, -1.0), seed=0))
    X, y = trainer.data.X_train, trainer.data.y_train
    ref = reference("momentum", 0.9)
    w = np.array([0.5, 1.0, -1.0])
    for mu in (0.9, 0.9, 0.5, 0.5):
        if mu != trainer.config.momentum:
            trainer.configure(momentum=mu)
        trainer.step_epoch()
        w = ref.step(w, sse_direction(X, y, w), 0.001, mu)
    np.testing.assert_allclose(trainer.weights, w, rtol=1e-12, atol=1e-14)
    assert math.isfinite(trainer.snapshot().loss)
