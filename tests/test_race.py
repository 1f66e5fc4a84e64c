"""The optimizer race: identical starts, and each racer is exactly its solo run."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.engine import ConfigError, TrainConfig, create_trainer, load_dataset
from gdtui.engine.race import DEFAULT_RULES, Race, parse_rules


@pytest.fixture(scope="module")
def data():
    return load_dataset(TrainConfig())


@pytest.mark.parametrize("options", [dict(), dict(batch_size=64, shuffle=True), dict(loss="bce", alpha=0.001)])
def test_racers_start_together_and_match_their_solo_runs(data, options):
    config = TrainConfig(seed=11, epochs=30, **options)
    race = Race(data, config, DEFAULT_RULES)
    starts = {tuple(t.history.weights[0]) for t in race.trainers.values()}
    assert len(starts) == 1
    race.run()
    for rule, racer in race.trainers.items():
        solo = create_trainer(config.with_changes(optimizer=rule))
        solo.run()
        np.testing.assert_array_equal(racer.history.weights, solo.history.weights)
        np.testing.assert_array_equal(racer.history.losses, solo.history.losses)
    assert {s.epoch for s in race.standings()} == {30}


def test_a_racer_that_stops_waits_while_the_others_go_on(data):
    race = Race(data, TrainConfig(seed=1, tol=5.0, epochs=200), ("gd", "adam"))
    race.run()
    stood = {s.rule: s for s in race.standings()}
    assert any(s.stop_reason == "tol" for s in stood.values())
    for s in stood.values():
        assert s.stop_reason == "tol" or s.epoch == 200
        if s.stop_reason == "tol":
            assert race.trainers[s.rule].history.losses[-1] < 5.0 <= race.trainers[s.rule].history.losses[-2]


def test_configure_reaches_every_racer(data):
    race = Race(data, TrainConfig(seed=1), ("gd", "momentum"))
    race.configure(alpha=0.02)
    assert {t.config.alpha for t in race.trainers.values()} == {0.02}


@pytest.mark.parametrize("text", ["", "gd,,", "gd,sgd", "adam,adam"])
def test_bad_rule_lists_are_refused(text):
    if text == "gd,,":
        assert parse_rules(text) == ("gd",)
        return
    with pytest.raises(ConfigError, match="--optimizers"):
        parse_rules(text)
