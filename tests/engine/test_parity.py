"""Parity with the lesson: an independent plain-NumPy transcription of its training loop is the oracle.

The transcription below follows the PyImageSearch script line by line (see SEED-NOTES.md): the ones
column is appended LAST, labels are a column (N, 1), the sigmoid is 1 / (1 + exp(-x)), the loss is
np.sum(error ** 2), the gradient X.T.dot(error * p * (1 - p)) and the update W += -alpha * gradient.
The mini-batch follow-up walks consecutive `next_batch` slices and logs np.average of the batch
losses. A `bce` variant swaps in the summed binary cross-entropy and its gradient X.T.dot(p - y).

The engine keeps the bias FIRST, so engine W = (w0 bias, w1, w2) = transcription (W[2], W[0], W[1]).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.data import load_dataset

EPOCHS = 100
ALPHA = 0.01
RTOL = 1e-9


# ---- the lesson, transcribed ------------------------------------------------------------------


def sigmoid_activation(x):
    return 1.0 / (1 + np.exp(-x))


def sigmoid_deriv(x):
    # the lesson's derivative, written on the sigmoid's OUTPUT
    return x * (1 - x)


def softplus(t):
    # log(1 + e^t) without overflow: max(t, 0) + log1p(e^-|t|)
    return np.maximum(t, 0.0) + np.log1p(np.exp(-np.abs(t)))


def lesson_data():
    (X, y) = make_blobs(n_samples=1000, n_features=2, centers=2, cluster_std=1.5, random_state=1)
    y = y.reshape((y.shape[0], 1))
    X = np.c_[X, np.ones((X.shape[0]))]
    (trainX, testX, trainY, testY) = train_test_split(X, y, test_size=0.5, random_state=42)
    return trainX, testX, trainY, testY


def next_batch(X, y, batchSize):
    for i in np.arange(0, X.shape[0], batchSize):
        yield (X[i:i + batchSize], y[i:i + batchSize])


def loss_and_gradient(kind, X, y, W):
    preds = sigmoid_activation(X.dot(W))
    error = preds - y
    if kind == "sse":
        loss = np.sum(error ** 2)
        d = error * sigmoid_deriv(preds)
        gradient = X.T.dot(d)
    else:
        # summed binary cross-entropy, -log p for class 1 and -log(1 - p) for class 0, written as
        # softplus(-z) / softplus(z) so that a saturated p never becomes log(0)
        z = X.dot(W)
        loss = np.sum(np.where(y == 1, softplus(-z), softplus(z)))
        gradient = X.T.dot(error)
    return loss, gradient


def lesson_train(kind, trainX, trainY, W, epochs=EPOCHS, alpha=ALPHA, batch_size=None):
    """Returns (per-epoch losses, per-epoch weights after the epoch, printed lines)."""
    W = W.copy()
    losses, weights, lines = [], [], []
    for epoch in np.arange(0, epochs):
        if batch_size is None:
            loss, gradient = loss_and_gradient(kind, trainX, trainY, W)
            W += -alpha * gradient
        else:
            epochLoss = []
            for (batchX, batchY) in next_batch(trainX, trainY, batch_size):
                loss, gradient = loss_and_gradient(kind, batchX, batchY, W)
                epochLoss.append(loss)
                W += -alpha * gradient
            loss = np.average(epochLoss)
        losses.append(loss)
        weights.append(W.copy())
        if epoch == 0 or (epoch + 1) % 5 == 0:
            lines.append("[INFO] epoch={}, loss={:.7f}".format(int(epoch + 1), loss))
    return np.array(losses), np.array(weights)[:, :, 0], lines


def lesson_predict(X, W):
    preds = sigmoid_activation(X.dot(W))
    preds[preds <= 0.5] = 0
    preds[preds > 0] = 1
    return preds


# ---- helpers ----------------------------------------------------------------------------------


def to_engine(W_lesson):
    """Lesson (w1, w2, bias) -> engine (bias, w1, w2)."""
    flat = np.asarray(W_lesson).reshape(-1)
    return np.array([flat[2], flat[0], flat[1]])


@pytest.fixture(scope="module")
def lesson():
    return lesson_data()


def initial_W(seed):
    # the lesson's W = np.random.randn(3, 1), seeded so the run is repeatable
    return np.random.default_rng(seed).standard_normal((3, 1))


def engine_run(kind, W, batch_size):
    Wl = W.reshape(-1)
    config = TrainConfig(loss=kind, batch_size=batch_size, epochs=EPOCHS, alpha=ALPHA,
                         init_weights=(float(Wl[2]), float(Wl[0]), float(Wl[1])), seed=0)
    trainer = create_trainer(config)
    reason = trainer.run()
    return trainer, reason


# ---- tests ------------------------------------------------------------------------------------


def test_engine_data_is_the_lessons_data_with_the_bias_first(lesson):
    trainX, testX, trainY, testY = lesson
    data = load_dataset(TrainConfig())
    assert trainX.shape == (500, 3) and testX.shape == (500, 3)
    assert data.X_train.shape == (500, 3) and data.X_test.shape == (500, 3)
    assert data.y_train.shape == (500,) and data.y_test.shape == (500,)
    # engine column order (1, x1, x2) is the lesson's (x1, x2, 1) rotated
    np.testing.assert_array_equal(data.X_train[:, [1, 2, 0]], trainX)
    np.testing.assert_array_equal(data.X_test[:, [1, 2, 0]], testX)
    np.testing.assert_array_equal(data.y_train, trainY[:, 0])
    np.testing.assert_array_equal(data.y_test, testY[:, 0])
    assert np.all(data.X_train[:, 0] == 1.0)
    # the lesson's support: 250 / 250 in the test split
    assert int(data.y_test.sum()) == 250


@pytest.mark.parametrize("batch_size", [None, 32], ids=["full-batch", "batch32"])
@pytest.mark.parametrize("kind", ["sse", "bce"])
@pytest.mark.parametrize("seed", [3, 2024])
def test_engine_reproduces_the_lessons_losses_and_weights(lesson, kind, batch_size, seed):
    trainX, testX, trainY, testY = lesson
    W0 = initial_W(seed)
    losses, weights, _ = lesson_train(kind, trainX, trainY, W0, batch_size=batch_size)
    assert np.all(np.isfinite(losses)) and len(losses) == EPOCHS

    trainer, reason = engine_run(kind, W0, batch_size)
    assert reason == "epochs"
    assert trainer.epoch == EPOCHS
    hist = trainer.history
    assert hist.losses.shape == (EPOCHS + 1,)
    np.testing.assert_allclose(hist.losses[1:], losses, rtol=RTOL, atol=0)
    np.testing.assert_allclose(hist.weights[0], to_engine(W0), rtol=0, atol=0)
    scale = np.abs(weights).max()
    np.testing.assert_allclose(hist.weights[1:], weights[:, [2, 0, 1]], rtol=RTOL, atol=RTOL * scale)
    np.testing.assert_allclose(trainer.weights, to_engine(weights[-1]), rtol=RTOL, atol=RTOL * scale)
    # the loss must actually have come down, else the comparison would prove little
    assert losses[-1] < 0.1 * losses[0]

    # prediction: sigmoid(X.W) > 0.5 -> class 1, the same on the test split
    expected = lesson_predict(testX, weights[-1].reshape(3, 1))[:, 0]
    np.testing.assert_array_equal(trainer.predict(trainer.weights, "test"), expected)


def test_initial_loss_row_is_the_lessons_loss_at_the_initial_weights(lesson):
    trainX, _, trainY, _ = lesson
    W0 = initial_W(11)
    for kind in ("sse", "bce"):
        trainer = create_trainer(TrainConfig(loss=kind, init_weights=tuple(to_engine(W0).tolist()), seed=0))
        expected, _ = loss_and_gradient(kind, trainX, trainY, W0)
        assert trainer.history.losses[0] == pytest.approx(expected, rel=1e-12)
        # and in full-batch mode epoch 1's loss is measured at the same weights
        trainer.step_epoch()
        assert trainer.history.losses[1] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("batch_size", [None, 32], ids=["full-batch", "batch32"])
def test_log_lines_match_the_lessons_printout(lesson, batch_size):
    from gdtui.headless import log_lines

    trainX, _, trainY, _ = lesson
    W0 = initial_W(5)
    _, _, lines = lesson_train("sse", trainX, trainY, W0, batch_size=batch_size)
    assert len(lines) == 21
    assert [int(line.split("epoch=")[1].split(",")[0]) for line in lines] == [1] + list(range(5, 101, 5))

    trainer, _ = engine_run("sse", W0, batch_size)
    assert log_lines(trainer.history.losses[1:]) == lines


def test_train_command_prints_the_lessons_log(lesson, capsys):
    from gdtui.headless import train

    trainX, _, trainY, _ = lesson
    W0 = initial_W(8)
    _, _, lines = lesson_train("sse", trainX, trainY, W0)
    Wl = W0.reshape(-1)
    config = TrainConfig(init_weights=(float(Wl[2]), float(Wl[0]), float(Wl[1])), seed=0)
    assert train(config) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "[INFO] training..."
    assert [line for line in out if line.startswith("[INFO] epoch=")] == lines
    assert "[INFO] evaluating..." in out


def test_the_engine_sse_step_is_the_gradient_of_half_the_printed_loss(lesson):
    """The lesson's factor 2: its printed loss is sum(e^2) but it steps along the gradient of ½·sum(e^2)."""
    trainX, _, trainY, _ = lesson
    W0 = initial_W(1)
    _, gradient = loss_and_gradient("sse", trainX, trainY, W0)
    h = 1e-6
    numeric = np.empty(3)
    for i in range(3):
        step = np.zeros((3, 1))
        step[i] = h
        up, _ = loss_and_gradient("sse", trainX, trainY, W0 + step)
        down, _ = loss_and_gradient("sse", trainX, trainY, W0 - step)
        numeric[i] = (up - down) / (2 * h)
    np.testing.assert_allclose(2 * gradient[:, 0], numeric, rtol=1e-5, atol=1e-6 * np.abs(numeric).max())

    trainer = create_trainer(TrainConfig(init_weights=tuple(to_engine(W0).tolist()), seed=0))
    trainer.step_epoch()
    np.testing.assert_allclose(trainer.history.directions[1], to_engine(gradient), rtol=1e-12)
    np.testing.assert_allclose(trainer.history.steps[1], -ALPHA * to_engine(gradient), rtol=1e-12)
