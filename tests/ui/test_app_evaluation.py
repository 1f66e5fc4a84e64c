"""The evaluation panel in the app: the report of the weights shown, following training."""

from __future__ import annotations

import numpy as np




def confusion_by_hand(truth, predicted):
    matrix = [[0, 0], [0, 0]]
    for t, p in zip((np.asarray(truth) > 0.5).astype(int).tolist(), np.asarray(predicted).tolist()):
        matrix[t][p] += 1
    return matrix


async def test_e_shows_the_test_split_and_follows_training(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "e")
        await pilot.pause()
        assert app.solo.query_one('#evaluation').display
        data = app.session.trainer.data
        predicted = (data.X_test @ app.session.trainer.weights > 0).astype(int)
        first = app.solo.evaluation
        assert first.split == "test" and first.epoch == 1
        assert [list(r) for r in first.confusion] == confusion_by_hand(data.y_test, predicted)
        await pilot.press("space", "space")
        assert app.solo.evaluation.epoch == 3
        predicted = (data.X_test @ app.session.trainer.weights > 0).astype(int)
        assert [list(r) for r in app.solo.evaluation.confusion] == confusion_by_hand(data.y_test, predicted)
        await pilot.press("t")
        assert app.solo.evaluation.split == "train"
        assert sum(map(sum, app.solo.evaluation.confusion)) == len(data.y_train)
        await pilot.press("e")
        assert app.solo.left == "scatter"
