"""Options of `gdtui serve` and `gdtui host`: their own, then the training options, checked
once at start and passed on to every session."""

from __future__ import annotations

import pytest

from gdtui import reach_options


def own(parser):
    parser.add_argument("--port", type=int, default=1)
    reach_options.add_data_dir(parser)


def parse(*argv):
    return reach_options.parse("gdtui test", "", own, list(argv))


def test_own_options_are_kept_and_training_options_are_passed_on_as_given():
    args, rest = parse("--port", "5", "--alpha", "0.1", "--optimizer", "adam", "--shuffle")
    assert args.port == 5 and rest == ["--alpha", "0.1", "--optimizer", "adam", "--shuffle"]


@pytest.mark.parametrize("argv, words", [
    (["--alpha", "0"], "alpha"),
    (["--alpha", "x"], "--alpha"),
    (["--por", "5"], "--por"),  # no abbreviations: they would pass on to the sessions
    (["--resume"], "--resume"),
    (["--dataset", "some.csv"], "needs --data-dir"),
    (["--data-dir", ".", "--dataset", "missing.csv"], "missing.csv"),  # (read once at start, not in every session)
])
def test_a_bad_option_stops_at_start_in_one_line(argv, words, capsys):
    with pytest.raises(SystemExit) as stop:
        parse(*argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and words in err and err.count("\n") == 1


ROWS = "x1,x2,label\n" + "".join(f"{k},{k % 3},{'ab'[k % 2]}\n" for k in range(10))


def test_a_csv_must_be_inside_the_data_dir_and_is_passed_on_absolute(tmp_path, monkeypatch, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "points.csv").write_text(ROWS)
    monkeypatch.chdir(tmp_path)
    args, rest = parse("--data-dir", "data", "--dataset", "data/points.csv", "--alpha", "0.1")
    assert args.data_dir == str(tmp_path / "data")
    assert rest == ["--dataset", str(tmp_path / "data" / "points.csv"), "--alpha", "0.1"]
    assert parse("--data-dir=data", "--dataset=data/points.csv")[1][-1] == f"--dataset={tmp_path}/data/points.csv"
    (tmp_path / "other.csv").write_text(ROWS)
    (tmp_path / "data" / "escape.csv").symlink_to(tmp_path / "other.csv")
    for csv in ("other.csv", "data/../other.csv", "data/escape.csv"):
        with pytest.raises(SystemExit):
            parse("--data-dir", "data", "--dataset", csv)
        assert "is outside --data-dir" in capsys.readouterr().err


def test_loopback_is_told_from_other_addresses():
    assert all(map(reach_options.is_loopback, ["127.0.0.1", "127.1.2.3", "::1", "localhost"]))
    assert not any(map(reach_options.is_loopback, ["0.0.0.0", "::", "192.168.1.5", "example.org", ""]))
