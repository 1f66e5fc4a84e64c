"""Breakpoints (`b`) and learning-rate schedules (`s`) in the TUI."""

from __future__ import annotations

import numpy as np

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.breakpoints import Breakpoints, Watch
from gdtui.ui.screens.breakpoints_form import BreakpointsForm



async def set_breakpoints(pilot, **texts: str) -> None:
    await pilot.press("b")
    await pilot.pause()
    assert isinstance(pilot.app.screen, BreakpointsForm)
    for name, text in texts.items():
        pilot.app.screen.query_one(f"#bp-{name}").value = text
    pilot.app.screen.query_one("#bp-more_epochs").focus()
    await pilot.press("enter")
    await pilot.pause()




def status_text(app) -> str:
    return app.solo.query_one('#status').text


async def test_a_loss_breakpoint_pauses_on_the_first_epoch_below_it(make_app, wait_until_paused, size):
    reference = create_trainer(TrainConfig(seed=0, epochs=100))
    reference.run()
    losses = reference.history.losses
    threshold = float(losses[23] + losses[24]) / 2  # first crossed after epoch 24
    expected = int(np.argmax(losses < threshold))
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await set_breakpoints(pilot, loss_below=repr(threshold))
        assert not isinstance(app.screen, BreakpointsForm)
        await wait_until_paused(pilot)
        assert app.session.trainer.epoch == expected == 24
        assert app.session.halted_by == "breakpoint"
        assert status_text(app).startswith(f"break: loss {losses[24]:.6g} < {threshold:g} at epoch 24")


async def test_n_more_epochs_counts_from_the_current_epoch(make_app, wait_until_paused, size):
    app = make_app(epochs=10)
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "space")
        await set_breakpoints(pilot, more_epochs="40")  # beyond --epochs: the breakpoint decides
        await wait_until_paused(pilot)
        assert app.session.trainer.epoch == 43
        assert "40 more epochs done (epoch 43)" in status_text(app)


async def test_test_accuracy_breakpoint_in_percent(make_app, wait_until_paused, size):
    reference = create_trainer(TrainConfig(seed=0, epochs=100))
    X, y = reference.data.X_test, reference.data.y_test
    accuracy = [float(np.mean((X @ reference.weights > 0) == (y == 1)))]
    while reference.epoch < 60:
        reference.step_epoch()
        accuracy.append(float(np.mean((X @ reference.weights > 0) == (y == 1))))
    expected = next(e for e, a in enumerate(accuracy) if e and a >= 0.9)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await set_breakpoints(pilot, test_accuracy="90")
        await wait_until_paused(pilot)
        assert app.session.trainer.epoch == expected
        assert app.session.breakpoints.test_accuracy == 0.9


async def test_a_bad_value_is_refused_in_the_form_and_nothing_changes(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await set_breakpoints(pilot, loss_below="lots")
        assert isinstance(app.screen, BreakpointsForm)
        error = str(app.screen.query_one("#bp-error").render())
        assert error == "refused: when the loss is below: 'lots' is not a number"
        app.screen.query_one("#bp-loss_below").value = ""
        app.screen.query_one("#bp-test_accuracy").value = "150"
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.screen.query_one("#bp-error").render()) == \
            "refused: when the test accuracy reaches (%): must be a percentage in (0, 100] (got 150)"
        app.screen.query_one("#bp-test_accuracy").value = ""
        app.screen.query_one("#bp-loss_below").value = "-1"
        await pilot.press("enter")
        await pilot.pause()
        assert "loss below must be a number > 0" in str(app.screen.query_one("#bp-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.watch is None and not app.session.running and app.session.trainer.epoch == 0


async def test_an_empty_form_clears_the_breakpoints(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await set_breakpoints(pilot, more_epochs="10000000")
        await pilot.press("p")  # pause with the breakpoints still armed
        assert app.session.watch is not None
        await set_breakpoints(pilot, more_epochs="")
        assert app.session.watch is None and not app.session.running
        assert app.session.breakpoints.any is False


async def test_s_cycles_the_schedules_and_the_status_shows_the_alpha_in_force(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        for _ in range(12):
            await pilot.press("space")
        await pilot.press("s")  # step: 0.01 * 0.5 ** floor(12 / 10)
        await pilot.pause()
        assert app.session.trainer.config.schedule == "step"
        assert "alpha 0.005 step " in status_text(app)
        assert app.solo.query_one('#notice').text == ("schedule step ×0.5 every 10, counted from epoch 0: "
                                                          "alpha in force 0.005 (base 0.01)")
        await pilot.press("s")  # exp: 0.01 * 0.95 ** 12
        await pilot.pause()
        assert f"alpha {0.01 * 0.95 ** 12:.4g} exp " in status_text(app)
        await pilot.press("space")
        assert app.session.trainer.history.alphas[-1] == app.session.trainer.config.alpha_at(12)
        await pilot.press("s", "s")
        await pilot.pause()
        assert app.session.trainer.config.schedule == "constant"
        assert "alpha 0.01 " in status_text(app)


async def test_breakpoints_count_again_from_a_fork(make_app, wait_until_paused, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*["space"] * 10)
        app.session.watch = Watch(Breakpoints(more_epochs=6), app.session.trainer)  # armed at 10, as a paused run keeps them
        await pilot.press("left", "left", "left")
        assert app.session.viewing == 7
        await pilot.press("p")  # forks at 7; the breakpoints count from there
        await wait_until_paused(pilot)
        assert app.session.trainer.epoch == 13 and "6 more epochs done (epoch 13)" in status_text(app)


async def test_clearing_the_breakpoints_while_rewound_keeps_the_later_epochs(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(*["space"] * 4, "left", "left", "left")
        assert app.session.viewing == 1
        await set_breakpoints(pilot)  # all fields empty
        assert app.session.viewing == 1 and app.session.trainer.epoch == 4 and len(app.session.trainer.history) == 5
