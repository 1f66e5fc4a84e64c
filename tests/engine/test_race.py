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


@pytest.mark.parametrize("text", ["", " ", "gd,,", "gd,,adam", ",gd", "gd,", "gd, ,adam", "gd,sgd", "adam,adam"])
def test_bad_rule_lists_are_refused(text):
    with pytest.raises(ConfigError, match="optimizers must be distinct names") as caught:
        parse_rules(text)
    assert caught.value.name == "optimizers" and caught.value.got == text


def test_rule_names_may_be_padded_with_blanks():
    assert parse_rules(" gd , adam ") == ("gd", "adam")


@pytest.mark.parametrize("options", [dict(tol=5.0), dict(batch_size=64, shuffle=True), dict(patience=3)])
def test_advance_is_lock_step_epochs(data, options):
    config = TrainConfig(seed=3, epochs=40, **options)
    stepped, advanced = Race(data, config), Race(data, config)
    for _ in range(40):
        stepped.step_epoch()
    advanced.advance(25)
    advanced.advance(15)
    for rule in DEFAULT_RULES:
        np.testing.assert_array_equal(advanced.losses(rule), stepped.losses(rule))
        np.testing.assert_array_equal(advanced.trainers[rule].history.weights, stepped.trainers[rule].history.weights)
    assert advanced.going == stepped.going


def test_like_starts_from_the_trainers_start_even_after_a_reset(data):
    trainer = create_trainer(TrainConfig(seed=5))
    assert np.array_equal(Race.like(trainer).start, trainer.history.weights[0])
    trainer.reset()
    trainer.step_epoch()
    race = Race.like(trainer, ("gd", "adam"))
    assert np.array_equal(race.start, trainer.history.weights[0])
    assert {tuple(t.history.weights[0]) for t in race.trainers.values()} == {tuple(race.start)}
    assert np.array_equal(race.restarted(("momentum",)).start, race.start)


def test_leader_is_the_strictly_lowest_loss(data):
    race = Race(data, TrainConfig(seed=1), ("gd", "momentum", "adam"))
    assert race.leader is None  # all start equal
    race.advance(2)
    assert race.leader is None  # gd and momentum still tie: momentum's first step is gd's
    race.advance(3)
    losses = {rule: race.losses(rule)[-1] for rule in race.rules}
    assert race.leader == min(losses, key=losses.get)


def test_a_refused_change_reaches_no_racer(data):
    race = Race(data, TrainConfig(seed=1, alpha=1e6), ("gd", "adam"))
    with pytest.raises(ConfigError):
        race.configure(alpha=2e6)
    assert race.config.alpha == 1e6 and {t.config.alpha for t in race.trainers.values()} == {1e6}


def test_a_racer_taken_out_and_put_back_is_as_it_was_and_catches_up():
    data = load_dataset(TrainConfig())
    race = Race(data, TrainConfig(seed=4), ("gd", "adam"))
    race.run(5)
    assert race.tick("adam") is None and race.rules == ("gd",) and race.benched["adam"].epoch == 5
    race.run(3)
    assert race.tick("adam") == 8 and race.rules == ("gd", "adam")
    assert race.tick("nesterov") == 8 and race.rules == ("gd", "nesterov", "adam")
    for rule in ("adam", "nesterov"):
        alone = create_trainer(TrainConfig(seed=4, optimizer=rule))
        alone.run(8)
        np.testing.assert_array_equal(race.trainers[rule].history.weights, alone.history.weights)
    with pytest.raises(ValueError):
        Race(data, TrainConfig(seed=4), ("gd",)).tick("gd")
