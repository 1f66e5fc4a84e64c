"""Strict at every door: a session file the program would not have written is refused in one line.

Each tampering below was accepted by the loader before format 2 (QA's findings, and their
siblings); each is tried on a version-1 and on a version-2 document of the same trainer. Then the
other side: whatever a trainer can do (hypothesis draws the sequences), its file always loads.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdtui.engine import TrainConfig, create_trainer, load_dataset
from gdtui.engine.config import MODEL_FIELDS
from gdtui.engine.codec import encode, floats
from gdtui.engine.config import OPTIMIZERS
from gdtui.engine.race import Race
from gdtui.engine.session import SessionError, load, save, to_document
from gdtui.engine.state_fields import FIRST, SECOND, derived_steps
from test_session import assert_one_line, assert_same_trainer, column, pk, steps
from test_session_v1 import v1_document


def _full():
    t = create_trainer(TrainConfig(samples=200, seed=7, epochs=50))
    t.run(8)
    return t


def _mini():
    t = create_trainer(TrainConfig(samples=200, seed=7, optimizer="adam", batch_size=16, shuffle=True))
    t.run(4)
    steps(t, 3)
    return t


def _boundary():
    t = create_trainer(TrainConfig(samples=200, seed=7, optimizer="momentum", batch_size=16, shuffle=True))
    t.run(5)
    return t


def _race():
    cfg = TrainConfig(samples=100, seed=4, epochs=30)
    race = Race(load_dataset(cfg), cfg, ("gd", "adam"))
    race.run(5)
    return race


BASES = {"full": _full, "mini": _mini, "boundary": _boundary, "race": _race}


@pytest.fixture(scope="module")
def documents():
    made = {name: make() for name, make in BASES.items()}
    return {(name, fmt): json.dumps(v1_document(t) if fmt == "v1" else to_document(t))
            for name, t in made.items() for fmt in ("v1", "v2")}


# ---- reading and writing history columns in either format -------------------------------------


class Doc:
    def __init__(self, text: str, fmt: str) -> None:
        self.d, self.fmt, self.racer = json.loads(text), fmt, 0

    @property
    def state(self):
        return self.d["state"] if "state" in self.d else self.d["racers"][self.racer]["state"]

    @property
    def h(self):
        return self.state["history"]

    def rows(self):
        return self.state["epoch"] + 1

    def rules(self):
        h = self.h["optimizers"]
        return h if self.fmt == "v1" else [name for name, count in h for _ in range(count)]

    def get(self, key):
        """A history column, every row (the rule memory's parts too)."""
        h = self.h
        if self.fmt == "v1":
            if key.startswith("optimizer_"):
                packed = floats(h["optimizer_state"], "", width=7, finite=False)
                return {"optimizer_first": packed[:, :3], "optimizer_second": packed[:, 3:6],
                        "optimizer_steps": packed[:, 6].astype(np.int64)}[key].copy()
            width = 3 if key in ("weights", "directions", "steps") else None
            return floats(h[key], "", width=width, finite=False).copy()
        if key in ("optimizer_first", "optimizer_second"):
            full = np.zeros((self.rows(), 3))
            uses = np.isin(self.rules(), FIRST if key == "optimizer_first" else SECOND)
            full[uses] = column(h, key)
            return full
        if key == "optimizer_steps":  # (stored as its offsets from the batch counts)
            return np.cumsum(column(h, "optimizer_steps_off", dtype="<i8") + self.get("batches"))
        return column(h, key, dtype="<i4" if key == "batches" else "<f8")

    def set(self, key, array):
        h = self.h
        if self.fmt == "v1":
            if key.startswith("optimizer_"):
                packed = floats(h["optimizer_state"], "", width=7, finite=False)
                part = {"optimizer_first": slice(0, 3), "optimizer_second": slice(3, 6), "optimizer_steps": 6}[key]
                packed[:, part] = array
                h["optimizer_state"] = encode(packed)
            else:
                h[key] = encode(np.asarray(array))
            return
        if key in ("optimizer_first", "optimizer_second"):
            uses = np.isin(self.rules(), FIRST if key == "optimizer_first" else SECOND)
            h[key] = pk(array[uses])
        elif key == "optimizer_steps":
            off = np.array(array, dtype=np.int64)
            off[1:] -= array[:-1] + self.get("batches")[1:]
            h["optimizer_steps_off"] = pk(off, "<i8")
        else:
            h[key] = pk(array, "<i4" if key == "batches" else "<f8")

    def vector(self, key, array):
        self.state[key] = encode(np.asarray(array)) if self.fmt == "v1" else pk(array)


def edit(key, row, change):
    def apply(doc):
        array = doc.get(key)
        array[row] = change(array[row])
        doc.set(key, array)
    return apply


def replace(path, value):
    def apply(doc):
        node = doc.d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value(doc) if callable(value) else value
    return apply


def state(key, value):
    def apply(doc):
        doc.state[key] = value(doc) if callable(value) else value
    return apply


def memory_part(part, index, value):
    def apply(doc):
        node = doc.state["optimizer_state"]
        if part == "steps":
            node["steps"] += value
            return
        array = floats(node[part], "") if doc.fmt == "v1" else column(node, part)
        array = array.copy()
        array[index] = value
        node[part] = encode(array) if doc.fmt == "v1" else pk(array)
    return apply


def on_racer(index, tamper):
    def apply(doc):
        doc.racer = index
        tamper(doc)
    return apply


def weights_row(row, value):
    return edit("weights", row, lambda w: np.array([w[0], value, w[2]]))


TAMPERS = [
    # (id, base, tampering, words of the message: one string, or {format: string})
    ("a negative epoch loss", "full", edit("losses", 3, lambda v: -v), "history.losses"),
    ("a negative initial loss", "full", edit("losses", 0, lambda v: -1.0), "history.losses"),
    ("a -inf loss", "full", edit("losses", 2, lambda v: -math.inf), "history.losses"),
    ("a +inf loss after row 0", "full", edit("losses", 2, lambda v: math.inf), "history.losses"),
    ("a negative batch loss", "mini", state("batch_losses", lambda d: encode([1.0, -2.0, 3.0]) if d.fmt == "v1"
                                             else pk([1.0, -2.0, 3.0])), "batch_losses"),
    ("a negative alpha", "full", edit("alphas", 2, lambda v: -v), "history.alphas"),
    ("an alpha above 1e6", "full", edit("alphas", 2, lambda v: 2e6), "history.alphas"),
    ("a negative Adam second moment", "mini", memory_part("second", 1, -1.0), "optimizer_state.second"),
    ("a negative Adam second moment in the history", "mini", edit("optimizer_second", 2, lambda v: -v),
     "optimizer_state"),
    ("a momentum left in gd's memory", "full", memory_part("first", 0, 0.5), "must be zero"),
    ("an update counter off at a boundary", "boundary", memory_part("steps", 0, 1), "optimizer_state"),
    ("an update counter off mid-epoch", "mini", memory_part("steps", 0, 1), "optimizer_state.steps"),
    ("an update counter off in the history", "boundary", edit("optimizer_steps", 3, lambda v: v + 1000),
     "update counter"),
    ("a counter in the initial row", "full", edit("optimizer_steps", 0, lambda v: 1), "optimizer_state"),
    ("weights of 1e308 in the history", "full", weights_row(4, 1e308), {"v1": "history.steps", "v2": "history.weights"}),
    ("initial weights beyond 1e6", "full", weights_row(0, 1e7), {"v1": "history.steps", "v2": "history.weights"}),
    ("diverged on a finite run", "full", state("diverged", True), "diverged"),
    ("diverged mid-epoch on a finite run", "mini", state("diverged", True), "diverged"),
    ("diverged at a boundary, the epoch not started", "boundary", state("diverged", True), "diverged"),
    ("a best epoch that is not the lowest loss", "full", state("best_epoch", 2), "best_loss"),
    ("a best loss that is not in the history", "full", state("best_loss", lambda d: 1e-3), "best_loss"),
    ("an accuracy that is no share of the rows", "full", edit("train_accuracy", 0, lambda v: v + 1e-9),
     "train_accuracy"),
    ("an epoch start mid-epoch off the history", "mini", lambda d: d.vector("epoch_start", [0.1, 0.2, 0.3]),
     "epoch_start"),
    ("last rows that are not the last batch", "mini", state("last_rows", [0, 16]), "last_rows"),
    ("no batch size after epochs", "full", lambda d: d.state.update(epoch_batch_rows=None, epoch_batches=None),
     "epoch_batch_rows"),
    ("a racer whose settings differ", "race", replace(("racers", 1, "config", "momentum"), 0.5),
     "momentum differs from the race's"),
    ("a racer that changed its rule", "race",
     lambda d: d.d["racers"][0]["state"]["history"].update(
         optimizers=["gd"] * 5 + ["adam"] if d.fmt == "v1" else [["gd", 5], ["adam", 1]]), "racers.gd.state.history"),
    ("a racer whose initial loss differs", "race", on_racer(1, edit("losses", 0, lambda v: 2 * v)),
     "row 0 must be the same for every racer"),
    ("a racer from other initial weights", "race", weights_row(0, 0.125),
     {"v1": "history.steps", "v2": "race's initial weights"}),
]
V2_ONLY = [
    ("an update counter one off in the history", "boundary", edit("optimizer_steps", 3, lambda v: v + 1),
     "update counter"),
    ("an unknown batch count after known ones", "boundary", edit("batches", 3, lambda v: 0), "history.batches"),
    ("a batch count that the counters deny", "full", lambda d: _two_batches(d, keep_counts=True), "update counter"),
    ("a batch count that the rule's memory denies", "full", lambda d: _two_batches(d, keep_counts=False),
     "optimizer_state: must be the last epoch's"),
    ("more batches than rows", "boundary", edit("batches", 3, lambda v: 1000), "history.batches"),
    ("a nan that gdtui never writes", "full",
     edit("train_accuracy", 2, lambda v: np.frombuffer(b"\x01\x00\x00\x00\x00\x00\xf8\x7f", "<f8")[0]),
     "train_accuracy"),
]


def _two_batches(doc, keep_counts):
    counts, batches = doc.get("optimizer_steps"), doc.get("batches")
    batches[3] = 2
    doc.set("batches", batches)
    if keep_counts:
        doc.set("optimizer_steps", counts)


def _off_by_one_ulp(doc):
    w = doc.get("weights")
    w[5, 1] = np.nextafter(w[5, 1], np.inf)
    doc.set("weights", w)
    if doc.fmt == "v1":  # the steps follow, so that only the replay can tell
        doc.set("steps", np.vstack([np.zeros((1, 3)), np.diff(w, axis=0)]))


# (version 2 only: a version-1 file keeps no batch counts, so only its steps could tell, and they agree)
V2_ONLY.append(("a full-batch epoch off by one ulp", "full", _off_by_one_ulp, "history.weights"))


def refused(tmp_path, text, fmt, tamper, message):
    doc = Doc(text, fmt)
    tamper(doc)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(doc.d, allow_nan=False))
    with pytest.raises(SessionError) as caught:
        load(path)
    assert_one_line(caught.value, "tampered.json", message[fmt] if isinstance(message, dict) else message)


@pytest.mark.parametrize("fmt", ["v1", "v2"])
@pytest.mark.parametrize("name, base, tamper, message", TAMPERS, ids=[t[0] for t in TAMPERS])
def test_a_file_the_program_would_not_write_is_refused(tmp_path, documents, fmt, name, base, tamper, message):
    refused(tmp_path, documents[base, fmt], fmt, tamper, message)


@pytest.mark.parametrize("name, base, tamper, message", V2_ONLY, ids=[t[0] for t in V2_ONLY])
def test_a_version_2_file_the_program_would_not_write_is_refused(tmp_path, documents, name, base, tamper, message):
    refused(tmp_path, documents[base, "v2"], "v2", tamper, message)


@pytest.mark.parametrize("fmt", ["v1", "v2"])
@pytest.mark.parametrize("key", [f.name for f in dataclasses.fields(TrainConfig)])
def test_every_setting_is_required(tmp_path, documents, fmt, key):
    if fmt == "v1" and key in MODEL_FIELDS:  # (a version-1 file predates them: it is the lesson's model)
        return reads_the_lessons_model(tmp_path, documents, key)
    refused(tmp_path, documents["full", fmt], fmt, lambda doc: doc.d["config"].pop(key), f"'{key}' is missing")


def reads_the_lessons_model(tmp_path, documents, key):
    doc = Doc(documents["full", "v1"], "v1")
    doc.d["config"].pop(key)
    (tmp_path / "old.json").write_text(json.dumps(doc.d))
    assert getattr(load(tmp_path / "old.json").config, key) == getattr(TrainConfig(), key)


def test_the_untampered_documents_load(tmp_path, documents):
    for (name, fmt), text in documents.items():
        (tmp_path / "ok.json").write_text(text)
        load(tmp_path / "ok.json")


def test_a_diverged_session_holds_no_non_standard_literal(tmp_path, huge_csv):
    trainer = create_trainer(TrainConfig(dataset=huge_csv, loss="bce", seed=0, alpha=1.0, epochs=5))
    assert trainer.run() == "diverged"
    save(trainer, tmp_path / "d.json")
    text = (tmp_path / "d.json").read_text()
    assert "Infinity" not in text and "NaN" not in text
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} literal"))
    assert load(tmp_path / "d.json").diverged


# ---- whatever a trainer does, its file loads ---------------------------------------------------------


OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("batch"), st.integers(1, 9)),
    st.tuples(st.just("epochs"), st.integers(1, 40)),
    st.tuples(st.just("optimizer"), st.sampled_from(OPTIMIZERS)),
    st.tuples(st.just("batch_size"), st.sampled_from([None, 1, 7, 16, 64, 500])),
    st.tuples(st.just("shuffle"), st.booleans()),
    st.tuples(st.just("alpha"), st.sampled_from([1e-3, 0.05, 0.5, 1e3, 1e6])),
    st.tuples(st.just("momentum"), st.sampled_from([0.0, 0.5, 0.9])),
    st.tuples(st.just("schedule"), st.sampled_from(["constant", "step", "exp", "inv"])),
    st.tuples(st.just("tol"), st.sampled_from([None, 1e-3, 40.0])),
    st.tuples(st.just("patience"), st.sampled_from([None, 1, 3])),
    st.tuples(st.just("fork"), st.floats(0, 1)),
    st.tuples(st.just("reset"), st.just(0)),
), max_size=10)


def operate(trainer, operations):
    for op, value in operations:
        if op == "batch":
            for _ in range(value):
                trainer.step_batch()
        elif op == "epochs":
            trainer.run(value)
        elif op == "fork":
            trainer.fork(int(value * trainer.epoch))
        elif op == "reset":
            trainer.reset()
        else:
            trainer.configure(**{op: value})


@pytest.mark.parametrize("operations", [
    [("batch_size", 1), ("batch", 1), ("optimizer", "momentum")],  # a fresh memory mid-epoch, no update since
    [("batch_size", 7), ("epochs", 2), ("optimizer", "adam"), ("optimizer", "gd"), ("epochs", 1)],
    [("alpha", 1e6), ("epochs", 3), ("alpha", 0.05), ("epochs", 2)],
], ids=["rule changed mid-epoch", "rule changed and back", "diverged then retried"])
def test_sessions_found_by_the_search_below_load(tmp_path, huge_csv, operations):
    trainer = create_trainer(TrainConfig(dataset=huge_csv, samples=60, seed=3, loss="bce", epochs=100_000))
    operate(trainer, operations)
    save(trainer, tmp_path / "s.json")
    assert_same_trainer(trainer, load(tmp_path / "s.json"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS, loss=st.sampled_from(["sse", "bce"]), huge=st.booleans())
def test_every_session_a_trainer_can_reach_loads_to_the_bit(tmp_path, huge_csv, operations, loss, huge):
    cfg = TrainConfig(dataset=huge_csv if huge else "blobs", samples=60, seed=3, loss=loss, epochs=100_000)
    trainer = create_trainer(cfg)
    operate(trainer, operations)
    save(trainer, tmp_path / "s.json")
    back = load(tmp_path / "s.json")
    assert_same_trainer(trainer, back)
    for t in (trainer, back):
        t.configure(alpha=0.01)
        t.run(3)
    assert_same_trainer(trainer, back)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(legs=st.lists(st.tuples(st.integers(1, 30), st.sampled_from([None, 2, 5]), st.sampled_from([0.3, 0.05, 2.0]),
                               st.sampled_from([None, 16])), min_size=1, max_size=3))
def test_every_race_a_program_can_reach_loads(tmp_path, legs):
    cfg = TrainConfig(samples=80, seed=2, epochs=10_000, alpha=0.3, patience=2)
    race = Race(load_dataset(cfg), cfg, ("gd", "rmsprop", "adam"))
    for count, patience, alpha, batch_size in legs:  # (a change of patience lets stopped racers go on)
        race.advance(count)
        race.configure(patience=patience, alpha=alpha, batch_size=batch_size)
    save(race, tmp_path / "r.json")
    back = load(tmp_path / "r.json")
    for rule in race.trainers:
        assert_same_trainer(race.trainers[rule], back.trainers[rule])


@settings(max_examples=40, deadline=None)
@given(operations=OPERATIONS)
def test_the_history_steps_are_exactly_the_differences_of_its_weights(operations):
    """What format 2 relies on to leave the steps out of the file, held to the bit."""
    trainer = create_trainer(TrainConfig(samples=60, seed=5, epochs=100_000))
    operate(trainer, operations)
    h = trainer.history
    assert h.steps.tobytes() == derived_steps(h.weights).tobytes()
