"""The saturation note for every loss (`gdtui.ui.saturation`, Textual-free): sse stalls where most
rows are saturated on the wrong side; bce and softmax do not stall, and are told about only when
huge unstandardized inputs keep them saturated; the hinge and the svm have nothing to saturate."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.points import saturation
from gdtui.engine.points import SaturationVerdict
from gdtui.ui.saturation import SaturationWatch, saturation_words


@pytest.fixture
def around_100(tmp_path):
    """Two (or three) clusters of points around (100, 100), two units apart: a CSV as the issue says."""
    def write(classes: int = 2):
        rng = np.random.default_rng(0)
        path = tmp_path / f"around100-{classes}.csv"
        rows = ["x1,x2,label"]
        for k, name in enumerate(("cat", "dog", "emu")[:classes]):
            for x1, x2 in rng.normal((100 + 4 * k, 100 + 3 * k), 2.0, (150, 2)):
                rows.append(f"{x1:.3f},{x2:.3f},{name}")
        path.write_text("\n".join(rows) + "\n")
        return str(path)
    return write


def _said(**options) -> tuple[str, object]:
    trainer = create_trainer(TrainConfig(seed=0, **options))
    return SaturationWatch().check(trainer, trainer.weights), trainer


@pytest.mark.parametrize("loss", ["sse", "bce"])
def test_huge_inputs_are_said_with_standardize_and_only_sse_is_said_to_stall(around_100, loss):
    words, trainer = _said(dataset=around_100(), loss=loss)
    found = saturation(trainer.data.X_train, trainer.data.y_train, trainer.weights)
    assert found.share > 0.5 and found.wrong_share >= 0.1
    assert words.startswith("saturated: ") and "Z standardizes them (a new run)" in words and "mean |x| is 10" in words
    if loss == "sse":
        assert "p(1−p): sse hardly moves them" in words
    else:
        assert "does not vanish" in words and "hardly moves" not in words


def test_what_the_note_says_of_bce_is_what_happens(around_100):
    """Unstandardized, bce's steps swing every row from one saturated side to the other; with
    --standardize the same run learns."""
    raw = create_trainer(TrainConfig(seed=0, dataset=around_100(), loss="bce"))
    scaled = create_trainer(TrainConfig(seed=0, dataset=around_100(), loss="bce", standardize=True))
    for _ in range(30):
        raw.step_epoch()
        scaled.step_epoch()
        assert saturation(raw.data.X_train, raw.data.y_train, raw.weights).share > 0.9
    assert raw.accuracy(raw.weights) < 0.7 and scaled.accuracy(scaled.weights) > 0.8
    assert SaturationWatch().check(scaled, scaled.weights) == ""


def test_softmax_on_huge_inputs_is_said_with_P(around_100):
    words, _ = _said(dataset=around_100(3), loss="softmax")
    assert "have P within 1e-6 of one class" in words and "P − Y does not vanish" in words
    assert "Z standardizes them (a new run)" in words


@pytest.mark.parametrize("options", [dict(loss="hinge"), dict(loss="svm")])
def test_the_hinge_and_the_svm_have_nothing_to_saturate(around_100, options):
    words, _ = _said(dataset=around_100(3 if options["loss"] == "svm" else 2), **options)
    assert words == ""


def test_small_inputs_keep_the_lessons_note_and_bce_says_nothing():
    words, _ = _said(init_weights=(5.0, 3.0, 3.0))
    assert words.startswith("saturated: 75% of the training rows") and words.endswith("Try a smaller alpha (-) or bce")
    assert _said(init_weights=(5.0, 3.0, 3.0), loss="bce")[0] == ""
    squares, _ = _said(features=("x1", "x2", "x1^2", "x2^2"), init_weights=(5.0, 3.0, 3.0, 1.0, 1.0))
    assert "Z standardizes them (a new run)" in squares  # (the squares of blobs are large inputs)


def test_it_is_said_once_until_it_ends():
    trainer = create_trainer(TrainConfig(seed=0, init_weights=(5.0, 3.0, 3.0)))
    watch = SaturationWatch()
    assert watch.check(trainer, trainer.weights) and watch.check(trainer, trainer.weights) == ""
    assert watch.check(trainer, np.zeros(3)) == ""  # (p = 0.5 everywhere: it ended)
    assert watch.check(trainer, trainer.weights)


def test_the_words_need_no_scale_for_any_loss():
    """(Saying bce's or softmax's note without a scale used to raise a TypeError.)"""
    for loss, what in (("bce", "p within 1e-6 of 0 or 1"), ("softmax", "P within 1e-6 of one class")):
        words = saturation_words(SaturationVerdict(loss, 0.9, 0.2, None))
        assert words.startswith(f"saturated: 90% of the training rows have {what}, 20% on the wrong side")
        assert words.endswith("swings the scores far). Try a smaller alpha (-)") and "standardize" not in words
    sse = saturation_words(SaturationVerdict("sse", 0.9, 0.2, None))
    assert sse.endswith("sse hardly moves them. Try a smaller alpha (-) or bce")
    scaled = saturation_words(SaturationVerdict("bce", 0.9, 0.2, 101.5))
    assert scaled.endswith("far). The inputs are large (a column's mean |x| is 102): Z standardizes them "
                           "(a new run), or try a smaller alpha (-)")
