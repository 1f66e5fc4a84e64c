"""The models beyond the lesson's (feature maps, standardizing, L1/L2, hinge, softmax, multi-class
SVM, K classes) against an independent transcription written here.

The oracle builds its own design matrix from scikit-learn's generators and split, computes each
loss and its (sub)gradient row by row in plain Python loops over NumPy rows (not the engine's
vectorised kernels), applies the penalties and the update rules as torch.optim documents them
(SGD with momentum: b = mu*b + g, p -= lr*b; Adam: m = b1*m + (1-b1)*g, v = b2*v + (1-b2)*g²,
p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)), walks mini-batches as consecutive slices, and
records each epoch's loss and penalty as the lesson does: before each update, the mean over
the epoch's batches. Nothing here calls the engine's losses, penalties or update rules.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_circles
from sklearn.model_selection import train_test_split

from gdtui.engine import ConfigError, DataError, TrainConfig, create_trainer, load_dataset
from gdtui.engine.config import BINARY_LOSSES, CLASS_LOSSES, LOSSES, SIGMOID_LOSSES
from gdtui.engine.multiclass import loss_named
from gdtui.engine.race import Race
from gdtui.engine.session import from_document, to_document

EPOCHS = 30
RTOL = 1e-9


# ---- the oracle --------------------------------------------------------------------------------


def oracle_columns(points, features):
    """Rows (1, f1, f2, ...) built one named column at a time."""
    x1, x2 = points[:, 0], points[:, 1]
    table = {"x1": x1, "x2": x2, "x1^2": x1 ** 2, "x2^2": x2 ** 2, "x1x2": x1 * x2,
             "sin1": np.sin(x1), "sin2": np.sin(x2)}
    return np.column_stack([np.ones(len(points))] + [table[name] for name in features])


def oracle_data(kind="blobs", classes=2, features=("x1", "x2"), standardize=False, samples=1000):
    if kind == "blobs":
        X, y = make_blobs(n_samples=samples, n_features=2, centers=classes, cluster_std=1.5, random_state=1)
    else:
        X, y = make_circles(n_samples=samples, noise=0.1, random_state=1)
    Ptr, Pte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=42)
    Xtr, Xte = oracle_columns(Ptr, features), oracle_columns(Pte, features)
    if standardize:
        mean = Xtr[:, 1:].mean(axis=0)
        std = np.sqrt(((Xtr[:, 1:] - mean) ** 2).mean(axis=0))
        Xtr[:, 1:] = (Xtr[:, 1:] - mean) / std
        Xte[:, 1:] = (Xte[:, 1:] - mean) / std
    return Xtr, ytr.astype(float), Xte, yte.astype(float)


def sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def oracle_loss(kind, X, y, W):
    """(loss, gradient) summed over the rows, one row at a time."""
    total, grad = 0.0, np.zeros(W.shape)
    for x, label in zip(X, y):
        if kind == "sse":
            p = sig(float(x @ W))
            total += (p - label) ** 2
            grad += (p - label) * p * (1 - p) * x  # the gradient of ½·SSE
        elif kind == "bce":
            z = float(x @ W)
            total += math.log1p(math.exp(-abs(z))) + max(z, 0.0) - label * z
            grad += (sig(z) - label) * x
        elif kind == "hinge":
            t = 1.0 if label == 1 else -1.0
            margin = 1.0 - t * float(x @ W)
            if margin > 0:
                total += margin
                grad -= t * x
        elif kind == "softmax":
            s = [float(x @ W[k]) for k in range(len(W))]
            top = max(s)
            log_sum = top + math.log(sum(math.exp(v - top) for v in s))
            c = int(label)
            total += log_sum - s[c]
            for k in range(len(W)):
                grad[k] += (math.exp(s[k] - log_sum) - (k == c)) * x
        else:  # svm
            s = [float(x @ W[k]) for k in range(len(W))]
            c = int(label)
            for j in range(len(W)):
                if j == c:
                    continue
                margin = s[j] - s[c] + 1.0
                if margin > 0:
                    total += margin
                    grad[j] += x
                    grad[c] -= x
    return total, grad


def oracle_penalty(kind, lam, W):
    free = np.array(W, dtype=float)
    free[..., 0] = 0.0  # the bias is never penalised
    if kind == "l2":
        return lam / 2 * float(np.sum(free ** 2)), lam * free
    if kind == "l1":
        return lam * float(np.sum(np.abs(free))), lam * np.sign(free)
    return 0.0, np.zeros(W.shape)


def oracle_train(X, y, W, kind, rule, alpha, epochs, batch=None, penalty="none", lam=0.0, mu=0.9):
    W = np.array(W, dtype=float)
    b = np.zeros(W.shape)
    m, v, t = np.zeros(W.shape), np.zeros(W.shape), 0
    size = len(y) if batch is None else batch
    losses, penalties = [], []
    for _ in range(epochs):
        batch_losses, batch_penalties = [], []
        for i in range(0, len(y), size):
            loss, g = oracle_loss(kind, X[i:i + size], y[i:i + size], W)
            pen, pen_g = oracle_penalty(penalty, lam, W)
            g = g + pen_g
            batch_losses.append(loss)
            batch_penalties.append(pen)
            if rule == "momentum":
                b = mu * b + g
                W = W - alpha * b
            else:  # adam
                t += 1
                m = 0.9 * m + 0.1 * g
                v = 0.999 * v + 0.001 * g * g
                W = W - alpha * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        losses.append(sum(batch_losses) / len(batch_losses))
        penalties.append(sum(batch_penalties) / len(batch_penalties))
    return np.array(losses), np.array(penalties), W


def start_for(shape, seed=7):
    return np.random.default_rng(seed).normal(scale=0.5, size=shape)


CASES = [
    # (loss, classes, features, standardize, penalty, lam, alpha)
    ("sse", 2, ("x1", "x2"), False, "l2", 0.5, 0.01),
    ("bce", 2, ("x1", "x2"), False, "l1", 0.3, 0.001),
    ("hinge", 2, ("x1", "x2"), False, "none", 0.0, 0.001),
    ("hinge", 2, ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2"), True, "l2", 1.0, 0.001),
    ("bce", 2, ("x1^2", "x2^2", "x1x2"), True, "none", 0.0, 0.005),
    ("sse", 2, ("sin1", "x2", "x1x2"), False, "none", 0.0, 0.01),
    ("softmax", 3, ("x1", "x2"), False, "none", 0.0, 0.001),
    ("softmax", 4, ("x1", "x2", "x1^2"), True, "l2", 0.2, 0.001),
    ("svm", 3, ("x1", "x2"), False, "l1", 0.1, 0.001),
    ("svm", 5, ("x1", "x2", "sin1", "sin2"), True, "none", 0.0, 0.002),
]


@pytest.mark.parametrize("rule", ["momentum", "adam"])
@pytest.mark.parametrize("batch", [None, 64])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-K{c[1]}-d{1 + len(c[2])}-{c[4]}")
def test_training_matches_the_transcription(case, batch, rule):
    kind, classes, features, standardize, penalty, lam, alpha = case
    multi = kind in ("softmax", "svm")
    d = 1 + len(features)
    shape = (classes, d) if multi else (d,)
    W0 = start_for(shape)
    Xtr, ytr, _, _ = oracle_data("blobs", classes, features, standardize)
    trainer = create_trainer(TrainConfig(loss=kind, classes=classes, features=features, standardize=standardize,
                                         penalty=penalty, lam=lam, optimizer=rule, alpha=alpha, batch_size=batch,
                                         epochs=EPOCHS, init_weights=tuple(W0.ravel().tolist()), seed=0))
    np.testing.assert_array_equal(trainer.data.X_train, Xtr) if not standardize else \
        np.testing.assert_allclose(trainer.data.X_train, Xtr, rtol=1e-12, atol=1e-12)
    assert trainer.run() == "epochs"
    losses, penalties, W = oracle_train(Xtr, ytr, W0, kind, rule, alpha, EPOCHS, batch, penalty, lam)
    h = trainer.history
    assert trainer.weights.shape == shape and h.weights.shape == (EPOCHS + 1, *shape)
    np.testing.assert_allclose(h.losses[1:], losses, rtol=RTOL)
    np.testing.assert_allclose(h.penalties[1:], penalties, rtol=RTOL, atol=0)
    np.testing.assert_allclose(trainer.weights, W, rtol=RTOL, atol=1e-12)
    assert losses[-1] < losses[0]  # (it learns: the comparison is not of two idle runs)


def test_the_bias_is_never_penalised():
    # gd from (0.5, 0, 0): the first update sees sign(0) = 0 (no push at all), the second pushes
    # w1, w2 only, so the bias moves as without the penalty until the data gradient differs
    config = dict(loss="bce", optimizer="gd", alpha=0.001, epochs=5, init_weights=(0.5, 0.0, 0.0), seed=0)
    free = create_trainer(TrainConfig(**config))
    heavy = create_trainer(TrainConfig(**config, penalty="l1", lam=1e3))
    free.run(1), heavy.run(1)
    assert heavy.weights.tobytes() == free.weights.tobytes()
    heavy.run(1), free.run(1)
    assert heavy.weights[0] == free.weights[0]
    np.testing.assert_allclose(heavy.weights[1:] - free.weights[1:], -0.001 * 1e3 * np.sign(free.weights[1:]),
                               rtol=1e-9)
    assert heavy.history.penalties[0] == 0.0 and heavy.history.penalties[2] > 0


def test_l2_is_torch_weight_decay_on_the_non_bias_weights():
    # torch: g += weight_decay * p for the parameters with decay; the bias group has none
    X, y, _, _ = oracle_data()
    W0 = np.array([0.3, -0.2, 0.7])
    trainer = create_trainer(TrainConfig(penalty="l2", lam=2.0, alpha=0.001, epochs=1, init_weights=tuple(W0),
                                         seed=0))
    trainer.run()
    _, g = oracle_loss("sse", X, y, W0)
    g[1:] += 2.0 * W0[1:]
    np.testing.assert_allclose(trainer.weights, W0 - 0.001 * g, rtol=1e-12)


def test_hinge_subgradient_is_zero_on_the_hinge():
    # one row exactly on the margin: t·z = 1 → no contribution
    from gdtui.engine.multiclass import hinge
    X = np.array([[1.0, 1.0, 0.0], [1.0, -2.0, 0.0]])
    y = np.array([1.0, 0.0])
    w = np.array([0.0, 1.0, 0.0])  # row 0: z = 1, t = +1, margin 0; row 1: z = -2, t = -1, margin -1
    loss, direction, right = hinge(X, y, w)
    assert loss == 0.0 and not direction.any() and right == 2


@pytest.mark.parametrize("classes", [3, 4, 6])
def test_blobs_with_k_classes_are_scikit_learns_exactly(classes):
    data = load_dataset(TrainConfig(classes=classes, loss="softmax", samples=1001))
    X, y = make_blobs(n_samples=1001, n_features=2, centers=classes, cluster_std=1.5, random_state=1)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=42)
    np.testing.assert_array_equal(data.X_train[:, 1:], Xtr)
    np.testing.assert_array_equal(data.X_test[:, 1:], Xte)
    np.testing.assert_array_equal(data.y_train, ytr)
    np.testing.assert_array_equal(data.y_test, yte)
    assert data.labels == tuple(str(k) for k in range(classes))


def test_a_csv_with_three_labels_maps_them_in_sorted_order(tmp_path):
    path = tmp_path / "animals.csv"
    rows = [(0.0, 0.0, "dog"), (5.0, 5.0, "cat"), (-5.0, 5.0, "panda")] * 10
    path.write_text("x1,x2,label\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows))
    trainer = create_trainer(TrainConfig(dataset=str(path), loss="softmax", seed=0, alpha=0.01, epochs=200))
    assert trainer.config.classes == 3 and trainer.data.labels == ("cat", "dog", "panda")
    assert trainer.data.label_mapping == "cat -> 0, dog -> 1, panda -> 2"
    assert trainer.weights.shape == (3, 3)
    trainer.run()
    assert trainer.accuracy(trainer.weights, "test") == 1.0
    with pytest.raises(DataError, match=r"animals\.csv: 3 classes \(cat -> 0, dog -> 1, panda -> 2\) need --loss"):
        create_trainer(TrainConfig(dataset=str(path), seed=0))


def test_the_feature_columns_and_their_standardizing():
    config = TrainConfig(features=("x1x2", "sin2", "x1^2"), standardize=True)
    data = load_dataset(config)
    Xtr, _, Xte, _ = oracle_data(features=("x1x2", "sin2", "x1^2"), standardize=True)
    np.testing.assert_allclose(data.X_train, Xtr, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(data.X_test, Xte, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(data.X_train[:, 1:].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X_train[:, 1:].std(axis=0), 1, rtol=1e-12)
    assert (data.X_train[:, 0] == 1).all() and data.train_points.shape == (500, 2)


def test_circles_with_squares_are_solved():
    trainer = create_trainer(TrainConfig(dataset="circles", features=("x1^2", "x2^2"), loss="bce", alpha=0.05,
                                         epochs=300, seed=0))
    trainer.run()
    assert trainer.accuracy(trainer.weights, "test") >= 0.95
    plain = create_trainer(TrainConfig(dataset="circles", loss="bce", alpha=0.05, epochs=300, seed=0))
    plain.run()
    assert plain.accuracy(plain.weights, "test") < 0.75  # (a straight line cannot)


def test_three_blobs_with_softmax_train_to_high_accuracy():
    trainer = create_trainer(TrainConfig(classes=3, loss="softmax", alpha=0.001, epochs=200, seed=0))
    trainer.run()
    assert trainer.accuracy(trainer.weights, "test") >= 0.95
    predicted = trainer.predict(trainer.weights)
    assert set(predicted.tolist()) == {0, 1, 2}


@pytest.mark.parametrize("changes, needle", [
    (dict(loss="softmax", init_weights=(1.0, 2.0, 3.0)), "6 numbers for 2 rows of 3"),
    (dict(init_weights=(1.0, 2.0)), "3 numbers for one row of 3 (bias, x1, x2)"),
    (dict(features=("x1", "x1^2"), init_weights=(1.0, 2.0)), "3 numbers for one row of 3 (bias, x1, x1^2)"),
    (dict(classes=3), "softmax or svm with 3 classes"),
    (dict(classes=3, loss="svm", dataset="circles"), "2 for circles"),
    (dict(lam=0.1), "lam needs a penalty"),
    (dict(penalty="l3"), "penalty must be one of none, l1, l2"),
    (dict(features=("x3",)), "features must be a comma list"),
    (dict(features=()), "features must be a comma list"),
    (dict(classes=7, loss="softmax"), "classes must be an integer in [2, 6]"),
])
def test_bad_model_settings_are_refused(changes, needle):
    with pytest.raises(ConfigError) as caught:
        TrainConfig(**changes).validated()
    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_a_live_trainer_keeps_its_weight_shape():
    trainer = create_trainer(TrainConfig(seed=0))
    with pytest.raises(ConfigError, match="weights of the shape"):
        trainer.configure(loss="softmax")
    trainer.configure(loss="hinge", penalty="l2", lam=0.1)  # (the same shape: fine)
    assert trainer.step_epoch()


@pytest.mark.parametrize("config", [
    TrainConfig(classes=3, loss="softmax", optimizer="adam", batch_size=40, shuffle=True, alpha=0.01, seed=3,
                epochs=12, penalty="l2", lam=0.1, schedule="exp"),
    TrainConfig(classes=4, loss="svm", optimizer="nesterov", batch_size=70, alpha=0.001, seed=3, epochs=12,
                features=("x1", "x2", "x1x2"), standardize=True, penalty="l1", lam=0.05),
    TrainConfig(dataset="circles", loss="hinge", optimizer="rmsprop", batch_size=33, alpha=0.01, seed=3, epochs=12,
                features=("x1^2", "x2^2"), penalty="l2", lam=0.5),
], ids=["softmax", "svm", "hinge"])
def test_every_shape_saves_mid_epoch_forks_and_races_to_the_bit(config):
    whole = create_trainer(config)
    whole.run()
    part = create_trainer(config)
    part.run(5)
    part.step_batch(), part.step_batch()
    resumed = from_document(to_document(part))
    assert resumed.state().batch_penalties == part.state().batch_penalties and len(part.state().batch_penalties) == 2
    resumed.run()
    for name in ("weights", "losses", "penalties", "alphas"):
        assert getattr(resumed.history, name).tobytes() == getattr(whole.history, name).tobytes(), name
    forked = create_trainer(config)
    forked.run()
    assert forked.fork(4) == config.epochs - 4
    assert forked.weights.tobytes() == whole.history.weights[4].tobytes() and len(forked.history) == 5
    forked.run()
    if not config.shuffle:  # (a fork keeps the RNG where it is: shuffled epochs are drawn anew)
        assert forked.history.weights.tobytes() == whole.history.weights.tobytes()
    assert forked.weights.shape == whole.weights.shape and len(forked.history) == config.epochs + 1
    race = Race(load_dataset(config), config, (config.optimizer, "gd"))
    race.run()
    assert race.trainers[config.optimizer].history.losses.tobytes() == whole.history.losses.tobytes()
    again = from_document(to_document(race))
    assert again.trainers["gd"].weights.tobytes() == race.trainers["gd"].weights.tobytes()


def test_every_rule_and_schedule_trains_a_k_class_model():
    for rule in ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"):
        for schedule in ("constant", "step", "exp", "inv"):
            trainer = create_trainer(TrainConfig(classes=3, loss="softmax", optimizer=rule, schedule=schedule,
                                                 alpha=0.001, epochs=20, seed=1))
            before = trainer.history.losses[0]
            assert trainer.run() == "epochs"
            assert trainer.history.losses[-1] < before, (rule, schedule)


@pytest.mark.parametrize("kind, classes, tolerance", [("softmax", 3, 1e-6), ("svm", 4, 1e-6), ("hinge", 2, 1e-6)])
def test_the_gradient_check_agrees_for_the_score_losses(kind, classes, tolerance):
    from gdtui.engine.gradcheck import gradient_check
    trainer = create_trainer(TrainConfig(loss=kind, classes=classes, features=("x1", "x2", "x1x2"), seed=2))
    X, y = trainer.data.X_train[:60], trainer.data.y_train[:60]
    check = gradient_check(trainer.loss, X, y, trainer.weights)
    assert len(check.direction) == trainer.weights.size and check.max_error < tolerance
    _, oracle = oracle_loss(kind, X, y, trainer.weights)
    np.testing.assert_allclose(np.reshape(check.direction, trainer.weights.shape), oracle, rtol=1e-9, atol=1e-12)


def test_every_loss_is_found_by_its_name_and_the_families_cover_them():
    assert [loss_named(name).name for name in LOSSES] == ["sse", "bce", "hinge", "softmax", "svm"]
    assert CLASS_LOSSES == ("softmax", "svm") and SIGMOID_LOSSES == ("sse", "bce")
    assert set(BINARY_LOSSES) | set(CLASS_LOSSES) == set(LOSSES) and not set(BINARY_LOSSES) & set(CLASS_LOSSES)
