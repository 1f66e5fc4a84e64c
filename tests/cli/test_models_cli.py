"""The model options on the command line: what `gdtui train --json` and the history CSV say, and
one-line refusals with exit status 2."""

from __future__ import annotations

import json

import pytest

from gdtui.cli import main


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_softmax_json_has_k_rows_of_weights(capsys):
    code, out, err = run(capsys, "train", "--classes", "3", "--loss", "softmax", "--alpha", "0.001", "--epochs", "50",
                         "--seed", "0", "--json")
    doc = json.loads(out)
    assert code == 0 and err == ""
    assert len(doc["weights"]) == 3 and all(len(row) == 3 for row in doc["weights"])
    assert doc["labels"] == {"0": 0, "1": 1, "2": 2} and doc["config"]["classes"] == 3
    assert doc["test_accuracy"] > 0.9 and "penalties" not in doc


def test_penalties_are_reported_per_epoch_and_the_csv_has_a_column_per_weight(capsys, tmp_path):
    csv = tmp_path / "h.csv"
    code, out, err = run(capsys, "train", "--features", "x1,x2,x1x2", "--penalty", "l2", "--lam", "0.5",
                         "--epochs", "7", "--seed", "0", "--json", "--history-csv", str(csv))
    doc = json.loads(out)
    assert code == 0 and len(doc["penalties"]) == 7 == len(doc["losses"]) and len(doc["weights"]) == 4
    w = doc["weights"]
    lines = csv.read_text().splitlines()
    assert lines[0] == "epoch,loss,penalty,w0,w1,w2,w3,alpha,train_accuracy,test_accuracy"
    last = lines[-1].split(",")
    assert [float(v) for v in last[3:7]] == w and float(last[2]) == doc["penalties"][-1]
    assert doc["config"]["penalty"] == "l2" and doc["config"]["features"] == ["x1", "x2", "x1x2"]


def test_the_lessons_run_keeps_its_json_keys(capsys):
    code, out, _ = run(capsys, "train", "--seed", "0", "--epochs", "3", "--json")
    doc = json.loads(out)
    assert "penalties" not in doc and not {"features", "standardize", "penalty", "lam", "classes"} & set(doc["config"])


@pytest.mark.parametrize("argv, needle", [
    (["--loss", "softmax", "--init-weights", "1,2,3"], "--init-weights needs 6 numbers for 2 rows of 3"),
    (["--init-weights", "1,2"], "--init-weights needs 3 numbers for one row of 3"),
    (["--init-weights", "1,x"], "--init-weights: must be a comma list of numbers"),
    (["--features", "x1,x9"], "--features: must be a comma list of distinct names"),
    (["--penalty", "l3"], "--penalty: must be one of none, l1, l2"),
    (["--lam", "-1", "--penalty", "l2"], "--lam must be a number in [0, 1e6]"),
    (["--lam", "nan", "--penalty", "l2"], "--lam"),
    (["--lam", "0.1"], "--lam needs a penalty"),
    (["--classes", "3"], "--loss must be softmax or svm with 3 classes"),
    (["--classes", "1"], "--classes must be an integer in [2, 6]"),
    (["--classes", "three"], "--classes"),
    (["--dataset", "moons", "--classes", "3", "--loss", "svm"], "--classes must be 2 for moons"),
])
def test_bad_model_options_are_one_line_and_status_2(capsys, argv, needle):
    for command in ("train", "compare"):
        code, out, err = run(capsys, command, *argv)
        assert code == 2 and out == "" and len(err.splitlines()) == 1 and needle in err, (command, err)


def test_a_resumed_softmax_session_goes_on(capsys, tmp_path):
    path = tmp_path / "s.json"
    run(capsys, "train", "--classes", "3", "--loss", "softmax", "--alpha", "0.001", "--epochs", "4", "--seed", "0",
        "--json", "--save", str(path))
    code, out, _ = run(capsys, "train", "--resume", str(path), "--epochs", "3", "--penalty", "l2", "--lam", "0.1",
                       "--json")
    doc = json.loads(out)
    assert code == 0 and doc["epochs_run"] == 7 and len(doc["penalties"]) == 7 and doc["penalties"][0] == 0.0
    assert doc["penalties"][-1] > 0
    code, _, err = run(capsys, "train", "--resume", str(path), "--features", "x1")
    assert code == 2 and "--features cannot be used with --resume" in err
    code, _, err = run(capsys, "train", "--resume", str(path), "--loss", "sse")
    assert code == 2 and len(err.splitlines()) == 1 and "softmax or svm with 3 classes" in err
    two = tmp_path / "two.json"
    run(capsys, "train", "--loss", "softmax", "--epochs", "2", "--seed", "0", "--json", "--save", str(two))
    code, _, err = run(capsys, "train", "--resume", str(two), "--loss", "bce")
    assert code == 2 and len(err.splitlines()) == 1 and "weights of the shape (2, 3)" in err
