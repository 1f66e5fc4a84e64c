"""A seeded hostile-input harness over real version-2 session files.

Fixed seeds, a few hundred mutations of files saved by `session.save` (a solo mini-batch run
stopped mid-epoch, a CSV session, a race, a long full-batch run): byte flips, truncations, fields
deleted or replaced, packed arrays with other dtypes, shapes, base64 or non-finite values, and
shapes declaring far more values than the file holds. Nothing but `SessionError` may escape, every
message is one line, a declared shape never allocates beyond the file's size, and the unmutated
file always loads.
"""

from __future__ import annotations

import base64
import json
import random
import tracemalloc

import numpy as np
import pytest

from gdtui.engine import TrainConfig, create_trainer, load_dataset
from gdtui.engine.race import Race
from gdtui.engine.session import SessionError, load, save
from test_session import assert_one_line, steps

MUTATIONS = 70
"""Mutations per file and kind of base (four bases: 280 in all, plus the fixed ones)."""
JUNK = [None, True, 0, -1, 2**70, 1.5, -0.0, "", "inf", "-inf", "nan", "x" * 50, [], {}, [1, 2], {"a": 1},
        {"dtype": "<f8", "shape": [1], "base64": "AAAAAAAAAAA="}]


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bases")
    solo = create_trainer(TrainConfig(samples=60, seed=3, batch_size=7, shuffle=True, optimizer="adam"))
    solo.run(3)
    steps(solo, 2)
    csv = folder / "pets.csv"
    csv.write_text("".join(f"{i / 7},{i % 5},{'cat' if i % 3 else 'dog'}\n" for i in range(40)))
    on_csv = create_trainer(TrainConfig(dataset=str(csv), seed=1, optimizer="rmsprop"))
    on_csv.run(4)
    race = Race(load_dataset(TrainConfig(samples=50)), TrainConfig(samples=50, seed=2, epochs=9), ("gd", "nesterov"))
    race.run(4)
    long = create_trainer(TrainConfig(samples=50, seed=5, epochs=3000))
    long.run()
    out = {}
    for name, session in {"solo": solo, "csv": on_csv, "race": race, "long": long}.items():
        save(session, folder / f"{name}.json")
        out[name] = (folder / f"{name}.json").read_bytes()
    return out


def packed_nodes(node, path=()):
    """Paths of every packed array in a document."""
    if isinstance(node, dict):
        if "dtype" in node and "shape" in node:
            yield path
            return
        for key, value in node.items():
            yield from packed_nodes(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from packed_nodes(value, path + (i,))


def all_paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from all_paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node[:6]):
            yield from all_paths(value, path + (i,))


def at(document, path):
    node = document
    for key in path:
        node = node[key]
    return node


def mutate(blob: bytes, rng: random.Random) -> bytes:
    """One random mutation of a valid file."""
    kind = rng.choice(["flip", "cut", "delete", "replace", "dtype", "shape", "base64", "value", "huge", "runs"])
    if kind == "flip":
        out = bytearray(blob)
        for _ in range(rng.randint(1, 4)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if kind == "cut":
        return blob[: rng.randrange(len(blob))]
    document = json.loads(blob)
    if kind in ("delete", "replace"):
        path = rng.choice([p for p in all_paths(document) if p])
        parent = at(document, path[:-1])
        if kind == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = rng.choice(JUNK)
        return json.dumps(document).encode()
    node = at(document, rng.choice(list(packed_nodes(document))))
    if kind == "dtype":
        node["dtype"] = rng.choice(["<f8", "<i8", "<i4", "|u1", ">f8", "<f4", "float64", 8, None])
    elif kind == "shape":
        node["shape"] = rng.choice([[], [0], [1], [-1], [3.0], [2**62], [2**62, 3], [10**40], node["shape"] + [1],
                                    [s + rng.choice([-1, 1]) for s in node["shape"]], "3", None])
    elif kind == "huge":  # a shape of far more values, with base64 to match the start of it
        node["shape"] = [10**9] + node["shape"][1:]
    elif kind == "base64":
        key = "base64" if "base64" in node else rng.choice(["run_values", "run_lengths"])
        text = node[key]
        node[key] = rng.choice([text[:-4], text + "AAAA", text.replace("A", "!", 1), text[:-1] + "=",
                                text[:-2] + "==", " " + text, text.upper(), base64.b64encode(b"\0" * 13).decode(),
                                "====", text[:-4] + "AB==", 12])
    elif kind == "value" and node["dtype"] == "<f8" and "base64" in node:
        values = np.frombuffer(base64.b64decode(node["base64"]), "<f8").copy()
        if len(values):
            values[rng.randrange(len(values))] = rng.choice([np.nan, np.inf, -np.inf, 1e308, -1e308, -0.0, 5e-324,
                                                             -1.0, 2.0])
            node["base64"] = base64.b64encode(values.tobytes()).decode()
    elif kind == "runs" and "base64" in node and node["shape"]:
        rows = node["shape"][0]
        node.pop("base64")
        node["run_values"] = base64.b64encode(np.zeros(2, "<f8").tobytes()).decode()
        node["run_lengths"] = base64.b64encode(np.array([rows, rng.choice([0, 1, -1, rows])], "<i8").tobytes()).decode()
    return json.dumps(document).encode()


def load_or_refuse(path):
    try:
        load(path)
    except SessionError as exc:
        assert_one_line(exc)
        return False
    return True


@pytest.mark.parametrize("name", ["solo", "csv", "race", "long"])
def test_mutated_session_files_are_refused_in_one_line_and_nothing_else_escapes(tmp_path, bases, name):
    rng = random.Random(f"gdtui-sessions-{name}")
    path = tmp_path / "s.json"
    path.write_bytes(bases[name])
    assert load_or_refuse(path)  # the unmutated file always loads
    loaded = 0
    for _ in range(MUTATIONS):
        blob = mutate(bases[name], rng)
        path.write_bytes(blob)
        tracemalloc.start()
        try:
            ok = load_or_refuse(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 50 * len(blob) + 64 * 2**20, (name, peak)  # a declared shape allocates nothing
        loaded += ok
    assert loaded < MUTATIONS // 2  # (most mutations must be refused: the harness really mutates)


def test_a_declared_shape_of_a_trillion_values_is_refused_before_any_decoding(tmp_path, bases):
    document = json.loads(bases["long"])
    document["state"]["history"]["weights"]["shape"] = [10**12, 3]
    (tmp_path / "s.json").write_text(json.dumps(document))
    tracemalloc.start()
    try:
        with pytest.raises(SessionError) as caught:
            load(tmp_path / "s.json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_one_line(caught.value, "history.weights.base64", "its shape needs")
    assert peak < 64 * 2**20
