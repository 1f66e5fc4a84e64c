"""The solo run's model without Textual: rewinding and forking, run mode's limits, breakpoints and
what the status says, against plain trainers stepped by hand."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.breakpoints import Breakpoints
from gdtui.ui.solo import SoloSession
from gdtui.ui.status import DIVERGED_NOTE


def session(**options) -> SoloSession:
    options.setdefault("seed", 0)
    return SoloSession(create_trainer(TrainConfig(**options)))


def plain(**options):
    options.setdefault("seed", 0)
    return create_trainer(TrainConfig(**options))


def run_out(s: SoloSession, per_frame: int = 7) -> int:
    """Advance run mode as the run loop would, `per_frame` epochs at a time; returns the frames."""
    frames = 0
    while s.running:
        s.advance(min(per_frame, s.remaining()))
        frames += 1
    return frames


def test_the_session_module_needs_no_textual():
    code = "import sys, gdtui.ui.solo; print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_stepping_is_the_trainers_stepping():
    s, reference = session(), plain()
    for _ in range(3):
        assert s.step_epoch() == ""
        reference.step_epoch()
    np.testing.assert_array_equal(s.trainer.history.weights, reference.history.weights)
    view = s.view()
    assert view.live and view.state == "paused" and view.snapshot.epoch == 3


def test_rewind_shows_a_recorded_epoch_and_a_step_forks_there():
    s = session()
    for _ in range(6):
        s.step_epoch()
    recorded = s.trainer.history.weights.copy()
    s.rewind(-1)
    s.rewind(-1)
    assert s.viewing == 4 and s.state_word() == "rewound to epoch 4 of 6"
    assert s.view().snapshot.weights == tuple(recorded[4]) and not s.view().live
    s.rewind(+5)  # past the latest: live again
    assert s.viewing is None
    s.rewind(-3)
    note = s.step_epoch()
    assert note == "forked a new run at epoch 3: the 3 later epochs were discarded"
    assert s.trainer.epoch == 4 and s.viewing is None
    np.testing.assert_array_equal(s.trainer.history.weights[:4], recorded[:4])
    reference = plain()
    reference.run(4)
    np.testing.assert_array_equal(s.trainer.weights, reference.weights)  # the same settings retrace the run


def test_a_setting_changed_while_rewound_forks_and_a_refused_one_changes_nothing():
    s = session()
    for _ in range(5):
        s.step_epoch()
    s.rewind(-2)
    assert s.configure(alpha=-1.0).startswith("refused: alpha must be a number in (0, 1e6]")
    assert s.viewing == 3 and s.trainer.epoch == 5 and s.trainer.config.alpha == 0.01
    assert "forked a new run at epoch 3" in s.settings.scale_alpha(2)
    assert s.trainer.epoch == 3 and s.trainer.config.alpha == 0.02


def test_from_a_partial_epoch_the_first_step_back_shows_the_last_whole_epoch():
    s = session(batch_size=100)
    s.step_epoch()
    s.step_batch()
    s.rewind(-1)
    assert s.viewing == 1
    assert s.step_batch() == "forked a new run at epoch 1: the 1 batches of the unfinished epoch were discarded"


def test_run_mode_stops_at_the_epoch_limit_then_runs_that_many_more():
    s = session(epochs=30)
    s.start_run()
    assert s.running and s.remaining() == 30
    run_out(s)
    assert s.trainer.epoch == 30 and s.halted_by == "epochs" and s.state_word() == "done (30 epochs)"
    s.start_run()  # at the limit: that many epochs more
    run_out(s, per_frame=11)
    assert s.trainer.epoch == 60 and s.halted_by == "epochs"


def test_run_mode_stops_on_tol_and_says_converged():
    s = session(tol=5.0)
    s.start_run()
    run_out(s)
    reference = plain(tol=5.0)
    assert reference.run() == "tol" and s.halted_by == "tol" and s.state_word() == "converged (tol)"
    assert s.trainer.epoch == reference.epoch


def test_breakpoints_stop_on_the_first_epoch_that_fires_and_an_empty_set_clears_them():
    s = session()
    s.step_epoch()
    assert s.arm(Breakpoints(loss_below=40.0)) == ""
    assert s.running and s.watch is not None
    run_out(s, per_frame=50)
    reference = plain()
    reference.run(20)
    first = next(k for k in range(2, 21) if reference.history.losses[k] < 40.0)
    assert s.trainer.epoch == first and s.halted_by == "breakpoint"
    assert s.state_word().startswith(f"break: loss {reference.history.losses[first]:.6g} < 40 at epoch {first}")
    assert s.arm(Breakpoints()) == "breakpoints cleared" and s.watch is None and not s.running


def test_a_divergence_is_said_and_nothing_else_changes(huge_csv):
    s = session(dataset=huge_csv, loss="bce")
    assert s.step_epoch() == ""
    before = s.trainer.weights
    assert s.step_epoch() == DIVERGED_NOTE
    assert s.state_word() == "diverged" and np.array_equal(s.trainer.weights, before)


def test_cycling_settings_says_what_changed():
    s = session()
    assert s.settings.cycle_optimizer() == "" and s.trainer.config.optimizer == "momentum"
    assert s.settings.cycle_momentum() == "momentum coefficient μ = 0.99"
    assert s.settings.cycle_schedule().startswith("schedule step ×0.5 every 10, counted from epoch 0: alpha in force 0.01")
    assert s.settings.cycle_batch() == "batch size 256" and s.trainer.config.batch_size == 256
    s.step_batch()
    assert s.settings.cycle_batch().startswith("batch size 64 from the next epoch (this one goes on with its 2 batches)")


def test_new_data_keep_the_settings_and_a_refused_file_keeps_everything(tmp_path):
    s = session(alpha=0.02)
    s.step_epoch()
    assert s.settings.cycle_dataset() == "" and s.trainer.config.dataset == "moons" and s.trainer.epoch == 0
    assert s.trainer.config.alpha == 0.02
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,a\n3,4,a\n")
    before = s.trainer
    assert "2 to 6 distinct values" in s.load_data(dataset=str(bad))
    assert s.trainer is before


def test_an_untouched_run_is_not_worth_keeping():
    s = session()
    assert s.untouched
    s.step_batch()
    assert not s.untouched


def test_after_a_breakpoint_fires_the_others_stay_armed_and_the_fired_one_waits_to_cross_again():
    s = session()
    s.arm(Breakpoints(loss_below=40.0, more_epochs=30))
    run_out(s, per_frame=9)
    first = s.trainer.epoch
    assert s.halted_by == "breakpoint" and s.break_note.startswith("loss") and s.watch is not None
    assert "p goes on" in s.take_halt_note()
    s.start_run()  # the loss stays below 40: only "30 more epochs", counted from the re-arm, fires now
    run_out(s, per_frame=9)
    assert s.halted_by == "breakpoint" and s.trainer.epoch == first + 30
    assert s.break_note == f"30 more epochs done (epoch {first + 30})"


def test_p_after_tol_runs_the_epoch_budget_more_with_tol_set_aside_and_says_so():
    s = session(tol=5.0, epochs=50)
    s.start_run()
    run_out(s)
    stopped = s.trainer.epoch
    assert s.halted_by == "tol" and "p runs 50 more with tol set aside" in s.take_halt_note()
    assert s.start_run() == "tol set aside for this run: 50 more epochs"
    run_out(s)
    assert s.trainer.epoch == stopped + 50 and s.halted_by == "epochs"
    reference = plain(tol=5.0, epochs=50)
    reference.run()
    reference.run(s.trainer.epoch - reference.epoch, rules=False)
    np.testing.assert_array_equal(s.trainer.history.weights, reference.history.weights)


def test_p_after_a_divergence_waits_for_a_change(huge_csv):
    s = session(dataset=huge_csv, loss="bce")
    s.step_epoch()
    s.step_epoch()
    assert s.trainer.diverged
    assert s.start_run().startswith("diverged: the next update is not finite") and not s.running
    s.settings.scale_alpha(0.5)
    s.start_run()
    assert s.running


def test_u_undoes_the_last_discard_and_u_again_returns():
    s = session()
    for _ in range(4):
        s.step_epoch()
    before = s.trainer.history.weights.copy()
    assert s.reset() == "a fresh start; u brings back the run at epoch 4"
    assert s.trainer.epoch == 0 and not np.array_equal(s.trainer.weights, before[0])
    fresh = s.trainer.weights
    assert s.undo() == "back to the run at epoch 4 (blobs); u again returns"
    np.testing.assert_array_equal(s.trainer.history.weights, before)
    s.undo()
    np.testing.assert_array_equal(s.trainer.weights, fresh)
    s.undo()
    assert s.settings.cycle_dataset() == "" and s.trainer.data.name == "moons"
    assert "(blobs)" in s.undo() and s.trainer.epoch == 4


def test_a_reset_draws_what_the_trainer_itself_would_draw():
    s, reference = session(), plain()
    s.step_epoch()
    reference.step_epoch()
    s.reset()
    reference.reset()
    np.testing.assert_array_equal(s.trainer.weights, reference.weights)


def test_jump_shows_any_recorded_epoch_and_refuses_others():
    s = session()
    for _ in range(10):
        s.step_epoch()
    assert s.jump(0) == "" and s.viewing == 0
    assert s.jump(10) == "" and s.viewing is None
    assert s.jump(11).startswith("refused: epoch must be a whole number in [0, 10]")
    assert s.undo() == "nothing to undo: u brings back a run that r, d, D or a new model (F, Z, K, f) replaced"


def test_a_new_run_that_replaced_a_trained_one_is_worth_keeping():
    s = session()
    s.reset()
    assert s.untouched  # (a fresh start of nothing trained replaced nothing trained)
    s.step_epoch()
    s.settings.model.cycle_features()
    assert s.trainer.epoch == 0 and not s.untouched  # (the learner chose the new model: quitting keeps it)


def test_the_path_mid_epoch_ends_at_the_current_weights_for_every_shape():
    for options in (dict(batch_size=256), dict(batch_size=256, loss="softmax", classes=3)):
        s = session(**options)
        s.step_epoch()
        s.step_batch()
        path = s.path()
        assert path.shape == (3, *s.trainer.weights.shape), options
        np.testing.assert_array_equal(path[-1], s.trainer.weights)
        np.testing.assert_array_equal(path[1], s.trainer.history.weights[1])
