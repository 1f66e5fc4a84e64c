"""`gdtui compare`: the race table and its JSON, each racer equal to its solo `gdtui train` run."""

from __future__ import annotations

import json

import pytest

from gdtui.cli import main


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_racers_equal_their_solo_runs(capsys):
    code, out, _ = run(capsys, "compare", "--optimizers", "gd,momentum,adam", "--seed", "4", "--epochs", "25",
                       "--json")
    assert code == 0
    racers = json.loads(out)
    assert [r["optimizer"] for r in racers] == ["gd", "momentum", "adam"]
    for racer in racers:
        _, solo_out, _ = run(capsys, "train", "--optimizer", racer["optimizer"], "--seed", "4", "--epochs", "25",
                             "--json")
        solo = json.loads(solo_out)
        assert racer["losses"] == solo["losses"]
        assert racer["weights"] == solo["weights"]
        assert racer["test_accuracy"] == solo["test_accuracy"]
        assert racer["epochs_run"] == 25 and racer["stop_reason"] == "epochs"


def test_table_has_one_line_per_rule(capsys):
    code, out, _ = run(capsys, "compare", "--optimizers", "gd,nesterov", "--seed", "2", "--epochs", "10")
    lines = out.strip().splitlines()
    assert code == 0 and "seed 2" in lines[0]
    assert [line.split()[0] for line in lines[2:]] == ["gd", "nesterov"]
    assert all(line.split()[1] == "10" for line in lines[2:])


@pytest.mark.parametrize("bad", [["--optimizers", "gd,sgd"], ["--optimizers", "adam,adam"], ["--alpha", "0"],
                                 ["--dataset", "/no/such.csv"]])
def test_bad_input_is_one_line_and_status_2(capsys, bad):
    with pytest.raises(SystemExit) as stop:
        main(["compare", *bad])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.startswith("gdtui: error:") and err.count("\n") == 1


def test_json_reports_the_seed_drawn_so_the_race_can_be_rerun(capsys):
    code, out, _ = run(capsys, "compare", "--optimizers", "gd,adam", "--epochs", "3", "--json")
    first = json.loads(out)
    seed = first[0]["seed"]
    assert code == 0 and {r["seed"] for r in first} == {seed}
    _, again, _ = run(capsys, "compare", "--optimizers", "gd,adam", "--epochs", "3", "--seed", str(seed), "--json")
    assert [r["losses"] for r in json.loads(again)] == [r["losses"] for r in first]


def test_optimizer_is_refused_in_favour_of_optimizers(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["compare", "--optimizer", "adam"])
    assert stop.value.code == 2
    assert capsys.readouterr().err == \
        "gdtui: error: --optimizer does not apply to compare: --optimizers names the rules to race\n"
