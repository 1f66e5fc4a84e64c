"""What `gdtui train` and `gdtui compare` print: the results even when a file cannot be written,
the seed they drew, the epochs a resumed run trained, losses of any size in a bounded form, and
a progress bar on a terminal's stderr that changes neither the output nor a single bit of the run.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import resource
import subprocess
import sys

import numpy as np
import pytest

from gdtui import progress
from gdtui.cli import main
from gdtui.engine import TrainConfig, create_trainer, load_dataset
from gdtui.engine import session as session_module
from gdtui.engine.race import Race
from gdtui.headless import log_lines

from cli_support import run

EPOCH_LINE = re.compile(r"^\[INFO\] epoch=(\d+), loss=(.*)$")


def one_error_line(err):
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gdtui: error: ") and "Traceback" not in err, err
    return lines[0]


def logged(out):
    return {int(m.group(1)): m.group(2) for m in map(EPOCH_LINE.match, out.splitlines()) if m}


# ---- a file that cannot be written does not cost the results ------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_the_results_are_printed_when_the_save_fails(capsys, tmp_path, monkeypatch, as_json):
    args = ["train", "--seed", "0", "--epochs", "12"] + (["--json"] if as_json else [])
    code, plain, _ = run(capsys, *args)
    assert code == 0
    session = tmp_path / "s.json"
    session.write_text("the old session")
    monkeypatch.setattr(session_module, "MAX_SESSION_BYTES", 100)  # a real refusal of session.save
    code, out, err = run(capsys, *args, "--save", session)
    assert code == 2
    assert out == plain  # every result line, and no "saved" line
    assert "s.json: not saved" in one_error_line(err)
    assert session.read_text() == "the old session"


def test_a_race_is_printed_when_its_save_fails(capsys, tmp_path, monkeypatch):
    args = ["compare", "--optimizers", "gd,adam", "--seed", "3", "--epochs", "5"]
    _, plain, _ = run(capsys, *args)
    monkeypatch.setattr(session_module, "MAX_SESSION_BYTES", 100)
    code, out, err = run(capsys, *args, "--save", tmp_path / "r.json")
    assert code == 2 and out == plain and "r.json: not saved" in one_error_line(err)


def test_a_full_disk_costs_neither_the_log_nor_the_json(tmp_path):
    # a file size limit makes every write past 4 KB fail as a full disk would (Python ignores SIGXFSZ)
    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    for extra in ([], ["--json"]):
        args = [sys.executable, "-m", "gdtui", "train", "--seed", "1", "--epochs", "300", *extra]
        plain = subprocess.run(args, capture_output=True, text=True, timeout=120)
        done = subprocess.run(args + ["--save", str(tmp_path / "s.json"), "--history-csv", str(tmp_path / "h.csv")],
                              capture_output=True, text=True, timeout=120, preexec_fn=small_files)
        assert done.returncode == 2 and done.stdout == plain.stdout
        line = one_error_line(done.stderr)
        assert "s.json: cannot write" in line and "h.csv: cannot write" in line and "File too large" in line
        assert sorted(p.name for p in tmp_path.iterdir()) == []


# ---- the seed drawn ----------------------------------------------------------------------------------


def test_a_drawn_seed_is_printed_and_repeats_the_run(capsys):
    code, out, err = run(capsys, "train", "--epochs", "10")
    assert code == 0 and err == ""
    first = out.splitlines()[0]
    match = re.fullmatch(r"\[INFO\] seed (\d+) \(drawn; --seed (\d+) repeats this run\)", first)
    assert match and match.group(1) == match.group(2)
    code, again, _ = run(capsys, "train", "--epochs", "10", "--seed", match.group(1))
    assert again == out.split("\n", 1)[1]  # the same run, without the line
    assert "drawn" not in again


def test_a_given_seed_and_json_print_no_seed_line(capsys):
    _, out, _ = run(capsys, "train", "--epochs", "3", "--seed", "4")
    assert "seed" not in out
    _, out, _ = run(capsys, "train", "--epochs", "3", "--json")
    assert isinstance(json.loads(out)["config"]["seed"], int)


# ---- a resumed run logs what it trained ---------------------------------------------------------------


@pytest.mark.parametrize("first, more, expected", [(100, 2, [101, 102]), (8, 12, [9, 10, 15, 20]),
                                                   (10, 1, [11]), (3, 7, [4, 5, 10])])
def test_a_resumed_run_logs_the_epochs_it_trained(capsys, tmp_path, first, more, expected):
    _, straight, _ = run(capsys, "train", "--seed", "2", "--epochs", first + more)
    session = tmp_path / "s.json"
    assert run(capsys, "train", "--seed", "2", "--epochs", first, "--save", session)[0] == 0
    code, out, err = run(capsys, "train", "--resume", session, "--epochs", more)
    assert code == 0 and err == ""
    lines = logged(out)
    assert sorted(lines) == expected
    every = {int(m.group(1)): m.group(2) for m in map(EPOCH_LINE.match, straight.splitlines()) if m}
    doc = json.loads(run(capsys, "train", "--seed", "2", "--epochs", first + more, "--json")[1])
    assert lines == {e: f"{doc['losses'][e - 1]:.7f}" for e in expected}
    assert all(every[e] == lines[e] for e in expected if e in every)


def test_a_resumed_session_that_stays_stopped_logs_no_epoch(capsys, tmp_path):
    session = tmp_path / "s.json"
    assert run(capsys, "train", "--samples", "200", "--seed", "1", "--tol", "30", "--epochs", "500",
               "--save", session)[0] == 0
    code, out, _ = run(capsys, "train", "--resume", session, "--epochs", "5")
    assert code == 0 and logged(out) == {} and "[INFO] stopped after epoch" in out


# ---- losses of any size ------------------------------------------------------------------------------


def test_ordinary_losses_keep_the_lessons_seven_decimals():
    losses = np.array([353.11459101, 0.5, 1e-9, 2.0, 999_999_999_999.5, 7.0])
    assert log_lines(losses) == ["[INFO] epoch=1, loss=353.1145910", "[INFO] epoch=5, loss=999999999999.5000000"]
    assert log_lines(losses, last_epoch_always=True, start=2) == [
        "[INFO] epoch=3, loss=0.0000000", "[INFO] epoch=5, loss=999999999999.5000000", "[INFO] epoch=6, loss=7.0000000"]
    assert log_lines(np.array([1e12, -2.5e300])) == ["[INFO] epoch=1, loss=1.0000000e+12"]
    assert log_lines(np.array([1e12, -2.5e300]), last_epoch_always=True) == [
        "[INFO] epoch=1, loss=1.0000000e+12", "[INFO] epoch=2, loss=-2.5000000e+300"]


def test_a_huge_loss_is_logged_with_an_exponent(capsys, huge_csv):
    code, out, _ = run(capsys, "train", "--dataset", huge_csv, "--loss", "bce", "--seed", "0")
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("[INFO] epoch=")]
    assert lines and all(re.fullmatch(r"\[INFO\] epoch=\d+, loss=\d\.\d{7}e\+\d{3}", line) for line in lines), lines


def test_a_race_table_stays_narrow_when_losses_are_huge(capsys, far_csv):
    code, out, _ = run(capsys, "compare", "--dataset", far_csv, "--loss", "bce", "--alpha", "1e5", "--seed", "0",
                       "--epochs", "3")
    assert code == 0
    rows = out.splitlines()[2:]
    assert [row.split()[0] for row in rows] == ["gd", "momentum", "nesterov", "adam"]
    assert all(len(row) < 80 for row in rows) and any("e+1" in row for row in rows), rows


# ---- the progress bar --------------------------------------------------------------------------------


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self):
        return True


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress, "FIRST_CHUNK", 500)
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


@pytest.mark.parametrize("args", [["train", "--seed", "0", "--epochs", "3000"],
                                  ["train", "--seed", "0", "--epochs", "600", "--batch-size", "100", "--shuffle"],
                                  ["compare", "--optimizers", "gd,adam", "--seed", "1", "--epochs", "1500"]])
def test_on_a_terminal_a_bar_shows_on_stderr_and_the_output_is_the_same(capsys, monkeypatch, args):
    _, plain, _ = run(capsys, *args)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress, "FIRST_CHUNK", 100)
    stream = Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    code = main(args)
    out = capsys.readouterr().out
    assert code == 0 and out == plain
    drawn = stream.getvalue()
    total = args[args.index("--epochs") + 1]
    assert f"{total}/{total}" in drawn and "epochs/s" in drawn and "loss " in drawn


def test_no_bar_with_json_even_on_a_terminal(capsys, terminal):
    assert main(["train", "--seed", "0", "--epochs", "3000", "--json"]) == 0
    assert terminal.getvalue() == "" and len(json.loads(capsys.readouterr().out)["losses"]) == 3000


def test_no_bar_for_a_run_shorter_than_the_delay(capsys, terminal, monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 3600.0)
    assert main(["train", "--seed", "0", "--epochs", "3000"]) == 0
    assert terminal.getvalue() == ""


def test_off_a_terminal_there_is_no_bar(tmp_path):
    done = subprocess.run([sys.executable, "-m", "gdtui", "train", "--seed", "0", "--epochs", "20000"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""


# ---- chunks change no bit ----------------------------------------------------------------------------


def assert_same_bits(a, b, where="state"):
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same_bits(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), where
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same_bits(a[key], b[key], f"{where}[{key}]")
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_bits(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert isinstance(b, float) and a.hex() == b.hex(), (where, a, b)
    else:
        assert a == b, (where, a, b)


RUNS = {
    "fused gd": dict(epochs=5000),
    "momentum, step schedule": dict(optimizer="momentum", schedule="step", decay_every=7, epochs=3000),
    "adam, mini-batches, shuffled": dict(optimizer="adam", batch_size=64, shuffle=True, epochs=120),
    "tol": dict(tol=25.0, epochs=4000),
    "patience": dict(loss="bce", alpha=50.0, patience=3, epochs=400),
    "nesterov, inv schedule, batches": dict(optimizer="nesterov", schedule="inv", batch_size=300, epochs=300),
}


@pytest.mark.parametrize("chunks", [(7, 0.0), (1500, 1e9), (1, 1e-3)], ids=["7 then 1", "1500 growing", "timed"])
@pytest.mark.parametrize("name", list(RUNS))
def test_a_run_in_chunks_is_one_run_to_the_bit(name, chunks):
    config = TrainConfig(samples=600, seed=5, **RUNS[name])
    whole, parts = create_trainer(config), create_trainer(config)
    reason = whole.run()
    first, seconds = chunks
    got = progress.in_chunks(parts.run, lambda: parts.epoch, config.epochs, lambda: None, first, seconds)
    assert got == reason
    assert_same_bits(parts.state(), whole.state())


def test_a_diverging_run_in_chunks_is_one_run_to_the_bit(huge_csv):
    config = TrainConfig(dataset=huge_csv, loss="bce", seed=0, epochs=50)
    whole, parts = create_trainer(config), create_trainer(config)
    reason = whole.run()
    assert reason == "diverged"
    assert progress.in_chunks(parts.run, lambda: parts.epoch, 50, lambda: None, 1, 0.0) == reason
    assert_same_bits(parts.state(), whole.state())


def test_a_race_in_chunks_is_one_race_to_the_bit():
    config = TrainConfig(samples=300, seed=2, epochs=900, tol=20.0)
    data = load_dataset(config)
    whole, parts = Race(data, config, ("gd", "momentum", "adam")), Race(data, config, ("gd", "momentum", "adam"))
    whole.run()
    progress.in_chunks(parts.run, lambda: parts.epoch, config.epochs, lambda: None, 13, 0.0)
    for rule in whole.rules:
        assert_same_bits(parts.trainers[rule].state(), whole.trainers[rule].state(), rule)
