"""A seeded hostile-input harness: random option values and random CSV files, a few hundred of
each, through `gdtui.cli.main` in-process. Whatever comes in, a refusal is exactly one line on
stderr with exit status 2, at most 200 characters, no control character, never a traceback; an
accepted input prints only printable lines. Good inputs among them still work.

The seed is fixed, so a failure names a case that can be run again (`case` in the message).
"""

from __future__ import annotations

import json
import random

import pytest

from gdtui.cli import main

SEED = 12
CLI_CASES = 400
CSV_CASES = 200

CONTROLS = [chr(c) for c in range(0, 32)] + ["\x7f", "\x85", "\x9b", "\u2028", "\u202e", "\u200b", "\ufeff"]
DIGITS = ["٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９", "०१२३४५६७८९", "߀߁߂߃߄߅߆߇߈߉", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"]
NUMBERS = ["-0", "-0.0", "-0e0", "+0", "1e400", "-1e999", "9" * 400, "18446744073709551616", "4294967296",
           "nan", "-nan", "inf", "-Infinity", "1e-400", "0x10", "1_000", "1e", ".", "-", "+", "1.2.3", "٣",
           "0b1", "1j", "²", "½", "Ⅻ"]
GOOD = {
    "--alpha": ["0.05", " 0.5 ", "1e-3", "+0.2"], "--samples": ["40", "12", " 30"], "--noise": ["0", "0.3", "2"],
    "--data-seed": ["0", "7", "4294967295"], "--test-size": ["0.3", ".5"], "--loss": ["sse", "bce", "hinge"],
    "--optimizer": ["gd", "adam", "rmsprop"], "--schedule": ["step", "inv", "constant"],
    "--decay-every": ["3"], "--momentum": ["0", "0.5"], "--batch-size": ["7", "1000"], "--seed": ["0", "99"],
    "--epochs": ["1", "3"], "--tol": ["1e-3", "5"], "--patience": ["1", "9"], "--init-weights": ["1,2,3", " -1, .5,2e0"],
    "--dataset": ["blobs", "moons", "circles"], "--optimizers": ["gd,adam", " momentum , nesterov "],
    "--features": ["x1,x2", "x1^2,x2^2", " sin1 , x1x2 ", "x2,x1,x1^2,x2^2,x1x2,sin1,sin2"],
    "--penalty": ["none", "l1", "l2"], "--lam": ["0", "0.0"], "--classes": ["2"],
}
PATH_OPTIONS = ("--save", "--history-csv", "--resume")
COMMAND_OPTIONS = {"compare": ("--optimizers",), "train": ("--history-csv",)}


def hostile_text(rng: random.Random) -> str:
    kind = rng.randrange(12)
    if kind == 0:
        return "".join(rng.choice(CONTROLS) for _ in range(rng.randint(1, 8))) + rng.choice(["1", "0.5", "gd", ""])
    if kind == 1:
        return rng.choice("7x,.-é") * rng.randint(200, 60_000)
    if kind == 2:
        pool = rng.choice(DIGITS)
        return "".join(rng.choice(pool + "0123456789.") for _ in range(rng.randint(1, 6)))
    if kind == 3:
        return rng.choice(["1\x002", "\x00", "gd\x00", "0.1\x00"])
    if kind == 4:
        return rng.choice(NUMBERS)
    if kind == 5:
        sep = rng.choice([",,", ";", " ", "\t", "，", "、", ",\x1b,", ", ,", ""])
        return sep.join(rng.choice(["1", "2", "-3", "gd", "adam", "٣"]) for _ in range(rng.randint(1, 5)))
    if kind == 6:
        return "".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randint(1, 30)))
    if kind == 7:
        return rng.choice(["", " ", "   ", "\t", "--alpha", "-1", "--", "-", "=", "==1"])
    if kind == 8:
        return "\x1b[" + rng.choice(["2J", "31m", "?1049h", "6n"]) + rng.choice(["", "1", "0.5"]) + "\x1b]0;t\x07"
    if kind == 9:
        return rng.choice(["-0", "0", "-0.0"]) + rng.choice(["", "e-0", "0"])
    if kind == 10:
        return rng.choice(["1,2,3", "1,2", "1,2,3,4", "nan,0,0", "1e400,0,0", "1,,3", ",,", "1,2,3,"])
    return rng.choice(sum(GOOD.values(), []))


def option_value(rng: random.Random, flag: str, tmp_path) -> str:
    if flag in PATH_OPTIONS:  # a name inside the test's folder, however hostile (never ../ out of it)
        name = hostile_text(rng).replace("/", "_")[:300] or "empty"
        return str(tmp_path / ("out" + name)) + rng.choice(["", "", "/", "/."])
    if flag in GOOD and rng.random() < 0.35:
        return rng.choice(GOOD[flag])
    return hostile_text(rng)


def argv_for(rng: random.Random, tmp_path) -> list[str]:
    command = rng.choice(["train", "train", "compare"])
    flags = list(GOOD) + list(PATH_OPTIONS)
    flags = [f for f in flags if not any(f in only and command != cmd for cmd, only in COMMAND_OPTIONS.items())]
    argv = [command, "--samples", "40", "--epochs", "2"]
    for flag in rng.sample(flags, rng.randint(1, 3)):
        value = option_value(rng, flag, tmp_path)
        argv += [f"{flag}={value}"] if rng.random() < 0.5 or value.startswith("-") else [flag, value]
    if rng.random() < 0.3:
        argv.append("--json")
    if rng.random() < 0.05:
        argv.append(hostile_text(rng))  # a stray argument
    return argv


def outcome(capsys, argv) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def problem(code, out, err) -> str | None:
    """What is wrong with one outcome, or None."""
    if code == 0:
        if err:
            return f"status 0 with stderr {err[:200]!r}"
        if not out or not all(line.isprintable() for line in out.splitlines()):
            return f"unprintable or empty output {out[:200]!r}"
        return None
    lines = err.split("\n")
    if code != 2:
        return f"status {code}"
    if out:
        return f"refused, yet printed {out[:200]!r}"
    if len(lines) != 2 or lines[1] != "":
        return f"not one line: {err[:300]!r}"
    line = lines[0]
    if not line.startswith("gdtui: error: ") or "Traceback" in err:
        return f"not a refusal line: {line[:200]!r}"
    if len(line) > 200:
        return f"{len(line)} characters: {line[:120]!r}…"
    if not line.isprintable():
        return f"a control character: {line!r}"
    return None


def run_cases(capsys, cases) -> tuple[list[str], int]:
    failures, accepted = [], 0
    for number, argv in cases:
        try:
            code, out, err = outcome(capsys, argv)
        except BaseException as exc:  # anything but SystemExit escaping main is a failure
            capsys.readouterr()
            failures.append(f"case {number} {argv!r:.300}: raised {type(exc).__name__}: {exc!s:.200}")
            continue
        trouble = problem(code, out, err)
        if trouble:
            failures.append(f"case {number} {argv!r:.300}: {trouble}")
        accepted += code == 0
    return failures, accepted


def test_hostile_option_values(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(SEED)
    cases = [(n, argv_for(rng, tmp_path)) for n in range(CLI_CASES)]
    failures, accepted = run_cases(capsys, cases)
    assert not failures, f"{len(failures)} of {CLI_CASES} cases:\n" + "\n".join(failures[:10])
    assert 20 < accepted < CLI_CASES - 100, accepted  # both kinds occur: the harness is not vacuous


@pytest.mark.parametrize("flag", sorted(GOOD))
def test_good_values_still_work(capsys, tmp_path, monkeypatch, flag):
    monkeypatch.chdir(tmp_path)
    command = "compare" if flag == "--optimizers" else "train"
    for value in GOOD[flag]:
        argv = [command, "--samples", "40", "--epochs", "2", f"{flag}={value}", "--json"]
        if flag == "--decay-every":
            argv += ["--schedule", "step"]
        code, out, err = outcome(capsys, argv)
        assert code == 0 and err == "", (argv, err)
        json.loads(out)


# ---- CSV files ---------------------------------------------------------------------------------------


def good_rows(rng: random.Random, labels=("cat", "dog")) -> list[list[str]]:
    rows = []
    for k in range(rng.randint(4, 30)):
        label = labels[k % 2]
        x = rng.uniform(-3, -1) if k % 2 == 0 else rng.uniform(1, 3)
        rows.append([repr(x), repr(rng.uniform(-1, 1)), label])
    return rows


def mutate(rng: random.Random, rows: list[list[str]]) -> tuple[list[list[str]], dict]:
    """One hostile change to the rows, or to how they are written (returned as options)."""
    options = {}
    if not rows:
        return rows, {"headers": 1}
    kind = rng.randrange(14)
    i = rng.randrange(len(rows))
    if kind == 0:
        options["bom"] = rng.choice(["\ufeff", "\ufeff\ufeff", "\ufeff\ufeff\ufeff"])
    elif kind == 1:
        options["newline"] = rng.choice(["\r\n", "\r", "\n\n", "\r\n\r\n"])
    elif kind == 2:
        rows[i] = [f'"{field}"' for field in rows[i]] if rng.random() < 0.7 else rows[i][:2] + ['"unclosed']
        options["quoted"] = True
    elif kind == 3:
        rows[i][rng.randrange(3)] = rng.choice("xy7") * rng.choice([1000, 100_000, 140_000])
    elif kind == 4:
        options["headers"] = rng.randint(1, 4)
    elif kind == 5:
        escape = rng.choice(["\x1b[31m", "\x07", "\u202e", "\x1b]0;t\x07", "\x9b2J", "\x08\x08"])
        first = rows[0][-1]
        rows = [row[:-1] + [escape + row[-1] if row[-1] == first else row[-1]] for row in rows]
    elif kind == 6:
        rows[i][rng.randrange(2)] = rng.choice(["nan", "NaN", "inf", "-inf", "1e400", "infinity", "-nan"])
    elif kind == 7:
        rows[i] = rows[i][: rng.choice([1, 2])] if rng.random() < 0.5 else rows[i] + ["extra"]
    elif kind == 8:
        rows[i][rng.randrange(2)] = rng.choice(["٣", "３.５", "1_0", "1\u200b", "²"])
    elif kind == 9:
        options["raw"] = rng.choice([b"\x00", b"\xff\xfe", b"\xc3\x28", b"\x80abc"])
    elif kind == 10:
        rows[i][2] = rng.choice(["bird", "", " ", "cat ", "CAT"])
    elif kind == 11:
        options["delimiter"] = rng.choice([";", "\t", ", ", "|"])
    elif kind == 12:
        rows = rows[: rng.randint(0, 2)]
    else:
        rows[i][rng.randrange(3)] = "".join(rng.choice(CONTROLS) for _ in range(3))
    return rows, options


def csv_bytes(rows, options) -> bytes:
    newline, delimiter = options.get("newline", "\n"), options.get("delimiter", ",")
    lines = [delimiter.join(["x1", "x2", "label"])] * options.get("headers", 0) + [delimiter.join(r) for r in rows]
    text = options.get("bom", "") + newline.join(lines) + newline
    blob = text.encode("utf-8")
    if "raw" in options:
        at = len(blob) // 2
        blob = blob[:at] + options["raw"] + blob[at:]
    return blob


def test_hostile_csv_files(capsys, tmp_path):
    rng = random.Random(SEED + 1)
    cases = []
    for number in range(CSV_CASES):
        rows, options = good_rows(rng), {}
        for _ in range(rng.randint(1, 3)):
            rows, more = mutate(rng, rows)
            options.update(more)
        path = tmp_path / ("case" + str(number) + rng.choice(["", "\x1b[2J", "\u202e", " x"]) + ".csv")
        path.write_bytes(csv_bytes(rows, options))
        command = ["train"] if rng.random() < 0.8 else ["compare", "--optimizers", "gd,adam"]
        cases.append((number, [*command, "--dataset", str(path), "--epochs", "2", "--seed", "0",
                               *(["--json"] if rng.random() < 0.3 else [])]))
    failures, accepted = run_cases(capsys, cases)
    assert not failures, f"{len(failures)} of {CSV_CASES} cases:\n" + "\n".join(failures[:10])
    assert 20 < accepted < CSV_CASES - 50, accepted


@pytest.mark.parametrize("options", [{"bom": "\ufeff", "newline": "\r\n"}, {"headers": 1, "newline": "\r"},
                                     {"quoted": True, "headers": 1}])
def test_good_csv_files_in_every_dress_still_train(capsys, tmp_path, options):
    rng = random.Random(SEED + 2)
    rows = good_rows(rng, labels=("\x1b[31mred", "blue\u202e"))
    if options.get("quoted"):
        rows = [[f'"{field}"' for field in row] for row in rows]
    path = tmp_path / "good.csv"
    path.write_bytes(csv_bytes(rows, options))
    code, out, err = outcome(capsys, ["train", "--dataset", str(path), "--epochs", "2", "--seed", "0"])
    assert code == 0 and err == "" and problem(code, out, err) is None, (out, err)
    assert "[INFO] labels: \\x1b[31mred -> 0, blue\\u202e -> 1" in out.splitlines()
