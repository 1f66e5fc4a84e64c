"""Run mode's pacing: one epoch while the cost is unknown, then as many as fit."""

from gdtui.ui.run_loop import EpochCost


def test_an_unknown_cost_runs_one_epoch_then_the_estimate_sizes_frames():
    cost = EpochCost()
    assert cost.epochs_in(0.02, 1000) == 1
    cost.measured(1, 0.001)
    assert cost.seconds == 0.001 and cost.epochs_in(0.02, 1000) == 20
    cost.measured(10, 0.03)  # 3 ms each now: the estimate moves half-way
    assert abs(cost.seconds - 0.002) < 1e-12 and cost.epochs_in(0.02, 1000) == 10
    assert cost.epochs_in(0.02, 4) == 4 and cost.epochs_in(1e-9, 4) == 1
    cost.measured(0, 5.0)  # nothing ran: nothing learned
    assert abs(cost.seconds - 0.002) < 1e-12
    cost.forget()
    assert cost.epochs_in(0.02, 1000) == 1
