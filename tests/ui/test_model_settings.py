"""The model keys of the solo run without Textual (F, Z, P, k, K and f across shapes): what each
changes, that a new run starts where a plain trainer of the same settings starts, that a refusal
changes nothing, and that `u` brings the old run back."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.ui.model_settings import FEATURE_PRESETS, LAM_CHOICES, columns_words
from gdtui.ui.solo import SoloSession


def session(**options) -> SoloSession:
    options.setdefault("seed", 0)
    return SoloSession(create_trainer(TrainConfig(**options)))


def fresh_weights(**options) -> np.ndarray:
    options.setdefault("seed", 0)
    return create_trainer(TrainConfig(**options)).weights


def test_features_cycle_through_the_presets_and_back_each_a_new_run_from_the_seed():
    s = session()
    s.step_epoch()
    seen = []
    for _ in FEATURE_PRESETS:
        note = s.settings.model.cycle_features()
        features = s.trainer.config.features
        seen.append(features)
        assert note.startswith(f"features {columns_words(features)}") and "refused" not in note
        assert s.trainer.epoch == 0 and s.trainer.weights.shape == (1 + len(features),)
        np.testing.assert_array_equal(s.trainer.weights, fresh_weights(features=features))
    assert seen == [*FEATURE_PRESETS[1:], FEATURE_PRESETS[0]]
    assert "x1², x2²" in columns_words(FEATURE_PRESETS[1])


def test_the_first_feature_change_can_be_undone():
    s = session()
    for _ in range(3):
        s.step_epoch()
    note = s.settings.model.cycle_features()
    assert "u brings back the run at epoch 3" in note
    s.undo()
    assert s.trainer.epoch == 3 and s.trainer.config.features == ("x1", "x2")


def test_a_changed_start_is_dropped_when_the_weights_change_shape():
    s = session(init_weights=(0.1, 0.2, 0.3))
    s.settings.model.cycle_features()
    assert s.trainer.config.init_weights is None and s.trainer.weights.shape == (5,)


def test_standardize_toggles_with_a_new_run():
    s = session(dataset="circles")
    note = s.settings.model.toggle_standardize()
    assert s.trainer.config.standardize and "standardized" in note
    X = s.trainer.data.X_train[:, 1:]
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1, atol=1e-12)
    s.settings.model.toggle_standardize()
    assert not s.trainer.config.standardize


def test_the_penalty_cycles_none_l2_l1_live_keeping_the_run():
    s = session()
    s.step_epoch()
    trainer = s.trainer
    note = s.settings.model.cycle_penalty()
    assert (s.trainer.config.penalty, s.trainer.config.lam) == ("l2", 0.01) and "λ·w" in note
    assert s.trainer is trainer and s.trainer.epoch == 1
    assert "λ·sign(w)" in s.settings.model.cycle_penalty() and s.trainer.config.penalty == "l1"
    assert "no penalty" in s.settings.model.cycle_penalty()
    assert (s.trainer.config.penalty, s.trainer.config.lam) == ("none", 0.0)


def test_lambda_cycles_only_with_a_penalty_and_is_remembered():
    s = session()
    assert s.settings.model.cycle_lam().startswith("refused") and s.trainer.config.lam == 0.0
    s.settings.model.cycle_penalty()
    got = []
    for _ in LAM_CHOICES:
        s.settings.model.cycle_lam()
        got.append(s.trainer.config.lam)
    assert got == [0.1, 1.0, 0.001, 0.01]
    s.settings.model.cycle_lam()  # 0.1
    s.settings.model.cycle_penalty()  # l1 keeps it
    assert s.trainer.config.lam == 0.1
    s.settings.model.cycle_penalty()  # none
    s.settings.model.cycle_penalty()  # l2 again: the last lambda chosen
    assert s.trainer.config.lam == 0.1


def test_an_l2_step_is_the_gradient_plus_lambda_w_off_the_bias():
    s = session(alpha=0.001)
    s.settings.model.cycle_penalty()
    w = s.trainer.weights.copy()
    data = s.trainer.data
    s.step_epoch()
    # the lesson's sse direction, by hand: sum (p - y) p (1 - p) x
    p = 1 / (1 + np.exp(-(data.X_train @ w)))
    g = ((p - data.y_train) * p * (1 - p)) @ data.X_train
    g[1:] += 0.01 * w[1:]
    np.testing.assert_allclose(s.trainer.weights, w - 0.001 * g, rtol=1e-12)


def test_classes_cycle_2_to_6_on_blobs_with_softmax_and_back():
    s = session()
    note = s.settings.model.cycle_classes()
    assert s.trainer.config.classes == 3 and s.trainer.config.loss == "softmax" and "loss softmax" in note
    assert s.trainer.weights.shape == (3, 3) and set(np.unique(s.trainer.data.y_train)) == {0.0, 1.0, 2.0}
    for k in (4, 5, 6, 2):
        s.settings.model.cycle_classes()
        assert s.trainer.config.classes == k
    assert s.trainer.config.loss == "softmax" and s.trainer.weights.shape == (2, 3)


@pytest.mark.parametrize("dataset, needle", [("moons", "only blobs draws more"), ("circles", "only blobs")])
def test_classes_are_refused_for_two_class_data_and_nothing_changes(dataset, needle):
    s = session(dataset=dataset)
    trainer = s.trainer
    note = s.settings.model.cycle_classes()
    assert note.startswith("refused") and needle in note and s.trainer is trainer


def test_the_loss_cycle_with_two_classes_crosses_shapes_with_a_new_run():
    s = session()
    s.step_epoch()
    trainer = s.trainer
    assert "bce from the next update on" in s.settings.model.cycle_loss() and s.trainer is trainer
    assert "hinge from the next update on" in s.settings.model.cycle_loss() and s.trainer is trainer
    note = s.settings.model.cycle_loss()
    assert "one weight row per class" in note and s.trainer is not trainer
    assert s.trainer.config.loss == "softmax" and s.trainer.weights.shape == (2, 3)
    np.testing.assert_array_equal(s.trainer.weights, fresh_weights(loss="softmax"))
    s.settings.model.cycle_loss()
    assert s.trainer.config.loss == "svm" and s.trainer.weights.shape == (2, 3)
    s.settings.model.cycle_loss()
    assert s.trainer.config.loss == "sse" and s.trainer.weights.shape == (3,)


def test_with_more_classes_the_loss_cycle_stays_among_class_scores():
    s = session(classes=3, loss="softmax")
    s.step_epoch()
    trainer = s.trainer
    s.settings.model.cycle_loss()
    assert s.trainer.config.loss == "svm" and s.trainer is trainer and s.trainer.epoch == 1
    s.settings.model.cycle_loss()
    assert s.trainer.config.loss == "softmax"


def test_cycling_the_data_to_two_class_sets_drops_to_two_classes_and_says_so():
    s = session(classes=4, loss="svm")
    note = s.settings.cycle_dataset()
    assert s.trainer.config.dataset == "moons" and s.trainer.config.classes == 2 and "(the run before had 4)" in note
    assert s.trainer.config.loss == "svm" and s.trainer.weights.shape == (2, 3)
