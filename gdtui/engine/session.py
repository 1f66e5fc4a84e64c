"""Save a training session (or a race) to a versioned JSON file, and resume it to the bit.

The document is strict UTF-8 JSON (format version 3); arrays are packed little-endian bytes in
base64 (`gdtui.engine.packed`), non-finite floats elsewhere the strings "inf", "-inf" and "nan",
every other float its shortest exact decimal (so it reads back to the same bits)::

    {"format": "gdtui-session", "version": 2, "kind": "train" | "race", "saved_by": "gdtui X.Y.Z",
     "config": {every TrainConfig field},   a CSV path is stored absolute
     "data": {...},                         which data set; a CSV's rows (`gdtui.engine.session_data`)
     "state": {...},                        train: a `TrainerState`, one key per field (`STATE`)
     "racers": [{"rule": "gd", "config": {...}, "state": {...}}, ...]}   race

Version 1 (every array a JSON list, a CSV read again) and version 2 (version 3 without the model
settings features, standardize, penalty, lam and classes, and without penalties) still load. `load` checks the whole
document, then the state against its config and data (`gdtui.engine.state_checks`), before it
builds anything, and refuses a file the program would not have written with `SessionError`: one
line naming the file. Nothing is ever unpickled or evaluated.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import fields, replace
from typing import Any, Iterator

import numpy as np

from gdtui import __version__

from .atomic import write_atomic, write_new
from .codec import Bad, Field, encode, keys, one_line, read_fields, show
from .config import MODEL_DEFAULTS, MODEL_FIELDS, OPTIMIZERS, TrainConfig
from .packed import Packed
from .race import Race
from .regular import NotRegularFile, open_regular
from .data import Dataset
from .session_data import data_document, read_data
from .state import TrainerState
from .state_checks import check_state
from .state_fields import STATE, STATE_V1, STATE_V2
from .trainer import Trainer

FORMAT = "gdtui-session"
VERSION = 3
KINDS = ("train", "race")
MAX_SESSION_BYTES = 1024 * 1024 * 1024
"""Larger files are refused (a full-batch history takes about 100 bytes an epoch: 10M epochs)."""
RACE_MAY_DIFFER = ("optimizer", "epochs")
"""What a racer's settings may have apart from the race's (a diverged racer keeps its epoch limit)."""


class SessionError(ValueError):
    """A session file that cannot be saved or resumed; the message is one line naming the file."""


# ---- saving --------------------------------------------------------------------------------------


def save(session: Trainer | Race, path: str | os.PathLike, new: bool = False) -> None:
    """Write `session` to `path` atomically (the old file survives any failure); with `new`, only
    as a file that does not exist yet (FileExistsError otherwise, see `atomic.write_new`). The
    document is streamed: its arrays are encoded a block at a time, never held whole as text."""
    name = os.fspath(path)
    try:
        size, chunks = _serialized(_document(session, share=True))
    except Bad as exc:
        raise SessionError(one_line(f"{name}: cannot save: {exc}")) from None
    if size > MAX_SESSION_BYTES:  # (a file that could not be read back: keep the old one)
        raise SessionError(f"{name}: not saved: the session would take {size / 2**20:.0f} MB, more than "
                           f"the {MAX_SESSION_BYTES // 2**20} MB a session file may hold; the old file is kept")
    try:
        (write_new if new else write_atomic)(path, chunks)
    except FileExistsError:
        raise
    except OSError as exc:
        raise SessionError(one_line(f"{name}: cannot write ({exc.strerror or exc})")) from None


def to_document(session: Trainer | Race) -> dict[str, Any]:
    """The JSON document of a trainer or a race (plain values only: packed arrays as objects)."""
    return _plain(_document(session))


def _document(session: Trainer | Race, share: bool = False) -> dict[str, Any]:
    head = {"format": FORMAT, "version": VERSION, "saved_by": f"gdtui {__version__}"}
    if isinstance(session, Race):
        racers = list(session.trainers.items())
        return {**head, "kind": "race", "config": _config_document(session.config),
                "data": data_document(session.config, racers[0][1].data),
                "racers": [{"rule": rule, "config": _config_document(t.config),
                            "state": state_document(t.state(share_history=share))} for rule, t in racers]}
    return {**head, "kind": "train", "config": _config_document(session.config),
            "data": data_document(session.config, session.data),
            "state": state_document(session.state(share_history=share))}


def state_document(state: TrainerState) -> dict[str, Any]:
    """A `TrainerState` as JSON values (arrays as `Packed`), one key per field of `STATE`."""
    return {field.key: field.write(getattr(state, field.attribute)) for field in STATE}


def _config_document(config: TrainConfig) -> dict[str, Any]:
    if config.is_csv:  # a session outlives the directory it was started in
        config = replace(config, dataset=os.path.abspath(config.dataset))
    return {f.name: encode(getattr(config, f.name)) for f in fields(TrainConfig)}


def _serialized(document: dict[str, Any]) -> tuple[int, Iterator[bytes]]:
    """The document's length in bytes and its text in chunks: plain JSON around each packed
    array, put where a placeholder string stood (a random token: no value can hold it)."""
    arrays: list[Packed] = []
    token = secrets.token_hex(8)

    def swap(node: Any) -> Any:
        if isinstance(node, Packed):
            arrays.append(node)
            return f"\0{token}:{len(arrays) - 1}"
        if isinstance(node, dict):
            return {key: swap(item) for key, item in node.items()}
        return [swap(item) for item in node] if isinstance(node, list) else node

    text = json.dumps(swap(document), allow_nan=False, separators=(",", ":"))
    pieces = re.split(r'"\\u0000' + token + r':(\d+)"', text)
    texts, order = pieces[0::2], [arrays[int(i)] for i in pieces[1::2]]

    def chunks() -> Iterator[bytes]:
        for i, piece in enumerate(texts):
            yield piece.encode("ascii")
            if i < len(order):
                yield from order[i].chunks()

    return sum(map(len, texts)) + sum(a.length() for a in order), chunks()


def _plain(node: Any) -> Any:
    if isinstance(node, Packed):
        return node.plain()
    if isinstance(node, dict):
        return {key: _plain(item) for key, item in node.items()}
    return [_plain(item) for item in node] if isinstance(node, list) else node


# ---- loading -------------------------------------------------------------------------------------


def load(path: str | os.PathLike) -> Trainer | Race:
    """The trainer or race saved in `path`, exactly as it was; `SessionError` if anything is wrong."""
    name = os.fspath(path)
    return from_document(_read_json(path, name), name)


def from_document(document: Any, name: str = "session") -> Trainer | Race:
    """Check a decoded document through and through, then build what it describes; a problem
    raises `SessionError` naming `name` (the file)."""
    try:
        return _build(document)
    except Bad as exc:
        raise SessionError(one_line(f"{name}: {exc}")) from None


def _build(document: Any) -> Trainer | Race:
    if type(document) is not dict or document.get("format") != FORMAT:
        raise Bad("", f'not a gdtui session file (no "format": "{FORMAT}")')
    version = document.get("version")
    if type(version) is not int or version < 1:
        raise Bad("version", f"must be a positive integer (got {show(version)})")
    if version > VERSION:
        raise Bad("", f"written by a newer gdtui (version {version}); this one reads version {VERSION}")
    kind = document.get("kind")
    if kind not in KINDS:
        raise Bad("kind", f'must be "train" or "race" (got {show(kind)})')
    body = "state" if kind == "train" else "racers"
    required = ("format", "version", "kind", "config", "data", body)
    keys(document, "", required + (("saved_by",) if version > 1 else ()), ("saved_by",) if version == 1 else ())
    if version > 1 and type(document["saved_by"]) is not str:
        raise Bad("saved_by", "must be a string")
    config = _config(document["config"], "config", version)
    table = {1: STATE_V1, 2: STATE_V2}.get(version, STATE)
    if kind == "train":
        state = TrainerState(**read_fields(document["state"], "state", table, config.weight_shape))
        data = read_data(document["data"], config, version)
        return _trainer(data, config, state, "state")
    racers = _racers(document["racers"], config, table, version)
    data = read_data(document["data"], config, version)
    race = Race(data, config, tuple(racers))
    start, first = race.start, next(iter(racers.values()))[1].history  # (the seed's weights; the first racer)
    for rule, (racer_config, state) in racers.items():
        where = f"racers.{rule}.state"
        if set(state.history.optimizers) != {rule}:
            raise Bad(f"{where}.history.optimizers", f"must all be {rule}: a racer keeps its rule")
        h = state.history
        if not np.array_equal(h.weights[0].view(np.uint64), start.view(np.uint64)):
            raise Bad(f"{where}.history.weights", "row 0 must be the race's initial weights (its seed's)")
        if any(getattr(h, key)[:1].tobytes() != getattr(first, key)[:1].tobytes()
               for key in ("losses", "alphas", "train_accuracy")):
            raise Bad(f"{where}.history", "row 0 must be the same for every racer (one start, one setting)")
        race.trainers[rule] = _trainer(data, racer_config, state, where)
    return race


def _trainer(data: Dataset, config: TrainConfig, state: TrainerState, where: str) -> Trainer:
    """The trainer a checked state continues, if its verdict `diverged` holds: the update it
    refused must still be refused (it is attempted again, which changes nothing)."""
    check_state(state, where, config, len(data.y_train))
    trainer = Trainer(data, config, state)
    if state.diverged and trainer.next_update() is not None:
        raise Bad(f"{where}.diverged", "is true, but the next update is finite")
    return trainer


def _read_json(path: str | os.PathLike, name: str) -> Any:
    def fail(what: str) -> SessionError:
        return SessionError(one_line(f"{name}: {what}"))

    try:
        with open_regular(path) as (handle, info):  # (a FIFO or a device is refused, never waited on)
            blob = b"" if info.st_size > MAX_SESSION_BYTES else handle.read(info.st_size + 1)
            if len(blob) > info.st_size:  # it grew while read: the rest, up to one byte past the limit
                blob += handle.read(max(0, MAX_SESSION_BYTES + 1 - len(blob)))
    except FileNotFoundError:
        raise fail("no such file") from None
    except IsADirectoryError:
        raise fail("is a directory, not a session file") from None
    except NotRegularFile as exc:
        raise fail(f"{exc.kind}, not a session file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise fail(f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if info.st_size > MAX_SESSION_BYTES or len(blob) > MAX_SESSION_BYTES:  # (it may grow while read)
        raise fail(f"larger than {MAX_SESSION_BYTES // 2**20} MB, too large for a session file")
    if not blob.strip():
        raise fail("is empty, not a session file")
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail("not UTF-8 text, not a session file") from None
    del blob  # (the bytes and the text of a long session need not be held both while it is parsed)
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as exc:
        if _ends_early(text, exc):
            raise fail("truncated: the JSON document ends early") from None
        raise fail(f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise fail("not a session file (JSON nested too deeply)") from None
    except ValueError as exc:  # NaN literals, duplicate keys, integers of thousands of digits
        raise fail(f"not strict JSON ({exc})") from None


def _ends_early(text: str, error: json.JSONDecodeError) -> bool:
    """Did parsing fail only because the text stops (a cut file), not at a wrong character?"""
    rest = text[error.pos:].rstrip()
    return (not rest or error.msg.startswith("Unterminated string")
            or any(word.startswith(rest) for word in ("true", "false", "null"))
            or re.fullmatch(r"-?[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]*)?", rest) is not None)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key[:40]!r}")
        out[key] = value
    return out


# ---- the parts around the state -------------------------------------------------------------------


def _config(value: Any, where: str, version: int) -> TrainConfig:
    names = [f.name for f in fields(TrainConfig)]
    if type(value) is not dict:
        raise Bad(where, "must be an object")
    unknown = sorted(value.keys() - set(names))
    if unknown:
        raise Bad(where, f"unknown setting {unknown[0][:40]!r}")
    older = version < 3  # (written before the model settings: the lesson's model)
    missing = [name for name in names if name not in value and not (older and name in MODEL_FIELDS)]
    if missing:
        raise Bad(where, f"{missing[0]!r} is missing (a session file holds every setting)")
    try:
        settings = {**MODEL_DEFAULTS, **{key: _tuples(item) for key, item in value.items()}}
        config = TrainConfig(**settings).validated()
    except (TypeError, ValueError, ArithmeticError) as exc:  # ConfigError; an integer too large for a float
        raise Bad(where, str(exc)) from None
    if config.seed is None:
        raise Bad(where, "has no seed")
    return config


def _tuples(value: Any) -> Any:
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def _racers(value: Any, config: TrainConfig, table: tuple[Field, ...],
            version: int) -> dict[str, tuple[TrainConfig, TrainerState]]:
    if type(value) is not list or not value:
        raise Bad("racers", "must be a non-empty list")
    racers: dict[str, tuple[TrainConfig, TrainerState]] = {}
    for i, item in enumerate(value):
        racer = keys(item, f"racers[{i}]", ("rule", "config", "state"))
        rule = racer["rule"]
        if rule not in OPTIMIZERS or rule in racers:
            raise Bad(f"racers[{i}].rule", f"must be a rule not raced yet, one of {', '.join(OPTIMIZERS)}")
        racer_config = _config(racer["config"], f"racers.{rule}.config", version)
        if racer_config.optimizer != rule:
            raise Bad(f"racers.{rule}.config", f"optimizer is {racer_config.optimizer}, not the racer's rule")
        differ = [f.name for f in fields(TrainConfig) if f.name not in RACE_MAY_DIFFER
                  and getattr(racer_config, f.name) != getattr(config, f.name)]
        if differ:
            raise Bad(f"racers.{rule}.config", f"{differ[0]} differs from the race's (only the rule and the "
                                               "epoch limit may)")
        state = TrainerState(**read_fields(racer["state"], f"racers.{rule}.state", table, racer_config.weight_shape))
        racers[rule] = (racer_config, state)
    return racers


__all__ = ["FORMAT", "VERSION", "SessionError", "Field", "load", "save", "to_document", "from_document"]
