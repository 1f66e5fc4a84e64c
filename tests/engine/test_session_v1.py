"""Version-1 session files (every array a JSON list) still load, to the bit.

Two oracles: files written by the version-1 code itself (tests/data/v1-*.json, saved by gdtui
0.1.0 before format 2), replayed here step for step; and `v1_document`, the version-1 writer
transcribed, for sessions of every rule. A version-1 file has no per-epoch batch counts: they
read as 0 (unknown), the only difference from the trainer that wrote it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from gdtui.engine import TrainConfig, create_trainer, load_dataset
from gdtui.engine.codec import encode
from gdtui.engine.config import OPTIMIZERS
from gdtui.engine.race import Race
from gdtui.engine.session import SessionError, load, save
from gdtui.engine.session_data import file_sha256, split_sha256
from gdtui.engine.state_fields import STATE_V1
from test_session import assert_one_line, assert_same, steps

DATA = Path(__file__).parent.parent / "data"


def v1_document(session):
    """The document the version-1 writer made of a trainer or a race."""
    def config(c):
        if c.is_csv:
            c = dataclasses.replace(c, dataset=os.path.abspath(c.dataset))
        return {f.name: encode(getattr(c, f.name)) for f in dataclasses.fields(TrainConfig)}

    def data(c, d):
        out = {"split_sha256": split_sha256(d)}
        if c.is_csv:
            out["file_sha256"] = file_sha256(os.path.abspath(c.dataset))
        return out

    def state(s):
        out = {}
        for field in STATE_V1:
            value = getattr(s, field.key)
            if field.key == "optimizer_state":
                value = {"first": value.first.tolist(), "second": value.second.tolist(), "steps": int(value.steps)}
            elif field.key == "history":
                rows = len(value)
                value = {**{key: encode(getattr(value, key).reshape(rows, -1)) for key in ("weights", "directions", "steps")},
                         **{key: encode(getattr(value, key)) for key in ("losses", "train_accuracy", "alphas",
                                                                        "optimizer_state")},
                         "optimizers": list(value.optimizers)}
            out[field.key] = encode(value)
        return out

    head = {"format": "gdtui-session", "version": 1, "saved_by": "gdtui 0.1.0"}
    if isinstance(session, Race):
        racers = list(session.trainers.items())
        return {**head, "kind": "race", "config": config(session.config), "data": data(session.config, racers[0][1].data),
                "racers": [{"rule": r, "config": config(t.config), "state": state(t.state())} for r, t in racers]}
    return {**head, "kind": "train", "config": config(session.config), "data": data(session.config, session.data),
            "state": state(session.state())}


def unknown_batches(state, rows=None):
    """`state` with the batch counts of its first `rows` rows unknown (0), as a v1 file gives them."""
    batches = state.history.batches.copy()
    batches[: len(batches) if rows is None else rows] = 0
    return dataclasses.replace(state, history=dataclasses.replace(state.history, batches=batches))


def assert_like_v1(v1_trainer, trainer, v1_rows=None):
    assert_same(v1_trainer.state(), unknown_batches(trainer.state(), v1_rows))
    assert v1_trainer.config == trainer.config


def write(tmp_path, document, name="v1.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document, allow_nan=False))
    return path


# ---- files written by the version-1 code -------------------------------------------------------------


def fixture_train():
    """What tests/data/v1-train.json holds, made again the way it was made."""
    t = create_trainer(TrainConfig(samples=40, seed=3, batch_size=6, shuffle=True, optimizer="adam", epochs=50))
    t.run(3)
    t.configure(optimizer="rmsprop")
    t.run(2)
    t.fork(4)
    t.configure(batch_size=None, optimizer="adagrad")
    t.run(3)
    t.configure(batch_size=7)
    steps(t, 2)
    return t


def test_a_train_file_of_the_version_1_code_loads_and_continues_to_the_bit():
    loaded, made = load(DATA / "v1-train.json"), fixture_train()
    assert loaded.epoch == 7 and loaded.batch == 2
    assert_like_v1(loaded, made)
    for trainer in (loaded, made):
        trainer.run(5)
    assert_like_v1(loaded, made, v1_rows=8)
    assert loaded.history.batches[8:].tolist() == made.history.batches[8:].tolist()


def test_a_race_file_of_the_version_1_code_loads_and_continues_to_the_bit():
    cfg = TrainConfig(samples=40, seed=5, epochs=20, alpha=0.1)
    made = Race(load_dataset(cfg), cfg, ("gd", "momentum", "adam"))
    made.run(6)
    loaded = load(DATA / "v1-race.json")
    for race in (loaded, made):
        race.run(4)
    for rule in made.trainers:
        assert_like_v1(loaded.trainers[rule], made.trainers[rule], v1_rows=7)
    assert loaded.standings() == made.standings()


def test_a_version_1_file_saved_again_is_version_3_and_keeps_every_bit(tmp_path):
    loaded = load(DATA / "v1-train.json")
    save(loaded, tmp_path / "v2.json")
    assert json.loads((tmp_path / "v2.json").read_text())["version"] == 3
    assert_same(load(tmp_path / "v2.json").state(), loaded.state())


# ---- the transcribed writer --------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size, shuffle", [(None, False), (16, True)])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_version_1_documents_of_every_rule_load_to_the_bit(tmp_path, optimizer, batch_size, shuffle):
    cfg = TrainConfig(samples=200, seed=7, optimizer=optimizer, batch_size=batch_size, shuffle=shuffle, alpha=0.05)
    straight, first = create_trainer(cfg), create_trainer(cfg)
    straight.run(9)
    first.run(5)
    loaded = load(write(tmp_path, v1_document(first)))
    assert_like_v1(loaded, first)
    loaded.run(4)
    assert_like_v1(loaded, straight, v1_rows=6)


def test_a_version_1_csv_session_is_still_refused_once_its_file_changed(tmp_path):
    csv_path = tmp_path / "pets.csv"
    csv_path.write_text("".join(f"{i},{i % 3},{'cat' if i % 2 else 'dog'}\n" for i in range(30)))
    trainer = create_trainer(TrainConfig(dataset=str(csv_path), seed=1))
    trainer.run(3)
    path = write(tmp_path, v1_document(trainer))
    assert_like_v1(load(path), trainer)  # (a version-1 file holds no rows: the CSV is read again)
    csv_path.write_text(csv_path.read_text() + "0.5,0.5,cat\n")
    with pytest.raises(SessionError) as caught:
        load(path)
    assert_one_line(caught.value, "v1.json", "changed since the session was saved")


def test_a_version_1_csv_session_whose_file_became_a_fifo_is_refused_unopened(tmp_path):
    csv_path = tmp_path / "pets.csv"
    csv_path.write_text("".join(f"{i},{i % 3},{'cat' if i % 2 else 'dog'}\n" for i in range(30)))
    path = write(tmp_path, v1_document(create_trainer(TrainConfig(dataset=str(csv_path), seed=1))))
    csv_path.unlink()
    os.mkfifo(csv_path)
    with pytest.raises(SessionError) as caught:
        load(path)  # (opened without blocking: no writer is needed for the refusal)
    assert_one_line(caught.value, "v1.json", "is not a regular file")


def test_version_1_steps_must_be_the_differences_of_the_weights(tmp_path):
    trainer = create_trainer(TrainConfig(samples=200, seed=7, batch_size=32))
    trainer.run(4)
    document = v1_document(trainer)
    document["state"]["history"]["steps"][2][1] += 1e-9
    with pytest.raises(SessionError) as caught:
        load(write(tmp_path, document))
    assert_one_line(caught.value, "history.steps", "differences of the history's weights")
