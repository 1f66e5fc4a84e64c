"""Sessions saved and resumed: bit-for-bit continuation, atomic writes, and hostile files refused.

The oracle for resuming is the run that was never interrupted: N epochs, save, load, M epochs must
leave every piece of trainer state (weights, optimizer state, RNG, history, the half-done epoch)
bitwise equal to N+M epochs straight. The hostile files are built here by hand from a valid one.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import stat

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdtui.engine.config import MODEL_FIELDS
from gdtui.engine import DataError, TrainConfig, create_trainer, load_dataset
from gdtui.engine import atomic, session
from gdtui.engine.config import OPTIMIZERS
from gdtui.engine.data import read_csv
from gdtui.engine.packed import unpack
from gdtui.engine.race import Race
from gdtui.engine.session import SessionError, load, save

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# ---- helpers -------------------------------------------------------------------------------------


def assert_same(a, b, where="state"):
    """Equal to the bit: arrays by bytes, floats by bits (nan == nan), everything else by ==."""
    if dataclasses.is_dataclass(a):
        assert type(a) is type(b), where
        for field in dataclasses.fields(a):
            assert_same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape and a.dtype == b.dtype, where
        assert a.tobytes() == b.tobytes(), where
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert isinstance(b, float) and np.float64(a).tobytes() == np.float64(b).tobytes(), (where, a, b)
    else:
        assert a == b, (where, a, b)


def assert_same_trainer(a, b):
    assert_same(a.state(), b.state())
    assert a.config == b.config
    assert a.snapshot() == b.snapshot()
    assert a.stop_reason == b.stop_reason
    np.testing.assert_array_equal(a.last_batch_rows(), b.last_batch_rows())


def config(**options):
    options.setdefault("samples", 200)
    options.setdefault("seed", 7)
    options.setdefault("epochs", 60)
    return TrainConfig(**options)


def resumed(trainer, tmp_path, name="s.json"):
    path = tmp_path / name
    save(trainer, path)
    return load(path)


def steps(trainer, batches):
    for _ in range(batches):
        assert trainer.step_batch()


# ---- resuming continues to the bit ---------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [None, 16])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_n_epochs_saved_resumed_then_m_more_equal_n_plus_m_straight(tmp_path, optimizer, shuffle, batch_size):
    cfg = config(optimizer=optimizer, shuffle=shuffle, batch_size=batch_size, alpha=0.05)
    straight = create_trainer(cfg)
    straight.run(17)
    first = create_trainer(cfg)
    first.run(6)
    second = resumed(first, tmp_path)
    assert_same_trainer(first, second)  # nothing lost on the way through the file
    second.run(11)
    assert second.epoch == 17
    assert_same_trainer(straight, second)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("shuffle", [False, True])
def test_a_session_stopped_mid_epoch_continues_to_the_bit(tmp_path, optimizer, shuffle):
    cfg = config(optimizer=optimizer, shuffle=shuffle, batch_size=16, alpha=0.02)  # 100 rows: 7 batches
    straight = create_trainer(cfg)
    steps(straight, 7 * 3 + 4 + 7 * 2 + 5)
    first = create_trainer(cfg)
    steps(first, 7 * 3 + 4)
    assert first.batch == 4
    second = resumed(first, tmp_path)
    assert second.batch == 4 and second.batches_per_epoch == 7
    steps(second, 7 * 2 + 5)
    assert_same_trainer(straight, second)
    assert straight.preview((0.1, 1.0)) == second.preview((0.1, 1.0))


def test_mid_epoch_after_a_batch_size_change_keeps_the_epochs_own_batches(tmp_path):
    cfg = config(optimizer="adam", shuffle=True, batch_size=16)
    straight, first = create_trainer(cfg), create_trainer(cfg)
    for trainer in (straight, first):
        steps(trainer, 10)
        trainer.configure(batch_size=40)  # applies from the next epoch
    second = resumed(first, tmp_path)
    for trainer in (straight, second):
        trainer.run(5)
    assert_same_trainer(straight, second)


def test_schedules_patience_and_a_fork_survive_the_round_trip(tmp_path):
    cfg = config(optimizer="momentum", schedule="step", decay=0.5, decay_every=3, patience=50, batch_size=32)
    straight, first = create_trainer(cfg), create_trainer(cfg)
    for trainer in (straight, first):
        trainer.run(12)
        trainer.fork(8)
        trainer.configure(alpha=0.03)
    second = resumed(first, tmp_path)
    for trainer in (straight, second):
        trainer.run(9)
    assert_same_trainer(straight, second)
    assert len(set(second.history.alphas.tolist())) > 2  # the schedule really changed alpha


def test_a_long_fused_run_resumes_across_chunk_boundaries(tmp_path):
    cfg = config(epochs=5000)
    straight, first = create_trainer(cfg), create_trainer(cfg)
    straight.run(4500)
    first.run(2100)  # the fused path leaves its accuracies to be measured when first read
    path = tmp_path / "fused.json"
    save(first, path)
    packed = json.loads(path.read_text())["state"]["history"]["train_accuracy"]
    written = unpack(packed, "", "<f8", (2101,), runs=True)
    assert "run_values" in packed  # the unmeasured rows are one run
    assert not np.isnan(written[0]) and np.isnan(written).sum() == 2100  # saved unmeasured: saving stays fast
    second = load(path)
    second.run(2400)
    assert_same_trainer(straight, second)
    np.testing.assert_array_equal(second.train_accuracy(), straight.train_accuracy())
    assert not np.isnan(second.train_accuracy()).any()  # measured once read, as the straight run's


def test_a_diverged_session_stays_diverged(tmp_path, huge_csv):
    trainer = create_trainer(TrainConfig(dataset=huge_csv, loss="bce", seed=0, alpha=1.0, epochs=5))
    assert trainer.run() == "diverged"
    back = resumed(trainer, tmp_path)
    assert back.diverged and back.stop_reason == "diverged"
    assert_same_trainer(trainer, back)
    assert not back.step_batch()


def test_a_fresh_trainer_round_trips_and_the_file_is_strict_json(tmp_path):
    trainer = create_trainer(config())
    path = tmp_path / "fresh.json"
    save(trainer, path)
    text = path.read_text(encoding="utf-8")

    def refuse(name):
        raise AssertionError(f"{name} literal in the file")

    document = json.loads(text, parse_constant=refuse)
    assert document["format"] == "gdtui-session" and document["version"] == 3 and document["kind"] == "train"
    assert document["state"]["best_loss"] == "inf"  # no epoch yet: the best loss is +inf
    back = load(path)
    assert back.state().best_loss == math.inf
    assert_same_trainer(trainer, back)
    assert set(document["config"]) == set(trainer.config.as_dict()) | set(MODEL_FIELDS)  # (as_dict: only changed ones)


def test_saving_a_loaded_session_writes_the_same_document(tmp_path):
    trainer = create_trainer(config(optimizer="rmsprop", shuffle=True, batch_size=16))
    trainer.run(4)
    steps(trainer, 3)
    save(trainer, tmp_path / "a.json")
    save(load(tmp_path / "a.json"), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_floats_round_trip_exactly(tmp_path):
    trainer = create_trainer(config(init_weights=(0.1, 1 / 3, -2.0 ** -1074), optimizer="adam"))
    trainer.run(3)
    back = resumed(trainer, tmp_path)
    assert back.history.weights[0].tobytes() == np.array([0.1, 1 / 3, -2.0 ** -1074]).tobytes()
    assert back.history.losses.tobytes() == trainer.history.losses.tobytes()


def test_a_csv_session_resumes_while_its_file_is_unchanged(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    lines = ["x1,x2,label"] + [f"{a!r},{b!r},{'cat' if a < 0 else 'dog'}" for a, b in rng.normal(size=(60, 2)).tolist()]
    (tmp_path / "pets.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)  # a relative path is saved absolute
    cfg = TrainConfig(dataset="pets.csv", seed=2, batch_size=8, shuffle=True)
    straight, first = create_trainer(cfg), create_trainer(cfg)
    straight.run(9)
    first.run(4)
    save(first, "s.json")
    monkeypatch.chdir(tmp_path.parent)
    second = load(tmp_path / "s.json")
    assert second.config.dataset == str(tmp_path / "pets.csv")
    assert second.data.labels == ("cat", "dog")
    second.run(5)
    assert_same(straight.state(), second.state())


@pytest.mark.parametrize("change", [
    lambda p: p.write_text(p.read_text().replace("cat", "cow")),
    lambda p: p.write_text(p.read_text() + "0.5,0.5,cat\n"),
    lambda p: p.unlink(),
], ids=["changed", "grew", "gone"])
def test_a_csv_session_resumes_after_its_file_changed_or_went(tmp_path, change):
    csv_path = tmp_path / "pets.csv"
    csv_path.write_text("x1,x2,label\n" + "".join(f"{i},{i % 3},{'cat' if i % 2 else 'dog'}\n" for i in range(30)))
    cfg = TrainConfig(dataset=str(csv_path), seed=1, batch_size=4, shuffle=True)
    straight, first = create_trainer(cfg), create_trainer(cfg)
    straight.run(7)
    first.run(3)
    save(first, tmp_path / "s.json")
    change(csv_path)
    second = load(tmp_path / "s.json")  # the rows as they were read are in the file
    assert second.data.labels == ("cat", "dog") and second.data.name == "pets.csv"
    second.run(4)
    assert_same_trainer(straight, second)


def test_a_stored_csv_is_checked_against_its_hash(tmp_path):
    csv_path = tmp_path / "pets.csv"
    csv_path.write_text("".join(f"{i},{i % 3},{'cat' if i % 2 else 'dog'}\n" for i in range(30)))
    trainer = create_trainer(TrainConfig(dataset=str(csv_path), seed=1))
    document = session.to_document(trainer)
    assert set(document["data"]) == {"split_sha256", "points", "labels", "label_names"}
    points = unpack(document["data"]["points"], "", "<f8", (30, 2)).copy()
    points[4, 1] += 1
    document["data"]["points"] = session.Packed(points, "<f8").plain()
    (tmp_path / "s.json").write_text(json.dumps(document))
    with pytest.raises(SessionError) as caught:
        load(tmp_path / "s.json")
    assert_one_line(caught.value, "s.json", "differs from the one the session was trained on")


def test_a_race_resumes_to_the_bit(tmp_path):
    data = load_dataset(config())
    cfg = config(batch_size=32, shuffle=True, alpha=0.05)
    straight = Race(data, cfg, ("gd", "nesterov", "adam"))
    straight.run(12)
    first = Race(data, cfg, ("gd", "nesterov", "adam"))
    first.run(5)
    path = tmp_path / "race.json"
    save(first, path)
    assert json.loads(path.read_text())["kind"] == "race"
    second = load(path)
    assert isinstance(second, Race)
    assert tuple(second.trainers) == ("gd", "nesterov", "adam")
    assert second.config == first.config
    second.run(7)
    for rule in straight.trainers:
        assert_same_trainer(straight.trainers[rule], second.trainers[rule])
    assert straight.standings() == second.standings()


def test_a_race_with_a_diverged_racer_keeps_it_stopped(tmp_path, huge_csv):
    race = Race(load_dataset(TrainConfig(dataset=huge_csv)), TrainConfig(dataset=huge_csv, loss="bce", seed=0,
                                                                         alpha=1.0, epochs=6), ("gd", "adagrad"))
    race.run()
    stopped = {s.rule: s.stop_reason for s in race.standings()}
    assert "diverged" in stopped.values()
    save(race, tmp_path / "r.json")
    back = load(tmp_path / "r.json")
    assert {s.rule: s.stop_reason for s in back.standings()} == stopped


# ---- atomic writes -------------------------------------------------------------------------------


def test_a_crash_before_the_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    trainer = create_trainer(config())
    path = tmp_path / "s.json"
    save(trainer, path)
    old = path.read_bytes()
    trainer.run(5)

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(SessionError) as caught:
        save(trainer, path)
    assert_one_line(caught.value, "s.json", "cannot write", "No space left")
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]
    monkeypatch.undo()
    save(trainer, path)  # and a later save goes through
    assert load(path).epoch == 5


def test_a_crash_while_writing_leaves_the_old_file(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old contents")

    def chunks():
        yield "new "
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(path, chunks())
    assert path.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_write_fsyncs_the_file_and_the_directory(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.fstat(fd).st_mode) or real_fsync(fd))
    atomic.write_atomic(tmp_path / "x.txt", ["a", b"b"])
    assert (tmp_path / "x.txt").read_text() == "ab"
    assert [stat.S_ISREG(m) for m in synced] == [True, False]  # the file, then its directory


# ---- hostile files -------------------------------------------------------------------------------


def assert_one_line(error, *needles):
    text = str(error)
    assert "\n" not in text and text.strip() == text, text
    for needle in needles:
        assert needle in text, (needle, text)


@pytest.fixture(scope="module")
def valid_document():
    """A small session with every part in use: shuffled mini-batches, stopped mid-epoch."""
    trainer = create_trainer(TrainConfig(samples=40, seed=3, batch_size=6, shuffle=True, optimizer="adam"))
    trainer.run(3)
    steps(trainer, 2)
    return session.to_document(trainer)


def mutated(document, path, value):
    """A deep copy of `document` with the value at `path` (keys and indices) replaced."""
    out = json.loads(json.dumps(document))
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


DELETE = object()

def pk(values, dtype="<f8"):
    """A packed array as a session file holds it."""
    return session.Packed(np.asarray(values), dtype).plain()


def column(document, *path, dtype="<f8"):
    """A packed array of `document` at `path`, decoded (a writable copy)."""
    node = document
    for key in path:
        node = node[key]
    return unpack(node, "", dtype, tuple(node["shape"]), runs=True).copy()


@pytest.fixture(scope="module")
def valid_columns(valid_document):
    h = ("state", "history")
    return {key: column(valid_document, *h, key, dtype="<i8" if key == "optimizer_steps_off" else
                        "<i4" if key == "batches" else "<f8")
            for key in ("weights", "losses", "train_accuracy", "optimizer_steps_off", "batches")}


def changed(array, index, value):
    out = np.array(array, copy=True)
    out[index] = value
    return out


HOSTILE_DOCUMENTS = [
    # (path, new value (or a function of the decoded valid columns), words the message must hold)
    (("format",), "other-tool", "not a gdtui session"),
    (("version",), 4, "written by a newer gdtui (version 4); this one reads version 3"),
    (("version",), True, "version"),
    (("version",), "1", "version"),
    (("kind",), "movie", "kind"),
    (("saved_by",), DELETE, "'saved_by' is missing"),
    (("config",), DELETE, "'config' is missing"),
    (("config", "learning_rate"), 0.1, "unknown setting 'learning_rate'"),
    (("config", "alpha"), -1, "config: alpha must be a number in (0, 1e6]"),
    (("config", "seed"), None, "seed"),
    (("config", "samples"), 41, "differs from the one the session was trained on"),
    (("config", "noise"), -0.0, ""),  # passes the config's range check, but NumPy's generator refuses it
    (("data", "split_sha256"), "0" * 64, "differs"),
    (("state", "weights"), "abc", "state.weights"),
    (("state", "weights"), [1.0, 2.0, 3.0], "state.weights: must be a packed array"),
    (("state", "weights"), pk([1.0, 2.0]), "state.weights: must have shape [3]"),
    (("state", "weights"), pk([1.0, math.inf, 0.0]), "state.weights: must hold finite numbers"),
    (("state", "weights"), pk([1.0, math.nan, 0.0]), "state.weights: must hold finite numbers"),
    (("state", "weights"), pk([1, 2, 3], "<i8"), "state.weights"),
    (("state", "optimizer_state", "steps"), -1, "optimizer_state.steps"),
    (("state", "epoch"), 5, "history"),
    (("state", "batch"), 9, "batch"),
    (("state", "batch_losses"), pk([1.0]), "batch_losses"),
    (("state", "order"), pk(np.arange(19), "<i4"), "permutation"),
    (("state", "order"), pk(np.zeros(20), "<i4"), "permutation"),
    (("state", "order"), pk(np.arange(20), "<i8"), "order"),
    (("state", "order"), "0,1,2", "order"),
    (("state", "last_rows"), [5, 99], "last_rows"),
    (("state", "best_epoch"), 99, "best_epoch"),
    (("state", "best_loss"), "nan", "best_loss"),
    (("state", "diverged"), 0, "diverged"),
    (("state", "surprise"), 1, "unknown key 'surprise'"),
    (("state", "rng", "bit_generator"), "MT19937", "PCG64"),
    (("state", "rng", "state", "state"), -5, "rng.state.state"),
    (("state", "rng", "state", "inc"), 2 ** 130, "rng.state.inc"),
    (("state", "rng", "has_uint32"), 3, "has_uint32"),
    (("state", "rng", "state"), DELETE, "'state' is missing"),
    (("state", "history", "losses"), lambda c: pk(changed(c["losses"], 1, math.nan)), "history.losses"),
    (("state", "history", "losses"), pk([1.0, 2.0]), "history.losses: must have shape [4]"),
    (("state", "history", "weights"), lambda c: pk(c["weights"][:, :2]), "history.weights: must have shape"),
    (("state", "history", "train_accuracy"), lambda c: pk(changed(c["train_accuracy"], 0, 1.5)), "train_accuracy"),
    (("state", "history", "optimizers"), [["sgd", 4]], "optimizers"),
    (("state", "history", "optimizers"), [["adam", 3]], "optimizers"),
    (("state", "history", "optimizer_steps_off"), lambda c: pk(changed(c["optimizer_steps_off"], 2, 5), "<i8"),
     "update counter"),
    (("state", "epoch_batches"), None, "epoch_batch"),
]


@pytest.mark.parametrize("path, value, message", HOSTILE_DOCUMENTS, ids=lambda v: None)
def test_a_tampered_document_is_refused_with_one_line(tmp_path, valid_document, valid_columns, path, value,
                                                       message):
    file = tmp_path / "tampered.json"
    file.write_text(json.dumps(mutated(valid_document, path, value(valid_columns) if callable(value) else value)))
    with pytest.raises(SessionError) as caught:
        load(file)
    assert_one_line(caught.value, "tampered.json", message)


def test_weights_that_disagree_with_the_history_are_refused(tmp_path, valid_document):
    document = mutated(valid_document, ("state", "batch"), 0)
    document = mutated(document, ("state", "batch_losses"), pk(np.zeros(0)))
    file = tmp_path / "s.json"
    file.write_text(json.dumps(document))
    with pytest.raises(SessionError) as caught:
        load(file)
    assert_one_line(caught.value, "s.json", "last weights of the history")


def hostile_file(tmp_path, kind, valid_text):
    path = tmp_path / "bad.json"
    if kind == "missing":
        return path
    if kind == "directory":
        path.mkdir()
        return path
    content = {
        "empty": b"",
        "not UTF-8": b'{"format": "gdtui-session", "x": "\xff\xfe"}',
        "binary": bytes(range(256)),
        "not JSON": b"format = gdtui-session\n",
        "CSV": b"x1,x2,label\n1,2,0\n",
        "foreign list": b"[1, 2, 3]",
        "foreign object": b'{"name": "something else"}',
        "NaN literal": valid_text.replace('"best_loss":', '"best_loss":NaN,"x":').encode(),
        "Infinity literal": valid_text.replace('"best_loss":', '"best_loss":Infinity,"x":').encode(),
        "duplicate key": valid_text.replace('"kind":', '"kind":"race","kind":', 1).encode(),
        "truncated": valid_text[: len(valid_text) // 2].encode(),
        "truncated at the end": valid_text[:-1].encode(),
        "deep nesting": b"[" * 100_000 + b"]" * 100_000,
        "huge integer": b'{"format": "gdtui-session", "version": 1' + b"1" * 5000 + b"}",
    }[kind]
    path.write_bytes(content)
    return path


HOSTILE_FILES = {
    "missing": "no such file", "directory": "is a directory", "empty": "is empty", "not UTF-8": "not UTF-8",
    "binary": "not UTF-8", "not JSON": "not JSON", "CSV": "not JSON", "foreign list": "not a gdtui session",
    "foreign object": "not a gdtui session", "NaN literal": "NaN", "Infinity literal": "Infinity",
    "duplicate key": "duplicate key 'kind'", "truncated": "truncated", "truncated at the end": "truncated",
    "deep nesting": "nested too deeply", "huge integer": "not strict JSON",
}


@pytest.mark.parametrize("kind", HOSTILE_FILES)
def test_a_hostile_file_is_refused_with_one_line(tmp_path, valid_document, kind):
    path = hostile_file(tmp_path, kind, json.dumps(valid_document))
    with pytest.raises(SessionError) as caught:
        load(path)
    assert_one_line(caught.value, "bad.json", HOSTILE_FILES[kind])


def test_a_file_beyond_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 2048)
    monkeypatch.setattr(session, "MAX_SESSION_BYTES", 1024)
    with pytest.raises(SessionError) as caught:
        load(path)
    assert_one_line(caught.value, "big.json", "too large")


def test_bad_racer_lists_are_refused(tmp_path):
    race = Race(load_dataset(config()), config(), ("gd", "adam"))
    save(race, tmp_path / "race.json")
    document = json.loads((tmp_path / "race.json").read_text())
    for racers, message in [([], "racers"), (document["racers"] * 2, "rule"),
                            ([dict(document["racers"][0], rule="adam")], "not the racer's rule")]:
        (tmp_path / "bad.json").write_text(json.dumps(dict(document, racers=racers)))
        with pytest.raises(SessionError) as caught:
            load(tmp_path / "bad.json")
        assert_one_line(caught.value, "bad.json", message)


# ---- fuzzing: nothing but SessionError (or DataError) ever escapes -------------------------------


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8) | st.sampled_from(["inf", "-inf", "nan", "PCG64", "adam", "blobs"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=10,
)


def paths_of(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths_of(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node[:8]):  # long arrays: their first rows stand for the rest
            yield from paths_of(value, prefix + (i,))


def load_or_refuse(path):
    try:
        return load(path)
    except SessionError as exc:
        assert_one_line(exc)
        return None


@FUZZ
@given(blob=st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes(tmp_path, blob):
    path = tmp_path / "fuzz.json"
    path.write_bytes(blob)
    assert load_or_refuse(path) is None


@FUZZ
@given(data=st.data())
def test_fuzz_mutated_documents(tmp_path, valid_document, data):
    paths = [p for p in paths_of(valid_document) if p]
    document = valid_document
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        try:
            if action == "replace":
                document = mutated(document, path, data.draw(json_values))
            elif action == "delete":
                document = mutated(document, path, DELETE)
            else:
                document = mutated(document, path[:-1] + (data.draw(st.text(max_size=6)),), data.draw(json_values))
        except (KeyError, IndexError, TypeError):  # the path went away with an earlier mutation
            continue
    file = tmp_path / "fuzz.json"
    file.write_text(json.dumps(document))
    result = load_or_refuse(file)
    if document == valid_document:
        assert result is not None


@FUZZ
@given(data=st.data())
def test_fuzz_damaged_bytes_of_a_valid_file(tmp_path, valid_document, data):
    blob = bytearray(json.dumps(valid_document).encode())
    cut = data.draw(st.integers(0, len(blob)))
    if data.draw(st.booleans()):
        blob = blob[:cut]
    else:
        for _ in range(data.draw(st.integers(1, 4))):
            blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    file = tmp_path / "fuzz.json"
    file.write_bytes(bytes(blob))
    load_or_refuse(file)


csv_bytes = st.one_of(
    st.binary(max_size=600),
    st.lists(st.lists(st.one_of(st.from_regex(r"-?[0-9]{0,3}(\.[0-9]{0,3})?(e-?[0-9]{1,3})?", fullmatch=True),
                                st.sampled_from(["cat", "dog", "nan", "inf", "", " ", '"', '"a,b"', "1_0"]),
                                st.text(max_size=4)),
                      min_size=0, max_size=4),
             max_size=40).map(lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass")),
)


@FUZZ
@given(blob=csv_bytes)
def test_fuzz_the_csv_loader(tmp_path, blob):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(blob)
    try:
        points, labels, names = read_csv(str(path))
    except DataError as exc:
        assert_one_line(exc)
    else:
        assert points.shape == (len(labels), 2) and np.isfinite(points).all()
        assert set(np.unique(labels).tolist()) == {0.0, 1.0} and len(set(names)) == 2
    try:
        data = load_dataset(TrainConfig(dataset=str(path)))
    except DataError as exc:
        assert_one_line(exc)
    else:
        assert len(data.y_train) >= 1 and len(data.y_test) >= 1


def test_a_session_too_large_to_read_back_is_not_written_and_the_old_file_kept(tmp_path, monkeypatch):
    import gdtui.engine.session as session

    path = tmp_path / "kept.json"
    small = create_trainer(config(epochs=5))
    save(small, path)
    before = path.read_bytes()
    big = create_trainer(config(epochs=3000))
    big.run()
    monkeypatch.setattr(session, "MAX_SESSION_BYTES", len(before) * 4)
    with pytest.raises(SessionError, match="more than the"):
        save(big, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["kept.json"]
