"""`gdtui train` and the option parser, end to end.

Most cases call `gdtui.cli.main([...])` in-process (fast); a handful run the real command in a
subprocess (`python -m gdtui`, the console script) to prove the whole path, exit status and stderr.
The oracles are computed here: the lesson's data from scikit-learn, a plain-NumPy transcription of
the lesson's update (bias LAST, as the lesson writes it), and CSV files whose content each test writes.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_moons
from sklearn.model_selection import train_test_split

from cli_support import run

EPOCH_LINE = re.compile(r"^\[INFO\] epoch=(\d+), loss=(-?\d+\.\d{7})$")
REPORT_ROW = re.compile(r"^\s*(\S+)\s+(\d\.\d\d)\s+(\d\.\d\d)\s+(\d\.\d\d)\s+(\d+)$")
LOGGED_EPOCHS = [1] + list(range(5, 101, 5))


# ---- helpers -------------------------------------------------------------------------------------



def run_json(capsys, *args):
    code, out, err = run(capsys, "train", "--json", *args)
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def run_subprocess(*args, env=None):
    environment = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "gdtui", *args], capture_output=True, text=True,
                          env=environment, timeout=120)


def assert_usage_error(code, out, err, *needles):
    """Exit status 2, nothing on stdout, exactly one `gdtui: error:` line naming the culprit."""
    assert code == 2, (code, out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gdtui: error: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert out == ""


def lesson_data(samples=1000, cluster_std=1.5, data_seed=1, test_size=0.5):
    """The lesson's data and split, with the ones column LAST as the lesson appends it."""
    X, y = make_blobs(n_samples=samples, n_features=2, centers=2, cluster_std=cluster_std, random_state=data_seed)
    X = np.c_[X, np.ones(len(X))]
    return train_test_split(X, y.astype(float), test_size=test_size, random_state=42)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lesson_losses(X, y, W, epochs, alpha=0.01, batch_size=None):
    """The lesson's loop (gradient_descent.py / sgd.py), W a (3, 1) column with the bias LAST."""
    W = np.array(W, dtype=float).reshape(3, 1)
    y = y.reshape(-1, 1)
    size = len(y) if batch_size is None else batch_size
    losses = []
    for _ in range(epochs):
        epoch_losses = []
        for start in range(0, len(y), size):
            bX, by = X[start:start + size], y[start:start + size]
            preds = sigmoid(bX.dot(W))
            error = preds - by
            epoch_losses.append(np.sum(error ** 2))
            gradient = bX.T.dot(error * preds * (1 - preds))
            W += -alpha * gradient
        losses.append(float(np.average(epoch_losses)))
    return losses, W.ravel()


def bias_last(w):
    """gdtui's (w0 bias, w1, w2) -> the lesson's (w1, w2, bias)."""
    return [w[1], w[2], w[0]]


def accuracy(X, y, w_bias_last):
    return float(np.mean((X @ np.asarray(w_bias_last) > 0) == (y > 0.5)))


def write_csv(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return str(path)


def pets(n=40, seed=5):
    """Two clusters of points labelled cat / dog (cat on the left)."""
    rng = np.random.default_rng(seed)
    labels = np.array(["cat", "dog"] * (n // 2))
    centres = np.where(labels[:, None] == "cat", [-2.0, 0.5], [2.0, -0.5])
    points = centres + rng.normal(size=(n, 2))
    return points, labels


def csv_text(points, labels, header=True, newline="\n"):
    lines = (["x1,x2,label"] if header else []) + [f"{float(a)!r},{float(b)!r},{lab}"
                                                   for (a, b), lab in zip(points, labels)]
    return newline.join(lines) + newline


def report_rows(out):
    rows = {}
    for line in out.splitlines():
        m = REPORT_ROW.match(line)
        if m:
            rows[m.group(1)] = (float(m.group(2)), float(m.group(3)), float(m.group(4)), int(m.group(5)))
    return rows


# ---- the default run, end to end ------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_text_run():
    """`python -m gdtui train --seed 0` in a real process."""
    return run_subprocess("train", "--seed", "0")


def test_default_run_prints_the_lessons_log(default_text_run):
    proc = default_text_run
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[0] == "[INFO] training..."
    epoch_lines = lines[1:22]
    matches = [EPOCH_LINE.match(line) for line in epoch_lines]
    assert all(matches), epoch_lines
    assert [int(m.group(1)) for m in matches] == LOGGED_EPOCHS
    assert lines[22] == "[INFO] evaluating..."
    assert sum(bool(EPOCH_LINE.match(line)) for line in lines) == 21
    # gradient descent on the lesson's data: the logged loss falls from first to last
    losses = [float(m.group(2)) for m in matches]
    assert losses[-1] < losses[0]


def test_default_run_reports_250_and_250(default_text_run):
    rows = report_rows(default_text_run.stdout)
    _, _, _, y_test = lesson_data()
    assert rows["0"][3] == 250 == int(np.sum(y_test == 0))
    assert rows["1"][3] == 250 == int(np.sum(y_test == 1))
    assert "accuracy" in default_text_run.stdout


def test_default_log_equals_json_losses_and_report_matches_weights(default_text_run, capsys):
    doc = run_json(capsys, "--seed", "0")
    printed = {int(m.group(1)): m.group(2)
               for m in map(EPOCH_LINE.match, default_text_run.stdout.splitlines()) if m}
    assert printed == {e: f"{doc['losses'][e - 1]:.7f}" for e in LOGGED_EPOCHS}
    # the report's accuracy row is the JSON weights' accuracy on the lesson's test split
    _, X_test, _, y_test = lesson_data()
    acc = accuracy(X_test, y_test, bias_last(doc["weights"]))
    assert acc == doc["test_accuracy"]
    row = next(line for line in default_text_run.stdout.splitlines() if line.strip().startswith("accuracy"))
    assert row.split()[1] == f"{acc:.2f}"
    assert row.split()[2] == "500"


def test_log_lines_equal_an_independent_transcription(capsys):
    w0 = [0.5, -0.25, 1.0]
    code, out, err = run(capsys, "train", "--init-weights=0.5,-0.25,1")
    assert code == 0, err
    X_train, _, y_train, _ = lesson_data()
    losses, _ = lesson_losses(X_train, y_train, bias_last(w0), epochs=100)
    expected = [f"[INFO] epoch={e}, loss={losses[e - 1]:.7f}" for e in LOGGED_EPOCHS]
    assert [line for line in out.splitlines() if line.startswith("[INFO] epoch=")] == expected


# ---- --json ---------------------------------------------------------------------------------------


def test_json_document(capsys):
    code, out, err = run(capsys, "train", "--json", "--seed", "3", "--epochs", "40")
    assert code == 0 and err == ""
    doc = json.loads(out)  # the whole of stdout is one JSON object
    assert isinstance(doc, dict)
    assert {"losses", "weights", "train_accuracy", "test_accuracy", "epochs_run", "stop_reason",
            "config"} <= doc.keys()
    assert doc["epochs_run"] == 40 and doc["stop_reason"] == "epochs"
    assert len(doc["losses"]) == 40
    assert all(isinstance(v, float) and math.isfinite(v) for v in doc["losses"])
    assert len(doc["weights"]) == 3 and all(math.isfinite(w) for w in doc["weights"])
    X_train, X_test, y_train, y_test = lesson_data()
    w = bias_last(doc["weights"])
    assert doc["train_accuracy"] == accuracy(X_train, y_train, w)
    assert doc["test_accuracy"] == accuracy(X_test, y_test, w)
    cfg = doc["config"]
    assert cfg["seed"] == 3 and cfg["epochs"] == 40 and cfg["alpha"] == 0.01
    assert cfg["dataset"] == "blobs" and cfg["loss"] == "sse" and cfg["optimizer"] == "gd"
    assert cfg["samples"] == 1000 and cfg["test_size"] == 0.5 and cfg["data_seed"] == 1


def test_seed_fixes_only_the_start(capsys):
    doc = run_json(capsys, "--seed", "7", "--epochs", "25")
    assert doc == run_json(capsys, "--seed", "7", "--epochs", "25")
    assert doc["losses"] != run_json(capsys, "--seed", "8", "--epochs", "25")["losses"]
    # after one epoch from the seeded start, the rest is the lesson's loop from those weights
    one = run_json(capsys, "--seed", "7", "--epochs", "1")
    assert one["losses"][0] == doc["losses"][0]
    X_train, _, y_train, _ = lesson_data()
    losses, w = lesson_losses(X_train, y_train, bias_last(one["weights"]), epochs=24)
    np.testing.assert_allclose(doc["losses"][1:], losses, rtol=1e-10)
    np.testing.assert_allclose(bias_last(doc["weights"]), w, rtol=1e-10, atol=1e-12)
    resumed = run_json(capsys, "--init-weights=" + ",".join(map(repr, one["weights"])), "--epochs", "24")
    np.testing.assert_allclose(resumed["losses"], doc["losses"][1:], rtol=1e-12)


def test_seed_drawn_when_absent_is_reported_and_reproduces(capsys):
    first = run_json(capsys, "--epochs", "5")
    seed = first["config"]["seed"]
    assert isinstance(seed, int) and 0 <= seed < 2**32
    again = run_json(capsys, "--epochs", "5", "--seed", str(seed))
    assert again["losses"] == first["losses"] and again["weights"] == first["weights"]


def test_init_weights_negative_in_equals_form(capsys):
    doc = run_json(capsys, "--init-weights=-1,2,3", "--epochs", "1")
    assert doc["config"]["init_weights"] == [-1.0, 2.0, 3.0]
    X_train, _, y_train, _ = lesson_data()
    losses, w = lesson_losses(X_train, y_train, bias_last([-1.0, 2.0, 3.0]), epochs=1)
    assert doc["losses"][0] == pytest.approx(losses[0], rel=1e-12)
    np.testing.assert_allclose(bias_last(doc["weights"]), w, rtol=1e-12, atol=1e-12)


def test_init_weights_all_negative_and_spaces(capsys):
    doc = run_json(capsys, "--init-weights=-0.5, -2.25, -3e-1", "--epochs", "2", "--alpha", "0.05")
    assert doc["config"]["init_weights"] == [-0.5, -2.25, -0.3]
    X_train, _, y_train, _ = lesson_data()
    losses, w = lesson_losses(X_train, y_train, bias_last([-0.5, -2.25, -0.3]), epochs=2, alpha=0.05)
    np.testing.assert_allclose(doc["losses"], losses, rtol=1e-12)
    np.testing.assert_allclose(bias_last(doc["weights"]), w, rtol=1e-12, atol=1e-12)


def test_init_weights_override_the_seed(capsys):
    a = run_json(capsys, "--init-weights=1,2,3", "--seed", "1", "--epochs", "3")
    b = run_json(capsys, "--init-weights=1,2,3", "--seed", "2", "--epochs", "3")
    assert a["losses"] == b["losses"]


def test_batch_size_runs_the_lessons_mini_batches(capsys):
    doc = run_json(capsys, "--init-weights=0.1,-0.2,0.3", "--batch-size", "32", "--epochs", "3")
    assert doc["config"]["batch_size"] == 32
    X_train, _, y_train, _ = lesson_data()
    losses, w = lesson_losses(X_train, y_train, bias_last([0.1, -0.2, 0.3]), epochs=3, batch_size=32)
    np.testing.assert_allclose(doc["losses"], losses, rtol=1e-10)
    np.testing.assert_allclose(bias_last(doc["weights"]), w, rtol=1e-10, atol=1e-12)


def test_bce_loss_option_reaches_the_engine(capsys):
    doc = run_json(capsys, "--loss", "bce", "--init-weights=0.2,0.4,-0.6", "--epochs", "1", "--alpha", "0.001")
    assert doc["config"]["loss"] == "bce"
    X_train, _, y_train, _ = lesson_data()
    w = np.array(bias_last([0.2, 0.4, -0.6]))
    p = sigmoid(X_train @ w)
    bce = -np.sum(y_train * np.log(p) + (1 - y_train) * np.log(1 - p))
    assert doc["losses"][0] == pytest.approx(bce, rel=1e-10)
    np.testing.assert_allclose(bias_last(doc["weights"]), w - 0.001 * X_train.T @ (p - y_train), rtol=1e-10)


def test_data_options_reach_the_engine(capsys):
    doc = run_json(capsys, "--dataset", "moons", "--samples", "200", "--noise", "0.1", "--data-seed", "3",
                   "--test-size", "0.25", "--init-weights=0.3,-1,2", "--epochs", "1")
    cfg = doc["config"]
    assert (cfg["dataset"], cfg["samples"], cfg["noise"], cfg["data_seed"], cfg["test_size"]) == \
        ("moons", 200, 0.1, 3, 0.25)
    X, y = make_moons(n_samples=200, noise=0.1, random_state=3)
    X_train, X_test, y_train, y_test = train_test_split(np.c_[X, np.ones(200)], y.astype(float),
                                                        test_size=0.25, random_state=42)
    losses, w = lesson_losses(X_train, y_train, bias_last([0.3, -1.0, 2.0]), epochs=1)
    assert doc["losses"][0] == pytest.approx(losses[0], rel=1e-12)
    assert doc["test_accuracy"] == accuracy(X_test, y_test, w)
    assert len(y_test) == 50


def test_cluster_std_alias(capsys):
    doc = run_json(capsys, "--cluster-std", "0.7", "--init-weights=0,1,1", "--epochs", "1")
    assert doc["config"]["noise"] == 0.7
    X_train, _, y_train, _ = lesson_data(cluster_std=0.7)
    losses, _ = lesson_losses(X_train, y_train, bias_last([0.0, 1.0, 1.0]), epochs=1)
    assert doc["losses"][0] == pytest.approx(losses[0], rel=1e-12)


# ---- stopping -------------------------------------------------------------------------------------


def first_below(losses, tol):
    return next(i + 1 for i, v in enumerate(losses) if v < tol)


def patience_stop(losses, patience):
    """First epoch e with e - (epoch of the best loss so far, first reached) >= patience."""
    best, best_epoch = math.inf, 0
    for e, v in enumerate(losses, start=1):
        if v < best:
            best, best_epoch = v, e
        if e - best_epoch >= patience:
            return e
    return None


def test_tol_stops_at_the_first_epoch_below(capsys):
    full = run_json(capsys, "--seed", "0")["losses"]
    tol = (full[28] + full[29]) / 2  # between epochs 29 and 30
    expected = first_below(full, tol)
    doc = run_json(capsys, "--seed", "0", "--tol", repr(tol))
    assert doc["stop_reason"] == "tol"
    assert doc["epochs_run"] == expected == len(doc["losses"])
    assert doc["losses"] == full[:expected]
    assert doc["config"]["tol"] == tol


def test_tol_never_reached_runs_all_epochs(capsys):
    doc = run_json(capsys, "--seed", "0", "--epochs", "10", "--tol", "1e-12")
    assert doc["stop_reason"] == "epochs" and doc["epochs_run"] == 10


def test_tol_text_log_ends_with_the_stopping_epoch(capsys):
    full = run_json(capsys, "--seed", "0", "--epochs", "30")["losses"]
    tol = (full[11] + full[12]) / 2
    stop = first_below(full, tol)
    assert stop % 5 != 0
    code, out, err = run(capsys, "train", "--seed", "0", "--tol", repr(tol))
    assert code == 0, err
    lines = out.splitlines()
    epochs = [int(m.group(1)) for m in map(EPOCH_LINE.match, lines) if m]
    assert epochs == [e for e in LOGGED_EPOCHS if e < stop] + [stop]
    assert f"[INFO] epoch={stop}, loss={full[stop - 1]:.7f}" in lines
    assert any(line.startswith(f"[INFO] stopped after epoch {stop}") for line in lines)
    assert "[INFO] evaluating..." in lines


def test_patience_stops_when_the_loss_stalls(capsys):
    # bce with a huge step overshoots: the first epoch's loss stays the best for a while
    args = ("--seed", "0", "--loss", "bce", "--alpha", "50", "--epochs", "60")
    full = run_json(capsys, *args)["losses"]
    expected = patience_stop(full, 3)
    assert expected is not None and expected < 60
    doc = run_json(capsys, *args, "--patience", "3")
    assert doc["stop_reason"] == "patience"
    assert doc["epochs_run"] == expected == len(doc["losses"])
    assert doc["losses"] == full[:expected]


def test_patience_not_triggered_while_improving(capsys):
    doc = run_json(capsys, "--seed", "0", "--epochs", "20", "--patience", "2")
    assert patience_stop(doc["losses"], 2) is None
    assert doc["stop_reason"] == "epochs" and doc["epochs_run"] == 20


def huge_csv(tmp_path):
    rows = [f"{s * k}e300,{s * k}e300,{'a' if s > 0 else 'b'}" for k in (1, 2, 3) for s in (1, -1)]
    return write_csv(tmp_path, "huge.csv", "\n".join(rows) + "\n")


def test_divergence_stops_with_finite_numbers(tmp_path, capsys):
    path = huge_csv(tmp_path)
    doc = run_json(capsys, "--dataset", path, "--loss", "bce", "--alpha", "1e6", "--seed", "0")
    assert doc["stop_reason"] == "diverged"
    assert doc["epochs_run"] == len(doc["losses"]) < 100
    assert all(math.isfinite(v) for v in doc["losses"] + doc["weights"])
    code, out, err = run(capsys, "train", "--dataset", path, "--loss", "bce", "--alpha", "1e6", "--seed", "0")
    assert code == 0, err
    assert not re.search(r"\b(nan|inf|infinity)\b", out, re.IGNORECASE)
    assert "diverged" in out or "not finite" in out


# ---- CSV data sets ---------------------------------------------------------------------------------


def pets_oracle(points, labels, test_size=0.5):
    y = (labels == "dog").astype(float)
    return train_test_split(np.c_[points, np.ones(len(points))], y, test_size=test_size, random_state=42)


def test_csv_string_labels_mapping_printed_and_used(tmp_path, capsys):
    points, labels = pets()
    path = write_csv(tmp_path, "pets.csv", csv_text(points, labels))
    code, out, err = run(capsys, "train", "--dataset", path, "--init-weights=0.1,0.2,0.3", "--epochs", "5")
    assert code == 0, err
    lines = out.splitlines()
    assert "[INFO] labels: cat -> 0, dog -> 1" in lines
    assert lines.index("[INFO] labels: cat -> 0, dog -> 1") < lines.index("[INFO] training...")
    X_train, X_test, y_train, y_test = pets_oracle(points, labels)
    losses, w = lesson_losses(X_train, y_train, bias_last([0.1, 0.2, 0.3]), epochs=5)
    assert f"[INFO] epoch=5, loss={losses[4]:.7f}" in lines
    rows = report_rows(out)
    assert rows["cat"][3] == int(np.sum(y_test == 0))
    assert rows["dog"][3] == int(np.sum(y_test == 1))

    doc = run_json(capsys, "--dataset", path, "--init-weights=0.1,0.2,0.3", "--epochs", "5")
    assert doc["labels"] == {"cat": 0, "dog": 1}
    np.testing.assert_allclose(doc["losses"], losses, rtol=1e-12)
    assert doc["test_accuracy"] == accuracy(X_test, y_test, w)
    assert doc["config"]["dataset"] == path


@pytest.mark.parametrize("names, expected", [
    (("1", "-1"), {"-1": 0, "1": 1}),
    (("7", "2"), {"2": 0, "7": 1}),
    (("10", "9"), {"9": 0, "10": 1}),
    (("dog", "cat"), {"cat": 0, "dog": 1}),
])
def test_csv_label_values_ordered(tmp_path, capsys, names, expected):
    points, labels = pets(20)
    relabelled = np.where(labels == "cat", names[0], names[1])
    path = write_csv(tmp_path, "l.csv", csv_text(points, relabelled, header=False))
    doc = run_json(capsys, "--dataset", path, "--epochs", "2", "--init-weights=0,1,0")
    assert doc["labels"] == expected
    code, out, _ = run(capsys, "train", "--dataset", path, "--epochs", "1")
    first, second = sorted(expected, key=expected.get)
    assert f"[INFO] labels: {first} -> 0, {second} -> 1" in out.splitlines()


def test_csv_numeric_labels_train_like_0_1(tmp_path, capsys):
    points, labels = pets(30)
    as01 = write_csv(tmp_path, "a.csv", csv_text(points, np.where(labels == "cat", "0", "1")))
    as_pm = write_csv(tmp_path, "b.csv", csv_text(points, np.where(labels == "cat", "-1", "1")))
    args = ("--epochs", "4", "--init-weights=0.3,-0.1,0.2")
    a, b = run_json(capsys, "--dataset", as01, *args), run_json(capsys, "--dataset", as_pm, *args)
    assert a["losses"] == b["losses"] and a["weights"] == b["weights"]


@pytest.mark.parametrize("variant", ["no header", "blank lines", "crlf", "bom", "bom+crlf+blank"])
def test_csv_variants_give_the_same_run(tmp_path, capsys, variant):
    points, labels = pets(24)
    reference = write_csv(tmp_path, "ref.csv", csv_text(points, labels))
    text = {
        "no header": csv_text(points, labels, header=False),
        "blank lines": "\n" + csv_text(points, labels).replace("\n", "\n\n", 5) + "\n\n",
        "crlf": csv_text(points, labels, newline="\r\n"),
        "bom": "\ufeff" + csv_text(points, labels),
        "bom+crlf+blank": "\ufeff" + csv_text(points, labels, newline="\r\n").replace("\r\n", "\r\n\r\n", 3),
    }[variant]
    other = write_csv(tmp_path, "other.csv", text)
    args = ("--epochs", "3", "--init-weights=0.5,0.5,-0.5")
    a = run_json(capsys, "--dataset", reference, *args)
    b = run_json(capsys, "--dataset", other, *args)
    assert b["losses"] == a["losses"] and b["weights"] == a["weights"] and b["labels"] == {"cat": 0, "dog": 1}
    X_train, _, y_train, _ = pets_oracle(points, labels)
    losses, _ = lesson_losses(X_train, y_train, bias_last([0.5, 0.5, -0.5]), epochs=3)
    np.testing.assert_allclose(b["losses"], losses, rtol=1e-12)


# ---- bad input: one line, status 2 ----------------------------------------------------------------

BAD_OPTIONS = [
    (["--alpha", "0"], "--alpha"),
    (["--alpha", "-1"], "--alpha"),
    (["--alpha", "nan"], "--alpha"),
    (["--alpha", "inf"], "--alpha"),
    (["--alpha", "1e400"], "--alpha"),
    (["--alpha", "abc"], "--alpha"),
    (["--alpha"], "--alpha"),
    (["--samples", "5"], "--samples"),
    (["--samples", "abc"], "--samples"),
    (["--samples", "1e3"], "--samples"),
    (["--epochs", "0"], "--epochs"),
    (["--epochs", "2.5"], "--epochs"),
    (["--batch-size", "0"], "--batch-size"),
    (["--test-size", "0"], "--test-size"),
    (["--test-size", "1"], "--test-size"),
    (["--test-size", "nan"], "--test-size"),
    (["--momentum", "1"], "--momentum"),
    (["--momentum", "-0.1"], "--momentum"),
    (["--tol", "-1"], "--tol"),
    (["--tol", "0"], "--tol"),
    (["--patience", "0"], "--patience"),
    (["--seed", "-1"], "--seed"),
    (["--seed", "4294967296"], "--seed"),
    (["--data-seed", "-1"], "--data-seed"),
    (["--noise", "-1"], "--noise"),
    (["--noise", "inf"], "--noise"),
    (["--noise=-0"], "--noise"),  # numpy refuses a scale of -0.0
    (["--init-weights=1,2"], "--init-weights"),
    (["--init-weights=1,2,3,4"], "--init-weights"),
    (["--init-weights=a,b,c"], "--init-weights"),
    (["--init-weights=nan,0,0"], "--init-weights"),
    (["--init-weights=0,inf,0"], "--init-weights"),
    (["--init-weights", "-1,2,3"], "--init-weights"),  # the space form cannot take a leading minus
    (["--dataset", ""], "--dataset"),
    (["--bogus"], "--bogus"),
    (["--loss", "mse"], "--loss"),
    (["--optimizer", "sgd"], "--optimizer"),
    (["extra"], "extra"),
]


@pytest.mark.parametrize("args, needle", BAD_OPTIONS, ids=[" ".join(a) or "none" for a, _ in BAD_OPTIONS])
def test_bad_option_is_one_line_and_status_2(capsys, args, needle):
    assert_usage_error(*run(capsys, "train", *args), needle)


@pytest.mark.parametrize("args, needle", [(["--alpha", "0"], "--alpha"), (["--epochs", "abc"], "--epochs"),
                                          (["--init-weights=1,2"], "--init-weights"), (["--nope"], "--nope")])
def test_app_options_are_checked_before_the_app_starts(capsys, args, needle):
    assert_usage_error(*run(capsys, *args), needle)


def test_out_of_range_message_names_the_allowed_range(capsys):
    *_, err = run(capsys, "train", "--test-size", "2")
    assert "(0, 1)" in err and "2" in err
    *_, err = run(capsys, "train", "--alpha", "abc")
    assert "'abc'" in err


def _bad_csvs(tmp_path):
    junk = np.random.default_rng(1).integers(0, 256, 2048, dtype=np.uint8).tobytes() + b"\0"
    (tmp_path / "dir.csv").mkdir()
    cases = {
        "missing.csv": None,
        "dir.csv": None,
        "empty.csv": "",
        "header.csv": "x1,x2,label\n",
        "word.csv": "1,2,a\n3,4,b\n5,six,a\n",
        "nan.csv": "1,2,a\n3,nan,b\n",
        "inf.csv": "1,2,a\ninf,4,b\n",
        "short.csv": "1,2,a\n3,4\n",
        "long.csv": "1,2,a\n3,4,b,5\n",
        "oneclass.csv": "1,2,a\n3,4,a\n5,6,a\n",
        "three.csv": "1,2,a\n3,4,b\n5,6,c\n",
        "junk.csv": junk,
        "latin1.csv": b"1,2,caf\xe9\n3,4,the\n",
        "quote.csv": '1,2,a\n3,4,"b\n',
        "nolabel.csv": "1,2,a\n3,4,\n",
    }
    for name, content in cases.items():
        if content is not None:
            write_csv(tmp_path, name, content)
    return cases


BAD_CSV_LINES = {"word.csv": 3, "nan.csv": 2, "inf.csv": 2, "short.csv": 2, "long.csv": 2, "quote.csv": 2,
                 "nolabel.csv": 2}


@pytest.mark.parametrize("name", ["missing.csv", "dir.csv", "empty.csv", "header.csv", "word.csv", "nan.csv",
                                  "inf.csv", "short.csv", "long.csv", "oneclass.csv", "three.csv", "junk.csv",
                                  "latin1.csv", "quote.csv", "nolabel.csv"])
def test_bad_csv_is_one_line_and_status_2(tmp_path, capsys, name):
    _bad_csvs(tmp_path)
    path = str(tmp_path / name)
    needles = [name] + ([f"line {BAD_CSV_LINES[name]}"] if name in BAD_CSV_LINES else [])
    assert_usage_error(*run(capsys, "train", "--dataset", path), *needles)
    assert_usage_error(*run(capsys, "train", "--json", "--dataset", path), *needles)


def test_csv_too_small_for_the_split(tmp_path, capsys):
    path = write_csv(tmp_path, "tiny.csv", "1,2,a\n3,4,b\n")
    assert_usage_error(*run(capsys, "train", "--dataset", path, "--test-size", "0.9"), "tiny.csv")


# ---- the real command ------------------------------------------------------------------------------


def test_subprocess_bad_inputs_print_one_line(tmp_path):
    junk = write_csv(tmp_path, "junk.csv", bytes(range(256)) * 8)
    for args, needle in ((["train", "--alpha", "nan"], "--alpha"),
                         (["train", "--dataset", junk], "junk.csv"),
                         (["train", "--init-weights=1,2"], "--init-weights")):
        proc = run_subprocess(*args)
        assert_usage_error(proc.returncode, proc.stdout, proc.stderr, needle)


def test_subprocess_json_is_one_object():
    proc = run_subprocess("train", "--json", "--seed", "0", "--epochs", "3")
    assert proc.returncode == 0 and proc.stderr == ""
    doc = json.loads(proc.stdout)
    assert doc["epochs_run"] == 3 and len(doc["losses"]) == 3
    assert proc.stdout.count("\n") == 1


def test_console_script_version():
    script = Path(sys.executable).with_name("gdtui")
    assert script.exists(), f"console script not installed next to {sys.executable}"
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"gdtui {version('gdtui')}"


def test_version_and_help_in_process(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"gdtui {version('gdtui')}"
    code, out, err = run(capsys, "train", "--help")
    assert code == 0 and err == ""
    for option in ("--dataset", "--samples", "--noise", "--cluster-std", "--data-seed", "--test-size", "--loss",
                   "--optimizer", "--alpha", "--batch-size", "--momentum", "--shuffle", "--epochs", "--tol",
                   "--patience", "--seed", "--init-weights", "--json"):
        assert option in out, option
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "train" in out


def test_a_closed_pipe_is_not_an_error():
    import subprocess
    import sys

    shell = f"'{sys.executable}' -m gdtui train --seed 0 --epochs 20000 | head -n 1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=120)
    assert done.stdout == "[INFO] training...\n"
    assert "Traceback" not in done.stderr and done.returncode == 0
