"""Loss values, update directions and the gradient check, against independent formulas."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gdtui.engine import TrainConfig
from gdtui.engine.data import load_dataset
from gdtui.engine.gradcheck import gradient_check
from gdtui.engine.losses import LOSSES, Workspace, sigmoid, sigmoid_of_negated


@pytest.fixture(scope="module")
def lesson():
    data = load_dataset(TrainConfig())
    return data.X_train, data.y_train


def ref_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def ref_sse(X, y, w):
    return float(np.sum((ref_sigmoid(X @ w) - y) ** 2))


def ref_bce(X, y, w):
    # -log p for class 1, -log(1 - p) for class 0, with -log sigmoid(t) = softplus(-t) computed per row
    z = X @ w
    return float(np.sum(np.where(y == 1, np.logaddexp(0.0, -z), np.logaddexp(0.0, z))))


def ref_sse_direction(X, y, w):
    p = ref_sigmoid(X @ w)
    return X.T @ ((p - y) * p * (1.0 - p))


def ref_bce_direction(X, y, w):
    return X.T @ (ref_sigmoid(X @ w) - y)


def central_difference(f, w, h):
    out = np.empty(3)
    for i in range(3):
        e = np.zeros(3)
        e[i] = h
        out[i] = (f(w + e) - f(w - e)) / (2 * h)
    return out


def weights_to_check(loss_name, X, y):
    """Random draws plus the weights along a training run (where the losses become small)."""
    rng = np.random.default_rng(77)
    ws = [rng.standard_normal(3) for _ in range(6)] + [np.array([0.2, 0.3, 0.4])]
    w = np.array([0.2, 0.3, 0.4])
    alpha = 0.01 if loss_name == "sse" else 0.001
    direction = ref_sse_direction if loss_name == "sse" else ref_bce_direction
    for epoch in range(1, 201):
        w = w - alpha * direction(X, y, w)
        if epoch in (1, 3, 10, 30, 100, 200):
            ws.append(w.copy())
    return ws


def evaluate(name, X, y, w):
    return LOSSES[name].evaluate(X, y, np.asarray(w, dtype=float), Workspace(len(y)))


# ---- values and directions ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sse", "bce"])
def test_value_and_direction_match_independent_formulas(lesson, name):
    X, y = lesson
    ref_value = ref_sse if name == "sse" else ref_bce
    ref_direction = ref_sse_direction if name == "sse" else ref_bce_direction
    for w in weights_to_check(name, X, y):
        loss, direction = evaluate(name, X, y, w)
        assert loss == pytest.approx(ref_value(X, y, w), rel=1e-12)
        assert LOSSES[name].value(X, y, w) == pytest.approx(ref_value(X, y, w), rel=1e-12)
        np.testing.assert_allclose(direction, ref_direction(X, y, w), rtol=1e-10,
                                   atol=1e-12 * np.abs(ref_direction(X, y, w)).max())


def test_small_bce_losses_keep_their_precision():
    # one confidently right row (z = 40, y = 1: loss e^-40) beside one row with z = 1e6, y = 1 (loss 0)
    # and z = -1e6, y = 0: a sum of log(1 + e^z) minus y.z would cancel e^-40 away entirely
    X = np.array([[1.0, 40.0, 0.0], [1.0, 1e6, 0.0], [1.0, -1e6, 0.0]])
    y = np.array([1.0, 1.0, 0.0])
    w = np.array([0.0, 1.0, 0.0])
    expected = np.exp(-40.0) + 0.0 + 0.0  # log1p(e^-40) == e^-40 to double precision
    assert LOSSES["bce"].value(X, y, w) == pytest.approx(expected, rel=1e-12, abs=0)
    loss, _ = evaluate("bce", X, y, w)
    assert loss == pytest.approx(expected, rel=1e-12, abs=0)


def test_sigmoid_is_the_lessons_formula():
    z = np.linspace(-30, 30, 121)
    out = np.empty_like(z)
    np.testing.assert_allclose(sigmoid(z, out), 1.0 / (1.0 + np.exp(-z)), rtol=1e-15, atol=0)
    assert sigmoid(np.array([0.0]), np.empty(1))[0] == 0.5


def test_workspace_handles_a_shorter_last_batch(lesson):
    X, y = lesson
    work = Workspace(32)
    for name in ("sse", "bce"):
        w = np.array([0.1, -0.4, 0.7])
        loss, direction = LOSSES[name].evaluate(X[480:], y[480:], w, work)  # 20 rows in a 32-row workspace
        ref_value = ref_sse if name == "sse" else ref_bce
        ref_direction = ref_sse_direction if name == "sse" else ref_bce_direction
        assert loss == pytest.approx(ref_value(X[480:], y[480:], w), rel=1e-12)
        np.testing.assert_allclose(direction, ref_direction(X[480:], y[480:], w), rtol=1e-10)


# ---- the gradient check --------------------------------------------------------------------------


def no_tiny_component(values, ratio=1e-3):
    mags = np.abs(np.asarray(values))
    return mags.min() > ratio * mags.max()


def test_bce_gradient_check_passes(lesson):
    X, y = lesson
    checked = 0
    for w in weights_to_check("bce", X, y):
        check = gradient_check(LOSSES["bce"], X, y, w)
        assert check.factor == 1.0
        np.testing.assert_array_equal(check.analytic, check.direction)
        np.testing.assert_allclose(check.direction, ref_bce_direction(X, y, w), rtol=1e-10,
                                   atol=1e-12 * np.abs(check.direction).max())
        own = central_difference(lambda v: ref_bce(X, y, v), w, 1e-6)
        scale = np.abs(own).max()
        np.testing.assert_allclose(check.numeric, own, rtol=1e-6, atol=1e-6 * scale)
        # measured against the largest component, analytic and numeric always agree to 1e-6
        assert np.abs(np.array(check.analytic) - np.array(check.numeric)).max() < 1e-6 * scale
        # the engine's per-component relative error passes wherever no component is ~0 next to the others
        # (a component 1e-5 times the largest drowns in the finite difference's rounding: see the report)
        if no_tiny_component(check.analytic):
            assert check.max_error < 1e-6, (w, check)
            checked += 1
    assert checked >= 10


def test_bce_gradient_check_passes_along_a_training_run():
    from gdtui.engine import create_trainer

    for batch_size in (None, 32):
        trainer = create_trainer(TrainConfig(loss="bce", batch_size=batch_size, init_weights=(0.3, -1.2, 0.8), seed=0))
        trainer.run()
        X, y = trainer.data.X_train, trainer.data.y_train
        errors = [gradient_check(LOSSES["bce"], X, y, w).max_error for w in trainer.history.weights[::5]]
        assert max(errors) < 1e-6


def test_sse_analytic_gradient_is_twice_the_update_direction(lesson):
    X, y = lesson
    for w in weights_to_check("sse", X, y):
        check = gradient_check(LOSSES["sse"], X, y, w)
        assert check.factor == 2.0
        np.testing.assert_array_equal(np.array(check.analytic), 2.0 * np.array(check.direction))
        np.testing.assert_allclose(check.direction, ref_sse_direction(X, y, w), rtol=1e-10,
                                   atol=1e-12 * np.abs(check.direction).max())
        # finite differences of the PRINTED loss sum(e^2), computed here independently
        own = central_difference(lambda v: ref_sse(X, y, v), w, 1e-5)
        scale = np.abs(own).max()
        np.testing.assert_allclose(check.analytic, own, rtol=1e-6, atol=1e-7 * scale)
        np.testing.assert_allclose(check.numeric, own, rtol=1e-5, atol=1e-7 * scale)
        # ... and the direction is the gradient of half of it: off by exactly the factor 2
        assert np.abs(np.array(check.direction) - own).max() > 0.25 * scale


def test_sse_gradient_check_agrees_where_no_component_is_tiny(lesson):
    X, y = lesson
    w = np.array([0.2, 0.3, 0.4])
    check = gradient_check(LOSSES["sse"], X, y, w)
    assert min(abs(a) for a in check.analytic) > 1e-3 * max(abs(a) for a in check.analytic)
    assert check.max_error < 1e-6


def test_gradient_check_detects_a_wrong_factor(lesson):
    """The check can fail: the sse direction alone (factor 1) is off by a factor 2 from the numbers."""
    from dataclasses import replace

    X, y = lesson
    wrong = replace(LOSSES["sse"], gradient_factor=1.0)
    check = gradient_check(wrong, X, y, np.array([0.2, 0.3, 0.4]))
    assert check.max_error == pytest.approx(0.5, rel=1e-5)


def test_gradient_check_fields_are_plain_tuples(lesson):
    X, y = lesson
    check = gradient_check(LOSSES["bce"], X, y, [0.1, 0.2, 0.3])
    for field in (check.direction, check.analytic, check.numeric, check.relative_error):
        assert isinstance(field, tuple) and len(field) == 3
        assert all(type(v) is float for v in field)


# ---- extreme logits ----------------------------------------------------------------------------


@pytest.mark.parametrize("w", [(0.0, 1e4, 1e4), (0.0, -1e4, -1e4), (1e6, 0.0, 0.0), (-1e6, 1e6, -1e6)])
def test_bce_is_finite_for_extreme_logits(lesson, w):
    X, y = lesson
    w = np.array(w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no log(0), no overflow, no invalid operation
        loss, direction = evaluate("bce", X, y, w)
        value = LOSSES["bce"].value(X, y, w)
    assert np.isfinite(loss) and np.isfinite(value) and np.all(np.isfinite(direction))
    assert loss >= 0.0
    # with |z| >= ~1e3 every p is exactly 0 or 1: the loss is the summed |z| of the wrongly classified rows
    z = X @ w
    wrong = (z > 0) != (y == 1)
    assert loss == pytest.approx(np.abs(z[wrong]).sum(), rel=1e-12, abs=1e-300)
    assert value == pytest.approx(loss, rel=1e-12, abs=1e-300)
    p = (z > 0).astype(float)
    np.testing.assert_allclose(direction, X.T @ (p - y), rtol=1e-12, atol=1e-12)


def test_bce_at_extreme_logits_distinguishes_right_from_wrong(lesson):
    X, y = lesson
    right = np.array([-0.5, -0.2, -1.7]) * 1e4  # the direction a trained model points in, scaled up
    wrong = -right
    assert evaluate("bce", X, y, right)[0] < 1e-3 * evaluate("bce", X, y, wrong)[0]


def test_sse_is_finite_for_extreme_logits(lesson):
    X, y = lesson
    for w in [(0.0, 1e4, 1e4), (0.0, -1e4, -1e4), (1e6, -1e6, 1e6)]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loss, direction = evaluate("sse", X, y, np.array(w))
        z = X @ np.array(w)
        assert loss == float(np.count_nonzero((z > 0) != (y == 1)))  # every error is exactly 0 or 1
        # p (1 - p) is 0 or at most ~1e-304 (logits clipped to +-700)
        assert np.abs(direction).max() < 1e-200


def test_loss_formulas_are_documented():
    assert LOSSES["sse"].gradient_factor == 2.0
    assert LOSSES["bce"].gradient_factor == 1.0
    assert set(LOSSES) == {"sse", "bce"}


@pytest.mark.parametrize("kind", ["saturated", "mixed", "special"])
def test_the_saturated_sigmoid_is_the_formula_to_the_bit(kind):
    rng = np.random.default_rng({"saturated": 0, "mixed": 1, "special": 2}[kind])
    for _ in range(40):
        n = int(rng.integers(4096, 40_000))
        if kind == "saturated":
            t = rng.uniform(-3000, 3000, n)
        elif kind == "mixed":
            t = np.where(rng.random(n) < 0.9, rng.uniform(-3000, 3000, n), rng.normal(0, 20, n))
        else:
            t = rng.choice([-1e308, 1e308, np.inf, -np.inf, np.nan, -37.0, -36.99, 700.0, 699.99, 0.0, -800.0], n)
        with np.errstate(all="ignore"):
            expected = 1.0 / (1.0 + np.exp(np.clip(t, -700.0, 700.0)))
            got = sigmoid_of_negated(t.copy(), np.empty(n))
        np.testing.assert_array_equal(got, expected)
