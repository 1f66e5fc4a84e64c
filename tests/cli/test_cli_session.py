"""`gdtui train|compare --save / --resume / --history-csv`, end to end.

The oracle for a resumed run is the same command run straight through: its JSON must be equal.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.atomic import write_atomic
from gdtui.engine.session import load, save

from cli_support import run


def run_json(capsys, *args):
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    assert err == ""
    return json.loads(out)


def assert_usage_error(code, out, err, *needles):
    assert code == 2, (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdtui: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert out == ""


# ---- train ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("options", [
    ["--samples", "300"],
    ["--samples", "300", "--optimizer", "adam", "--batch-size", "16", "--shuffle", "--alpha", "0.05"],
    ["--samples", "300", "--optimizer", "nesterov", "--schedule", "step", "--decay-every", "4"],
])
def test_saved_then_resumed_equals_the_straight_run(capsys, tmp_path, options):
    straight = run_json(capsys, "train", *options, "--seed", "4", "--epochs", "30")
    session = tmp_path / "s.json"
    run_json(capsys, "train", *options, "--seed", "4", "--epochs", "12", "--save", session)
    resumed = run_json(capsys, "train", "--resume", session, "--epochs", "18", "--save", session)
    assert resumed == straight
    assert load(session).epoch == 30


def test_text_mode_says_where_it_resumed_and_logs_the_epochs_it_ran(capsys, tmp_path):
    code, straight, _ = run(capsys, "train", "--seed", "2", "--epochs", "20")
    assert code == 0
    session = tmp_path / "s.json"
    code, out, err = run(capsys, "train", "--seed", "2", "--epochs", "8", "--save", session)
    assert code == 0 and f"[INFO] session saved to {session}" in out
    code, out, err = run(capsys, "train", "--resume", session, "--epochs", "12")
    assert code == 0 and err == ""
    assert out.splitlines()[0] == f"[INFO] resumed {session} at epoch 8"
    logged = [line for line in out.splitlines() if "epoch=" in line]
    # the first epoch it ran, every 5th, and the last; each as the straight run has it
    assert [line.split(",")[0] for line in logged] == [f"[INFO] epoch={e}" for e in (9, 10, 15, 20)]
    assert logged[1:] == [line for line in straight.splitlines() if "epoch=" in line][2:]


def test_without_epochs_a_resumed_session_runs_up_to_its_saved_limit(capsys, tmp_path):
    config = TrainConfig(samples=200, seed=6, epochs=40, batch_size=32, shuffle=True, optimizer="adagrad")
    trainer = create_trainer(config)
    trainer.run(13)
    for _ in range(3):  # and stops in the middle of an epoch, as the TUI can
        trainer.step_batch()
    save(trainer, tmp_path / "s.json")
    straight = create_trainer(config)
    straight.run()
    resumed = run_json(capsys, "train", "--resume", tmp_path / "s.json")
    assert resumed["epochs_run"] == 40
    assert resumed["losses"] == straight.history.losses[1:].tolist()
    assert resumed["weights"] == straight.weights.tolist()


def test_hyperparameters_given_explicitly_replace_the_saved_ones(capsys, tmp_path):
    session = tmp_path / "s.json"
    run_json(capsys, "train", "--samples", "200", "--seed", "1", "--epochs", "5", "--save", session)
    out = run_json(capsys, "train", "--resume", session, "--epochs", "4", "--alpha", "0.05", "--optimizer", "momentum")
    assert out["config"]["alpha"] == 0.05 and out["config"]["optimizer"] == "momentum"
    assert out["config"]["samples"] == 200 and out["config"]["seed"] == 1  # kept from the session
    assert out["alphas"] == [0.01] * 5 + [0.05] * 4
    assert out["epochs_run"] == 9


def test_a_session_stopped_by_tol_stays_stopped(capsys, tmp_path):
    session = tmp_path / "s.json"
    first = run_json(capsys, "train", "--samples", "200", "--seed", "1", "--tol", "30", "--epochs", "500",
                     "--save", session)
    assert first["stop_reason"] == "tol" and first["epochs_run"] < 500
    again = run_json(capsys, "train", "--resume", session, "--epochs", "50")
    assert again["epochs_run"] == first["epochs_run"] and again["stop_reason"] == "tol"
    lower = run_json(capsys, "train", "--resume", session, "--epochs", "50", "--tol", "1e-9")
    assert lower["epochs_run"] == first["epochs_run"] + 50


def test_history_csv_has_one_row_per_epoch(capsys, tmp_path):
    path = tmp_path / "h.csv"
    out = run_json(capsys, "train", "--samples", "200", "--seed", "3", "--epochs", "15", "--history-csv", path)
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["epoch", "loss", "w0", "w1", "w2", "alpha", "train_accuracy", "test_accuracy"]
    assert len(rows) == 17
    assert [float(r[1]) for r in rows[2:]] == out["losses"]
    assert [float(v) for v in rows[-1][2:5]] == out["weights"]
    assert float(rows[-1][7]) == out["test_accuracy"]


# ---- compare -------------------------------------------------------------------------------------


def test_a_race_saved_then_resumed_equals_the_straight_race(capsys, tmp_path):
    options = ["--samples", "300", "--seed", "8", "--optimizers", "gd,rmsprop,adam", "--batch-size", "50",
               "--shuffle"]
    straight = run_json(capsys, "compare", *options, "--epochs", "20")
    session = tmp_path / "race.json"
    run_json(capsys, "compare", *options, "--epochs", "9", "--save", session)
    resumed = run_json(capsys, "compare", "--resume", session, "--epochs", "11")
    assert resumed == straight


def test_kinds_do_not_mix(capsys, tmp_path):
    run_json(capsys, "compare", "--samples", "100", "--seed", "1", "--epochs", "2", "--save", tmp_path / "r.json")
    run_json(capsys, "train", "--samples", "100", "--seed", "1", "--epochs", "2", "--save", tmp_path / "t.json")
    assert_usage_error(*run(capsys, "train", "--resume", tmp_path / "r.json"), "r.json", "race", "compare --resume")
    assert_usage_error(*run(capsys, "compare", "--resume", tmp_path / "t.json"), "t.json", "train --resume")


# ---- refusals: exit 2, one line ------------------------------------------------------------------


@pytest.fixture
def session_file(capsys, tmp_path):
    path = tmp_path / "s.json"
    run_json(capsys, "train", "--samples", "100", "--seed", "1", "--epochs", "3", "--batch-size", "7",
             "--shuffle", "--save", path)
    return path


@pytest.mark.parametrize("flag", [["--dataset", "moons"], ["--samples", "50"], ["--noise", "1"],
                                  ["--cluster-std", "1"], ["--data-seed", "2"], ["--test-size", "0.3"],
                                  ["--seed", "1"], ["--init-weights=1,2,3"]])
def test_data_seed_and_init_options_are_refused_with_resume(capsys, session_file, flag):
    name = flag[0].split("=")[0].replace("--cluster-std", "--noise")
    assert_usage_error(*run(capsys, "train", "--resume", session_file, *flag), name, "--resume")


def test_a_race_keeps_its_rules(capsys, tmp_path):
    path = tmp_path / "r.json"
    run_json(capsys, "compare", "--samples", "100", "--seed", "1", "--epochs", "2", "--save", path)
    assert_usage_error(*run(capsys, "compare", "--resume", path, "--optimizers", "gd"), "--optimizers")


def test_an_override_out_of_range_is_refused(capsys, session_file):
    assert_usage_error(*run(capsys, "train", "--resume", session_file, "--alpha", "-1"), "--alpha")


def hostile(path, kind, valid):
    if kind == "missing":
        return path.parent / "missing.json"
    if kind == "directory":
        return path.parent
    text = {
        "not UTF-8": b"\xff\xfe{}", "not JSON": b"hello", "foreign": b'{"format": "other"}',
        "newer": json.dumps(dict(valid, version=7)).encode(), "truncated": json.dumps(valid)[:-40].encode(),
        "bad weights": json.dumps(dict(valid, state=dict(valid["state"], weights=[1, "inf", 2]))).encode(),
        "short history": json.dumps(dict(valid, state=dict(valid["state"], epoch=9))).encode(),
        "bad rng": json.dumps(dict(valid, state=dict(valid["state"],
                                                    rng=dict(valid["state"]["rng"], uinteger=-1)))).encode(),
    }[kind]
    path.write_bytes(text)
    return path


@pytest.mark.parametrize("kind, needle", [
    ("missing", "no such file"), ("directory", "is a directory"), ("not UTF-8", "not UTF-8"),
    ("not JSON", "not JSON"), ("foreign", "not a gdtui session"),
    ("newer", "written by a newer gdtui (version 7); this one reads version 3"), ("truncated", "truncated"),
    ("bad weights", "state.weights"), ("short history", "history"), ("bad rng", "rng.uinteger"),
])
@pytest.mark.parametrize("command", ["train", "compare"])
def test_a_hostile_session_file_exits_2_with_one_line(capsys, session_file, kind, needle, command):
    valid = json.loads(session_file.read_text())
    path = hostile(session_file, kind, valid)
    assert_usage_error(*run(capsys, command, "--resume", path), path.name, needle)


@pytest.mark.parametrize("target", ["directory", "no directory"])
@pytest.mark.parametrize("flag", ["--save", "--history-csv"])
def test_an_unwritable_output_is_refused_before_training(capsys, tmp_path, target, flag):
    path = tmp_path if target == "directory" else tmp_path / "nope" / "out"
    assert_usage_error(*run(capsys, "train", "--epochs", "2", flag, path), str(path))


def test_history_csv_may_not_overwrite_the_session(capsys, session_file):
    before = session_file.read_bytes()
    assert_usage_error(*run(capsys, "train", "--resume", session_file, "--history-csv", session_file), "--history-csv")
    assert_usage_error(*run(capsys, "train", "--epochs", "2", "--save", session_file, "--history-csv", session_file),
                       "same file")
    assert session_file.read_bytes() == before


def test_the_real_command_refuses_a_bad_session_with_status_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "gdtui-session", "version": 1, "kind": "train"')
    done = subprocess.run([sys.executable, "-m", "gdtui", "train", "--resume", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"gdtui: error: {path}: truncated: the JSON document ends early"]


def test_the_saved_file_resumes_in_the_engine_exactly(capsys, tmp_path):
    session = tmp_path / "s.json"
    out = run_json(capsys, "train", "--samples", "200", "--seed", "5", "--epochs", "7", "--optimizer", "adam",
                   "--save", session)
    trainer = load(session)
    assert trainer.epoch == 7
    assert trainer.weights.tolist() == out["weights"]
    np.testing.assert_array_equal(trainer.history.losses[1:], out["losses"])


# ---- outputs that are not plain files ------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--save", "--history-csv"])
def test_a_pipe_or_a_device_is_never_replaced(capsys, tmp_path, flag):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, "/dev/null"):
        code, out, err = run(capsys, "train", "--epochs", "2", flag, target)
        assert_usage_error(code, out, err, "not a regular file")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_an_empty_output_name_is_refused_before_training(capsys):
    code, out, err = run(capsys, "train", "--epochs", "2", "--save", "")
    assert_usage_error(code, out, err, "must not be empty")


def test_a_link_is_followed_and_an_existing_file_keeps_its_permissions(capsys, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, out, err = run(capsys, "train", "--epochs", "4", "--seed", "1", "--history-csv", link)
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().splitlines()[0].startswith("epoch,loss") and len(real.read_text().splitlines()) == 6
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600


def test_the_atomic_writer_refuses_whatever_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError):
        write_atomic(fifo, ["x"])
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, ["x"])
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and sorted(os.listdir(tmp_path)) == ["pipe"]


def test_resume_says_when_more_epochs_would_pass_the_limit(capsys, tmp_path):
    path = tmp_path / "s.json"
    assert run(capsys, "train", "--epochs", "20", "--seed", "1", "--save", path)[0] == 0
    code, out, err = run(capsys, "train", "--resume", path, "--epochs", "99999999")
    assert_usage_error(code, out, err, "--epochs must be at most 99999980 more from epoch 20 (the limit is 100000000 epochs) (got 99999999)")
