"""The evaluation panel: scikit-learn's report and a confusion matrix that match an independent count."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine.evaluate import evaluate

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
