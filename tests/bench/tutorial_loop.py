"""The lesson's training script, transcribed plainly: the baseline gdtui is measured against.

This is the per-epoch NumPy loop of PyImageSearch's "Gradient Descent with Python" as the lesson
writes it: the ones column appended LAST, labels as a column (N, 1), sigmoid 1 / (1 + exp(-x)),
loss = np.sum(error ** 2), gradient = X.T.dot(error * p * (1 - p)), W += -alpha * gradient, a log
line at epoch 1 and every 5th epoch, and the losses kept in a list for the lesson's loss plot.

Differences from the lesson, so that the two processes the benchmark compares do the same work:
- the data: by default the NumPy generator gdtui itself uses (`gdtui.engine.generate`, which draws
  exactly what scikit-learn's make_blobs / train_test_split draw), so neither process imports
  scikit-learn; `--sklearn` uses scikit-learn's functions instead (and pays their import, ~1 s);
- the weights are seeded (`--seed`), since the lesson's are not;
- the final report is the test accuracy (one line), not scikit-learn's classification_report,
  because `gdtui train --json` prints no report either;
- `--quiet` leaves out the per-epoch log lines (the losses are still kept).

Run as `python tests/bench/tutorial_loop.py --samples 1000 --epochs 100 --alpha 0.01`.
"""

import argparse
import time

import numpy as np


def sigmoid_activation(x):
    return 1.0 / (1 + np.exp(-x))


def sigmoid_deriv(x):
    # the lesson's derivative, written on the sigmoid's output
    return x * (1 - x)


def predict(X, W):
    preds = sigmoid_activation(X.dot(W))
    preds[preds <= 0.5] = 0
    preds[preds > 0] = 1
    return preds


def make_data(samples, use_sklearn):
    if use_sklearn:
        from sklearn.datasets import make_blobs
        from sklearn.model_selection import train_test_split

        (X, y) = make_blobs(n_samples=samples, n_features=2, centers=2, cluster_std=1.5, random_state=1)
        y = y.reshape((y.shape[0], 1))
        X = np.c_[X, np.ones((X.shape[0]))]
        return train_test_split(X, y, test_size=0.5, random_state=42)
    from gdtui.engine import generate

    (X, y) = generate.blobs(samples, 1.5, 1)
    y = y.reshape((y.shape[0], 1))
    X = np.c_[X, np.ones((X.shape[0]))]
    train, test = generate.split_indices(len(y), 0.5, 42)
    return X[train], X[test], y[train], y[test]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--alpha", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sklearn", action="store_true", help="generate the data with scikit-learn")
    ap.add_argument("--quiet", action="store_true", help="no per-epoch log lines")
    ap.add_argument("--time-loop", action="store_true", help="also print the loop's own seconds")
    args = ap.parse_args(argv)

    (trainX, testX, trainY, testY) = make_data(args.samples, args.sklearn)

    print("[INFO] training...")
    np.random.seed(args.seed)
    W = np.random.randn(trainX.shape[1], 1)
    losses = []

    started = time.perf_counter()
    for epoch in np.arange(0, args.epochs):
        preds = sigmoid_activation(trainX.dot(W))
        error = preds - trainY
        loss = np.sum(error ** 2)
        losses.append(loss)
        d = error * sigmoid_deriv(preds)
        gradient = trainX.T.dot(d)
        W += -args.alpha * gradient
        if not args.quiet and (epoch == 0 or (epoch + 1) % 5 == 0):
            print("[INFO] epoch={}, loss={:.7f}".format(int(epoch + 1), loss))
    loop_seconds = time.perf_counter() - started

    print("[INFO] evaluating...")
    preds = predict(testX, W)
    print("[INFO] test accuracy={:.4f}".format(float(np.mean(preds == testY))))
    if args.time_loop:
        print("[TIME] loop_seconds={:.6f} epochs={}".format(loop_seconds, args.epochs))


if __name__ == "__main__":
    main()
