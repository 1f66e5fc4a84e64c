"""The evaluation panel: scikit-learn's report and a confusion matrix that match an independent count."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine.evaluate import evaluate
from gdtui.ui.widgets.evaluation import EvaluationView

SIZE = (100, 30)


def confusion_by_hand(truth, predicted):
    counts = [[0, 0], [0, 0]]
    for t, p in zip(truth, predicted):
        counts[int(t)][int(p)] += 1
    return counts


def test_evaluate_counts_like_a_loop():
    rng = np.random.default_rng(4)
    truth = (rng.random(300) > 0.3).astype(float)
    predicted = (rng.random(300) > 0.5).astype(int)
    result = evaluate(truth, predicted, ("cat", "dog"), "test", 7)
    assert [list(r) for r in result.confusion] == confusion_by_hand(truth, predicted)
    assert result.accuracy == pytest.approx(np.mean(truth == predicted))
    tp = np.sum((truth == 1) & (predicted == 1))
    assert result.rows[1][0] == "dog"
    assert result.rows[1][1] == pytest.approx(tp / np.sum(predicted == 1))  # precision of "dog"
    assert result.rows[1][2] == pytest.approx(tp / np.sum(truth == 1))  # recall of "dog"
    assert result.rows[0][4] + result.rows[1][4] == 300
    assert "cat" in result.report and "dog" in result.report


async def test_e_shows_the_test_split_and_follows_training(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "e")
        await pilot.pause()
        assert app.query_one(EvaluationView).display
        data = app.trainer.data
        predicted = (data.X_test @ app.trainer.weights > 0).astype(int)
        first = app.evaluation
        assert first.split == "test" and first.epoch == 1
        assert [list(r) for r in first.confusion] == confusion_by_hand(data.y_test, predicted)
        await pilot.press("space", "space")
        assert app.evaluation.epoch == 3
        predicted = (data.X_test @ app.trainer.weights > 0).astype(int)
        assert [list(r) for r in app.evaluation.confusion] == confusion_by_hand(data.y_test, predicted)
        await pilot.press("t")
        assert app.evaluation.split == "train"
        assert sum(map(sum, app.evaluation.confusion)) == len(data.y_train)
        await pilot.press("e")
        assert app.left == "scatter"
