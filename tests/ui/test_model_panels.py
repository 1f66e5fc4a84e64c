"""The number panels for every model shape, as text (Textual-free): the numbers panel, the status
line, the evaluation and the race's status fit the panels' widths, and every number they show is
the trainer's, to the digits shown; plus Pilot tests that `g` and `e` open for such models."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from rich.console import Console

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.evaluate import evaluate
from gdtui.engine.explain import explain_update
from gdtui.ui import panels, theme
from gdtui.ui.evaluation_panel import evaluation_lines
from gdtui.ui.numbers_panel import numbers_lines
from gdtui.ui.readouts import gradient_check_at
from gdtui.ui.screens.race_lines import race_status_line
from gdtui.ui.screens.inspector import GradientInspector, explain
from gdtui.ui.widgets.lines import text_of, width_of

ALL = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2")
NAMES = {"x1": "x1", "x2": "x2", "x1^2": "x1²", "x2^2": "x2²", "x1x2": "x1·x2", "sin1": "sin x1", "sin2": "sin x2"}
"""The screen's column names, written out here (the test's own transcription)."""
CASES = {
    "lesson": dict(),
    "hinge": dict(loss="hinge"),
    "squares": dict(loss="bce", dataset="circles", features=("x1", "x2", "x1^2", "x2^2")),
    "standardized": dict(loss="bce", standardize=True, features=("x1", "x2", "x1x2")),
    "l2": dict(loss="bce", penalty="l2", lam=0.01, features=("x1", "x2", "x1^2")),
    "softmax3": dict(loss="softmax", classes=3, optimizer="adam"),
    "svm6": dict(loss="svm", classes=6, features=ALL, optimizer="momentum"),
}
WIDTHS = (38, 58)


@pytest.fixture(scope="module")
def trainers():
    out = {}
    for name, options in CASES.items():
        trainer = create_trainer(TrainConfig(seed=0, alpha=0.001, **options))
        trainer.run(4)
        out[name] = trainer
    return out


def rows_of(values) -> list[tuple[float, ...]]:
    return [tuple(values)] if not isinstance(values[0], tuple) else [tuple(row) for row in values]


def tables_of(lines) -> dict[str, dict[tuple[int, int], str]]:
    """{symbol: {(class k, column j): the number's text}} read back from the panel's table lines:
    a header (5 blank cells, then the names) starts a band whose columns follow the last band's."""
    found: dict[str, dict[tuple[int, int], str]] = {}
    start, count, symbol, headers = 0, 0, None, 0
    for line in lines:
        if len(line) == 2 and line[0] == (" " * 5, ""):
            start, headers = (start + count if headers else 0), headers + 1
            continue
        if len(line) == 2 and line[0][1] == "bold" and line[0][0].strip():  # one row: `W    ` and the numbers
            symbol, k, numbers = line[0][0].strip(), 0, line[1][0].split()
        elif len(line) == 3 and line[1][1] == theme.DIM and line[1][0].strip().isdigit():  # K rows
            symbol = line[0][0].strip() or symbol
            k, numbers = int(line[1][0]), line[2][0].split()
        else:
            continue
        count = len(numbers)
        for i, text in enumerate(numbers):
            found.setdefault(symbol, {})[(k, start + i)] = text
    return found


def shows(text: str, value: float) -> bool:
    """`text` is `value` written to some number of significant digits (1 to 4)."""
    return any(float(text) == float(f"{value:.{digits}g}") for digits in (1, 2, 3, 4))


@pytest.mark.parametrize("detailed", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("case", list(CASES))
def test_the_numbers_panel_fits_and_shows_the_trainers_numbers(trainers, case, width, detailed):
    trainer = trainers[case]
    snap = trainer.snapshot()
    lines = numbers_lines(snap, width, detailed)
    assert all(width_of(line) <= width for line in lines), [text_of(line) for line in lines]
    if case != "lesson":
        assert len(lines) <= (18 if detailed else 10)
    tables = tables_of(lines)
    weights, d = rows_of(snap.weights), 1 + len(trainer.config.features)
    assert set(tables) >= {"W"}
    shown_columns = {j for (_, j) in tables["W"]}
    assert shown_columns == set(range(len(shown_columns)))  # (a window shows the first columns)
    text = "\n".join(text_of(line) for line in lines)
    if len(shown_columns) < d:
        assert "not shown" in text or f"+{d - len(shown_columns)}" in text
    for symbol, values in (("W", snap.weights), ("g", snap.direction), ("step", snap.last_step),
                           ("Δw", snap.last_step), *((s, v) for s, _, v in snap.optimizer_state)):
        for (k, j), number in tables.get(symbol, {}).items():
            assert shows(number, rows_of(values)[k][j]), (symbol, k, j, number)
    assert len(tables["W"]) == len(weights) * len(shown_columns)


@pytest.mark.parametrize("case, expected", [
    ("lesson", {"W", "g", "step"}), ("hinge", {"W", "g", "step"}), ("squares", {"W", "g"}),
    ("softmax3", {"W", "g"}), ("svm6", {"W"})])
def test_which_tables_fit_an_80x24_side_panel(trainers, case, expected):
    """At 80x24 the side panel's numbers are 39 cells wide; W and g come first, K x d permitting."""
    assert expected <= set(tables_of(numbers_lines(trainers[case].snapshot(), 39)))


def test_the_largest_model_shows_every_weight_at_120x40_widths(trainers):
    """6 x 8 at the width of a 120x40 side panel's numbers (51 cells): W and g, a window of the
    first columns and the note of the others; every weight shows in the inspector."""
    snap = trainers["svm6"].snapshot()
    lines = numbers_lines(snap, 51, detailed=True)
    tables = tables_of(lines)
    assert {"W", "g"} <= set(tables)
    assert {k for k, _ in tables["W"]} == set(range(6))
    assert "not shown" in "\n".join(text_of(line) for line in lines)


def expected_score(head: str, row, features) -> str:
    names = [NAMES[f] for f in features]
    terms = [f"{row[0] + 0.0:.3g}"] + [f"{'-' if w < 0 else '+'} {abs(w):.3g}·{n}" for w, n in zip(row[1:], names)]
    return f"{head} = " + " ".join(terms)


def equation_text(lines, head: str) -> str | None:
    """The score function starting `head =`, its continuation lines (indented) joined."""
    texts = [text_of(line) for line in lines]
    for i, text in enumerate(texts):
        if text.startswith(f"{head} = "):
            parts = [text]
            for more in texts[i + 1:]:
                if not more.startswith("  "):
                    break
                parts.append(more.strip())
            return " ".join(parts)
    return None


@pytest.mark.parametrize("case", ["squares", "standardized", "l2"])
def test_one_score_shows_its_function_with_the_weights(trainers, case):
    trainer = trainers[case]
    snap = trainer.snapshot()
    lines = numbers_lines(snap, 58, detailed=True)
    assert equation_text(lines, "z") == expected_score("z", snap.weights, trainer.config.features)
    assert not any(text_of(line).startswith("y = ") for line in lines)


def test_k_scores_show_one_function_per_class_when_tall(trainers):
    trainer = trainers["softmax3"]
    snap = trainer.snapshot()
    lines = numbers_lines(snap, 51, detailed=True)
    for k, row in enumerate(snap.weights):
        assert equation_text(lines, f"s{k}") == expected_score(f"s{k}", row, ("x1", "x2"))
    short = [text_of(line) for line in numbers_lines(snap, 39)]
    assert "class = argmax of W·(1, x1, x2)" in short


def test_x1_x2_keeps_the_boundary_equation_and_standardizing_says_so(trainers):
    hinge = [text_of(line) for line in numbers_lines(trainers["hinge"].snapshot(), 39)]
    assert hinge[-1].startswith("y = (") and "g = -X^T(t [1 - t z > 0])" in "\n".join(hinge)
    standardized = "\n".join(text_of(line) for line in numbers_lines(trainers["standardized"].snapshot(), 39))
    assert "standardized" in standardized


def test_the_penalty_shows_in_g_and_in_the_status(trainers):
    snap = trainers["l2"].snapshot()
    text = "\n".join(text_of(line) for line in numbers_lines(snap, 39))
    assert "g = X^T(p - y) + λ·w" in text and "l2 penalty λ=0.01, not on the bias" in text
    status = text_of(panels.status_line(snap, "paused", "paused", 78))
    assert "l2 λ=0.01" in status and "bce" in status
    narrow = panels.status_line(snap, "paused", "paused", 56)  # (the penalty gives way before the loss)
    assert width_of(narrow) <= 56 and "l2" not in text_of(narrow) and "bce" in text_of(narrow)


@pytest.mark.parametrize("state, short", [("paused", "paused"), ("running until loss < 0.5", "running"),
                                          ("rewound to epoch 2 of 4", "rewound 2/4")])
@pytest.mark.parametrize("case", list(CASES))
def test_the_status_line_fits_80_columns_for_every_loss(trainers, case, state, short):
    snap = trainers[case].snapshot()
    line = panels.status_line(snap, state, short, 78)
    text = text_of(line)
    assert width_of(line) <= 78
    assert f"{trainers[case].config.loss} {snap.loss_here:.4g}" in text
    assert f"{100 * snap.test_accuracy:.1f}%" in text


def plain_confusion(y_true, X, W) -> np.ndarray:
    """(true, predicted) pairs counted in plain NumPy: the predicted class is the largest score."""
    predicted = np.argmax(X @ np.asarray(W).T, axis=1)
    counts = np.zeros((len(W), len(W)), dtype=int)
    for t, p in zip(y_true.astype(int), predicted):
        counts[t, p] += 1
    return counts


def confusion_of(lines, classes: int) -> tuple[np.ndarray, list[list[str]]]:
    """The matrix read back from the evaluation's lines, with each count's style."""
    texts = [text_of(line) for line in lines]
    top = next(i for i, text in enumerate(texts) if text.startswith("confusion")) + 1
    while not texts[top].strip() or texts[top].startswith("columns"):
        top += 1
    body = lines[top + 1: top + 1 + classes]
    counts = np.array([[int(text) for text, _ in line[1:]] for line in body])
    return counts, [[style for _, style in line[1:]] for line in body]


@pytest.mark.parametrize("width, height", [(34, 20), (62, 36)])
@pytest.mark.parametrize("case", ["softmax3", "svm6", "lesson"])
def test_the_confusion_matrix_counts_the_argmax_pairs(trainers, case, width, height):
    """The evaluation panel is 34 x 20 cells at 80x24 and 62 x 36 at 120x40."""
    trainer = trainers[case]
    W = trainer.weights if trainer.weights.ndim == 2 else None
    y = trainer.data.y_test
    report = evaluate(y, trainer.predict(trainer.weights, "test"), trainer.data.labels, "test", 4)
    lines = evaluation_lines(report, width)
    assert all(width_of(line) <= width for line in lines) and len(lines) <= height
    classes = trainer.data.classes
    counts, styles = confusion_of(lines, classes)
    if W is None:  # one score: class 1 where z > 0, counted plainly
        predicted = (trainer.data.X_test @ trainer.weights > 0).astype(int)
        expected = np.array([[np.sum((y == t) & (predicted == p)) for p in (0, 1)] for t in (0, 1)])
    else:
        expected = plain_confusion(y, trainer.data.X_test, W)
    np.testing.assert_array_equal(counts, expected)
    for t in range(classes):
        for p in range(classes):
            assert styles[t][p] == f"bold {theme.GOOD if t == p else theme.BAD}"
    report_rows = [text_of(line) for line in lines if re.match(r"\s*\d+\s+\d\.\d\d", text_of(line))]
    assert len(report_rows) == classes


def test_named_classes_get_a_key_when_the_names_do_not_fit(tmp_path):
    rng = np.random.default_rng(3)
    names = ("aardvark-long", "buffalo-longer", "chameleon-long")
    path = tmp_path / "animals.csv"
    rows = [f"{x:.4f},{y:.4f},{names[k]}" for k in range(3) for x, y in rng.normal(3 * k, 1, size=(40, 2))]
    path.write_text("x1,x2,label\n" + "\n".join(rows) + "\n")
    trainer = create_trainer(TrainConfig(dataset=str(path), loss="softmax", seed=1))
    trainer.run(5)
    report = evaluate(trainer.data.y_test, trainer.predict(trainer.weights, "test"), trainer.data.labels, "test", 5)
    lines = evaluation_lines(report, 34)
    assert all(width_of(line) <= 34 for line in lines)
    counts, _ = confusion_of(lines, 3)
    np.testing.assert_array_equal(counts, plain_confusion(trainer.data.y_test, trainer.data.X_test, trainer.weights))
    key = " ".join(text_of(line) for line in lines[-2:])
    assert "0 aardvark-long" in key and "2 chameleon-long" in key


def test_the_race_status_gives_a_k_row_start_or_gives_way():
    start = ((0.1234, -2.5, 3.0), (1.0, 0.0, -0.5), (2.25, 1.5, -7.75))
    wide = text_of(race_status_line("paused", 3, 0.01, "constant", None, 10, None, start, 200))
    assert "start (+0.1234 -2.5 +3; +1 0 -0.5; +2.25 +1.5 -7.75)" in wide
    middle = text_of(race_status_line("paused", 3, 0.01, "constant", None, 10, None, start, 90))
    assert "start (0.12 -2.5 3; 1 0 -0.5; 2.2 1.5 -7.8)" in middle
    narrow = race_status_line("paused", 3, 0.01, "constant", None, 10, None, start, 40)
    assert width_of(narrow) <= 40 and "start" not in text_of(narrow)


def plain(renderable) -> str:
    console = Console(width=110, file=io.StringIO(), record=True)
    console.print(renderable)
    return console.export_text()


def test_the_inspector_lists_every_component_with_its_label(trainers):
    trainer = trainers["svm6"]
    check = gradient_check_at(trainer, trainer.weights)
    text = plain(explain(check, trainer.loss, 4, False, ("1", *(NAMES[f] for f in ALL))))
    rows = [line.split() for line in text.splitlines() if re.match(r"\s*w\d\.\d", line)]
    assert [row[0] for row in rows] == [f"w{k}.{j}" for k in range(6) for j in range(8)]
    assert rows[0][1] == "bias" and rows[3][1] == "x1²" and rows[2][1] != "x2"  # (w0.2 is plainly x2's)
    assert "is exactly ∇L" in text


def test_the_inspector_checks_the_loss_plus_the_penalty(trainers):
    trainer = trainers["l2"]
    check = gradient_check_at(trainer, trainer.weights)
    text = plain(explain(check, trainer.loss, 4, False, ("1", "x1", "x2", "x1²")))
    assert "J = L + P" in text and "P = λ/2·Σw² with λ = 0.01" in text and "∇J numeric" in text
    assert "g = X^T(p - y) + λ·w is exactly ∇J" in text


@pytest.mark.parametrize("options", [dict(loss="softmax", classes=3),
                                     dict(loss="bce", dataset="circles", features=("x1", "x2", "x1^2", "x2^2"))])
async def test_g_and_e_open_for_models_at_80x24(make_app, options):
    app = make_app(**options)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "g")
        await pilot.pause()
        assert isinstance(app.screen, GradientInspector)
        assert len(app.solo.inspection.direction) == app.session.trainer.weights.size
        await pilot.press("escape", "e")
        await pilot.pause()
        panel = app.solo.query_one("#evaluation")
        assert panel.display and "confusion matrix" in panel.text
        assert all(len(line) <= panel.content_size.width for line in panel.text.splitlines())


def test_the_standardized_line_model_writes_the_raw_boundary_as_why_does():
    """One row over standardized x1, x2: the numbers panel and why both write the boundary on the
    raw x1, x2 (the line the scatter draws); its weights transcribed here from the split's columns."""
    trainer = create_trainer(TrainConfig(seed=0, alpha=0.001, loss="bce", standardize=True))
    trainer.run(3)
    snap = trainer.snapshot()
    points = trainer.data.train_points
    mean, std = points.mean(axis=0), points.std(axis=0)
    w = np.array(snap.weights)
    raw = (w[0] - sum(w[1:] * mean / std), *(w[1:] / std))
    assert snap.line_model and np.allclose(snap.line_weights, raw, rtol=1e-12, atol=1e-12)
    w0, w1, w2 = snap.line_weights
    equation = f"y = ({-w0:.4g} {'-' if -w1 < 0 else '+'} {abs(w1):.4g}·x) / {w2:.4g} (raw x1, x2)"
    assert equation in [text_of(line) for line in numbers_lines(snap, 58)]
    trainer.step_epoch()
    e = explain_update(trainer.last_update(), trainer.data.X_train, trainer.data.y_train, points,
                       trainer.config.features, trainer.data.scaling)
    assert np.allclose(e.boundary_weights, trainer.snapshot().line_weights, rtol=1e-12, atol=1e-12)


def test_only_one_row_over_x1_x2_is_the_line_model():
    assert TrainConfig(loss="hinge", penalty="l1", lam=0.1, standardize=True).line_model
    assert not TrainConfig(features=("x1", "x2", "x1^2")).line_model
    assert not TrainConfig(loss="softmax").line_model and not TrainConfig(features=("x2", "x1")).line_model


def test_a_short_panel_gives_the_report_way_before_the_confusion_matrix():
    trainer = create_trainer(TrainConfig(seed=0, loss="softmax", classes=6, alpha=0.001))
    trainer.run(5)
    X, y = trainer.data.X_test, trainer.data.y_test
    report = evaluate(y, np.argmax(X @ trainer.weights.T, axis=1), trainer.data.labels, "test", 5)
    tall = evaluation_lines(report, 34)
    texts = ["".join(text for text, _ in line) for line in tall]
    matrix = texts[texts.index(next(t for t in texts if t.startswith("confusion"))):]
    for height in (len(tall), len(tall) - 1, len(matrix) + 8, len(matrix) + 1):
        lines = evaluation_lines(report, 34, height)
        shown = ["".join(text for text, _ in line) for line in lines]
        assert len(lines) <= height and shown[-len(matrix):] == matrix, height  # (the whole matrix, always)
    shown = ["".join(text for text, _ in line) for line in evaluation_lines(report, 34, len(tall) - 1)]
    assert "" not in shown and any(t.startswith("macro") for t in shown)  # (first the blank line goes,
    shown = ["".join(text for text, _ in line) for line in evaluation_lines(report, 34, len(tall) - 2)]
    assert not any(t.startswith("macro") for t in shown) and any(t.startswith("5 ") for t in shown)  # then the averages)
