"""The solo view with models beyond the lesson's, in the app: what a learner's key sequences do
(found by attacking it: a landscape mid-epoch with K rows, the lesson over a selected class-5 point,
a model key's note beside the saturation note, quitting after a new model)."""

from __future__ import annotations

import numpy as np

from gdtui.engine.session import load
from gdtui.ui.solo import SoloSession

from app_support import kept_file

SOFTMAX = dict(loss="softmax", classes=3, alpha=0.001)


async def test_the_landscape_mid_epoch_with_a_row_per_class(make_app):
    app = make_app(batch_size=256, **SOFTMAX)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n", "l")
        await pilot.pause()
        await pilot.press("n")  # (the epoch's second batch, the landscape shown)
        await pilot.pause()
        trainer = app.session.trainer
        assert (trainer.epoch, trainer.batch) == (1, 0) and app.solo.left == "landscape"
        assert "softmax(w0.1" in app.solo.query_one("#picture").border_title


async def test_the_lesson_over_a_selected_point_of_a_sixth_class_leaves_point_mode(make_app):
    app = make_app(loss="softmax", classes=6)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "i")
        await pilot.pause()
        app.solo.points.index = int(np.flatnonzero(app.session.trainer.data.y_train == 5)[0])
        await pilot.press("T")
        await pilot.pause()
        assert not app.solo.points.active and not app.solo.query_one("#point").display
        assert app.session.trainer.config.classes == 2


async def test_a_model_keys_note_is_said_beside_the_saturation_note(make_app):
    app = make_app(init_weights=(5.0, 3.0, 3.0), epochs=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        for _ in range(400):
            if not app.session.running:
                break
            await pilot.pause(0.02)
        await pilot.press("home", "P")
        await pilot.pause()
        note = app.solo.query_one("#notice").text.replace("\n", " ")
        assert "penalty l2" in note and "forked a new run at epoch 0" in note


async def test_quitting_after_a_new_model_keeps_the_new_model(make_app, private_state_home):
    app = make_app(**SOFTMAX)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "space", "F", "q")
    kept = load(kept_file(private_state_home))
    assert kept.epoch == 0 and kept.config.features == ("x1", "x2", "x1^2", "x2^2") and kept.weights.shape == (3, 5)
    assert isinstance(app.session, SoloSession) and app.session.discarded.epoch == 2


def test_the_point_line_of_six_classes_shows_every_score_within_the_width():
    from gdtui.engine import TrainConfig, create_trainer
    from gdtui.engine.points import Parts
    from gdtui.ui.point_mode import point_lines

    trainer = create_trainer(TrainConfig(seed=0, loss="softmax", classes=6))
    trainer.run(2)
    data, w = trainer.data, trainer.weights
    parts = Parts("softmax", data.X_train, data.y_train, w, True, points=data.train_points)
    row = parts.strongest()
    for width in (68, 76, 118):  # (72x22, 80x24, 120x40)
        lines = point_lines(parts.reading(row, parts.direction()), "train", data.shown_labels, width)
        texts = ["".join(text for text, _ in line) for line in lines]
        assert all(len(t) <= width for t in texts) and len(texts) <= 3, (width, texts)
        scores = " ".join(texts).split(" s ")[1].split("  P ")[0].split()
        assert len(scores) == 6  # (each class's score, none cut)
        np.testing.assert_allclose([float(s) for s in scores], data.X_train[row] @ w.T, rtol=0.06)


async def test_the_log_scale_loss_curve_holds_a_loss_of_zero(make_app, wait_until_paused):
    app = make_app(loss="hinge", optimizer="momentum", batch_size=32, shuffle=True, epochs=6)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await wait_until_paused(pilot)
        losses = app.session.trainer.history.losses
        assert losses[-1] == 0.0 and (losses > 0).any()  # (the hinge's margins all met: the loss is exactly 0)
        await pilot.press("L", "home", "end", "left")
        await pilot.pause()
        assert app.solo.log_scale and app.is_running


async def test_d_from_four_classes_draws_the_new_data(make_app):
    app = make_app(loss="svm", classes=4)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        data = app.session.trainer.data
        assert data.name == "moons" and data.classes == 2
        assert app.solo.cells.data is data  # (the scatter bins the moons, not the blobs it showed before)
        assert "moons has two classes (the run before had 4)" in app.solo.query_one("#notice").text
