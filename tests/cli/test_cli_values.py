"""What a refusal may repeat of the command line: a few dozen characters, never a raw control
character, always one line and exit status 2; numbers in ASCII only; the rule list and the help
of `gdtui compare` as strict as the rest."""

from __future__ import annotations

import json

import pytest


from cli_support import run

HUGE = "7" * 100_000
ESCAPE = "\x1b[2J\x1b]0;owned\x07"


def refusal(capsys, *args) -> str:
    """The one line of a refusal, checked for what every refusal must be."""
    code, out, err = run(capsys, *args)
    assert code == 2, (code, out, err[:300])
    assert out == "" and "Traceback" not in err
    lines = err.split("\n")
    assert len(lines) == 2 and lines[1] == "", err[:300]
    line = lines[0]
    assert line.startswith("gdtui: error: ")
    assert len(line) <= 200, len(line)
    assert line.isprintable(), repr(line)
    return line


VALUE_OPTIONS = ["--alpha", "--samples", "--noise", "--data-seed", "--test-size", "--decay", "--decay-every",
                 "--momentum", "--batch-size", "--seed", "--epochs", "--tol", "--patience", "--loss", "--optimizer",
                 "--schedule"]


@pytest.mark.parametrize("flag", VALUE_OPTIONS)
@pytest.mark.parametrize("value", [HUGE, "x" + ESCAPE, "1" + ESCAPE * 5000], ids=["huge", "escape", "escapes"])
def test_a_bad_value_is_echoed_short_and_escaped(capsys, flag, value):
    line = refusal(capsys, "train", f"{flag}={value}")
    assert flag in line
    if value.startswith("x"):
        assert "\\x1b" in line and "\\x07" in line  # escaped, so the user sees what was typed
    if value == HUGE:
        assert "777777" in line


@pytest.mark.parametrize("args", [
    [f"--init-weights=1,2,{HUGE}"],
    [f"--init-weights={ESCAPE},1,2"],
    [f"--dataset=/no/such/dir/{HUGE}.csv"],
    [f"--dataset=/no/such/{ESCAPE}.csv"],
    [HUGE],
    [ESCAPE],
    ["a", "b", "c", "d", "e", HUGE],
    [f"--{HUGE}"],
    [f"--shuffle={HUGE}"],
    [f"--shuffle={ESCAPE}"],
    ["--save", f"/no/such/dir/{HUGE}"],
    ["--save", f"/no/such/{ESCAPE}"],
    ["--resume", f"/no/such/{ESCAPE}"],
    ["--resume", f"/no/such/{'r' * 250}"],
], ids=lambda args: str(len(args)) + "-" + "".join(c for c in args[0][:12] if c.isalnum()))
def test_everything_quoted_is_short_and_escaped(capsys, args):
    line = refusal(capsys, "train", *args)
    assert "\x1b" not in line


def test_a_long_file_name_in_a_data_error_is_cut(capsys, tmp_path):
    path = tmp_path / ("n" * 240 + ".csv")
    path.write_text("1,2,a\n3,four,b\n")
    line = refusal(capsys, "train", "--dataset", path)
    assert "line 2" in line and "nnnn" in line and ".csv" in line


def test_a_file_name_with_escapes_in_a_data_error_is_escaped(capsys, tmp_path):
    path = tmp_path / f"evil{ESCAPE}.csv"
    path.write_text("1,2,a\n3,four,b\n")
    line = refusal(capsys, "train", "--dataset", path)
    assert "evil\\x1b[2J" in line and "line 2" in line


def test_a_session_error_naming_a_long_file_is_cut(capsys, tmp_path):
    path = tmp_path / ("s" * 240 + ".json")
    path.write_text("{")
    line = refusal(capsys, "train", "--resume", path)
    assert "ssss" in line


def test_a_long_rule_list_is_echoed_short(capsys):
    line = refusal(capsys, "compare", "--optimizers", "gd," * 30_000 + ESCAPE)
    assert "--optimizers" in line


# ---- numbers in ASCII only -----------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["--samples", "١٢٠"],            # Arabic-Indic digits
    ["--epochs", "３"],               # fullwidth
    ["--seed", "४२"],                 # Devanagari
    ["--alpha", "０.５"],
    ["--alpha", "0.1\u200b"],         # a zero-width space
    ["--test-size", "0\u0660.5"],
    ["--init-weights=１,2,3"],
    ["--init-weights=1,2,٣"],
    ["--epochs", "1_000"],            # Python's digit grouping is not a command line's
    ["--alpha", "0.000_1"],
    ["--epochs", "\x1c12"],           # str.strip() calls this whitespace; it is a control character
])
def test_numbers_are_read_in_ascii_only(capsys, args):
    flag = args[0].split("=")[0]
    line = refusal(capsys, "train", *args)
    assert flag in line


def test_ascii_numbers_with_blanks_and_signs_still_work(capsys):
    code, out, err = run(capsys, "train", "--json", "--samples", " 60 ", "--epochs", "+3", "--alpha", " 5e-2",
                         "--init-weights= -1.5, .5,2.", "--test-size", "0.25")
    assert code == 0, err
    doc = json.loads(out)
    cfg = doc["config"]
    assert (cfg["samples"], cfg["epochs"], cfg["alpha"], cfg["init_weights"], cfg["test_size"]) == \
        (60, 3, 0.05, [-1.5, 0.5, 2.0], 0.25)


# ---- the rule list and compare's help --------------------------------------------------------------


@pytest.mark.parametrize("rules", ["gd,,adam", "gd,adam,", ",gd", "gd, ,adam", ","])
def test_an_empty_rule_name_is_refused(capsys, rules):
    line = refusal(capsys, "compare", "--optimizers", rules, "--epochs", "1")
    assert "--optimizers" in line


def test_compare_help_leaves_out_the_option_it_refuses(capsys):
    code, out, _ = run(capsys, "compare", "--help")
    assert code == 0
    assert "--optimizers" in out
    assert "--optimizer " not in out and "--optimizer\n" not in out and "[--optimizer " not in out
    code, out, _ = run(capsys, "train", "--help")
    assert code == 0 and "--optimizer {gd,momentum,nesterov,adagrad,rmsprop,adam}" in out
    assert refusal(capsys, "compare", "--optimizer", "adam") == \
        "gdtui: error: --optimizer does not apply to compare: --optimizers names the rules to race"


@pytest.mark.parametrize("flag, value, allowed", [("--loss", "mse", "one of sse, bce, hinge, softmax, svm"),
                                                  ("--schedule", "linear", "one of constant, step, exp, inv")])
def test_a_choice_outside_the_list_names_the_list(capsys, flag, value, allowed):
    assert refusal(capsys, "train", flag, value) == \
        f"gdtui: error: argument {flag}: must be {allowed} (got '{value}')"


# ---- a CSV's text on the terminal ----------------------------------------------------------------


def test_csv_labels_reach_the_terminal_escaped(capsys, tmp_path):
    rows = [f"{-2 - k / 10},{k / 10},\x1b[31mred\n" for k in range(10)] + \
           [f"{2 + k / 10},{k / 10},blue\x07{'!' * 100}\n" for k in range(10)]
    path = tmp_path / "colours.csv"
    path.write_text("".join(rows))
    code, out, err = run(capsys, "train", "--dataset", path, "--epochs", "2", "--seed", "0")
    assert code == 0, err
    assert all(line.isprintable() for line in out.splitlines()), [l for l in out.splitlines() if not l.isprintable()]
    mapping = next(line for line in out.splitlines() if line.startswith("[INFO] labels: "))
    assert mapping.startswith("[INFO] labels: \\x1b[31mred -> 0, blue\\x07!!!") and len(mapping) < 120
    assert any(line.split()[0] == "\\x1b[31mred" for line in out.splitlines() if line.strip())  # the report's row
    code, out, err = run(capsys, "train", "--dataset", path, "--epochs", "2", "--seed", "0", "--json")
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert json.loads(out)["labels"] == {"\x1b[31mred": 0, "blue\x07" + "!" * 100: 1}  # the data keep their text
