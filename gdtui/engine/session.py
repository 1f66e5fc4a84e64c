"""Save a training session (or a race) to a versioned JSON file, and resume it to the bit.

The document is strict UTF-8 JSON; non-finite floats are written as the strings "inf", "-inf"
and "nan", every other float as its shortest exact decimal (so it reads back to the same bits)::

    {"format": "gdtui-session", "version": 1, "kind": "train" | "race", "saved_by": "gdtui X.Y.Z",
     "config": {every TrainConfig field},   a CSV path is stored absolute
     "data": {"split_sha256": "...",        the train/test arrays the session ran on
              "file_sha256": "..."},        CSV only: the file's bytes
     "state": {...},                        train: a `TrainerState`, one key per field
     "racers": [{"rule": "gd", "config": {...}, "state": {...}}, ...]}   race

`load` checks the whole document (and that the data set is still the same) before it builds
anything, and refuses a bad file with `SessionError`: one line naming the file. Nothing is ever
unpickled or evaluated. How each field of the state is read and checked is one table, `STATE`
(`gdtui.engine.codec` holds the checks of single values).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import fields, replace
from typing import Any

import numpy as np

from gdtui import __version__

from .atomic import write_atomic
from .codec import Bad, Field, encode, keys, one_line, read_fields, show
from .config import DATA_FIELDS, OPTIMIZERS, TrainConfig
from .data import MAX_CSV_BYTES, Dataset, load_dataset
from .race import Race
from .regular import NotRegularFile, open_regular
from .state import TrainerState
from .state_fields import STATE, check_consistency, check_fits
from .trainer import Trainer

FORMAT = "gdtui-session"
VERSION = 1
KINDS = ("train", "race")
MAX_SESSION_BYTES = 512 * 1024 * 1024
"""Larger files are refused (about a million epochs of history)."""


class SessionError(ValueError):
    """A session file that cannot be saved or resumed; the message is one line naming the file."""


# ---- saving --------------------------------------------------------------------------------------


def save(session: Trainer | Race, path: str | os.PathLike) -> None:
    """Write `session` to `path` atomically (the old file survives any failure)."""
    name = os.fspath(path)
    try:
        text = json.dumps(to_document(session), allow_nan=False, separators=(",", ":"))
    except Bad as exc:
        raise SessionError(one_line(f"{name}: cannot save: {exc}")) from None
    if len(text) > MAX_SESSION_BYTES:  # (a file that could not be read back: keep the old one)
        raise SessionError(f"{name}: not saved: the session would take {len(text) / 2**20:.0f} MB, more than "
                           f"the {MAX_SESSION_BYTES // 2**20} MB a session file may hold; the old file is kept")
    try:
        write_atomic(path, [text])
    except OSError as exc:
        raise SessionError(one_line(f"{name}: cannot write ({exc.strerror or exc})")) from None


def to_document(session: Trainer | Race) -> dict[str, Any]:
    """The JSON document of a trainer or a race (plain values only)."""
    head = {"format": FORMAT, "version": VERSION, "saved_by": f"gdtui {__version__}"}
    if isinstance(session, Race):
        racers = list(session.trainers.items())
        data = racers[0][1].data
        return {**head, "kind": "race", "config": _config_document(session.config),
                "data": _data_document(session.config, data),
                "racers": [{"rule": rule, "config": _config_document(t.config), "state": state_document(t.state())}
                           for rule, t in racers]}
    return {**head, "kind": "train", "config": _config_document(session.config),
            "data": _data_document(session.config, session.data), "state": state_document(session.state())}


def state_document(state: TrainerState) -> dict[str, Any]:
    """A `TrainerState` as JSON values, one key per field of `STATE`."""
    return {field.key: field.write(getattr(state, field.attribute)) for field in STATE}


def _config_document(config: TrainConfig) -> dict[str, Any]:
    if config.is_csv:  # a session outlives the directory it was started in
        config = replace(config, dataset=os.path.abspath(config.dataset))
    return {f.name: encode(getattr(config, f.name)) for f in fields(TrainConfig)}


def _data_document(config: TrainConfig, data: Dataset) -> dict[str, str]:
    out = {"split_sha256": _split_sha256(data)}
    if config.is_csv:
        out["file_sha256"] = _file_sha256(os.path.abspath(config.dataset))
    return out


def _split_sha256(data: Dataset) -> str:
    digest = hashlib.sha256()
    for array in (data.X_train, data.y_train, data.X_test, data.y_test):
        digest.update(np.ascontiguousarray(array, dtype="<f8").data)
    digest.update("\0".join(data.labels).encode("utf-8"))
    return digest.hexdigest()


def _file_sha256(path: str) -> str:
    try:
        with open_regular(path) as (handle, info):
            if info.st_size > MAX_CSV_BYTES:
                raise Bad("data", f"{_short(path)} is larger than {MAX_CSV_BYTES // 2**20} MB")
            digest = hashlib.sha256()
            while block := handle.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()
    except FileNotFoundError:
        raise Bad("data", f"the CSV file {_short(path)} is gone") from None
    except (IsADirectoryError, NotRegularFile):
        raise Bad("data", f"{_short(path)} is not a regular file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or exc
        raise Bad("data", f"the CSV file {_short(path)} cannot be read ({reason})") from None


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
    keys(document, "", ("format", "version", "kind", "config", "data", body), ("saved_by",))
    config = _config(document["config"], "config")
    data_doc = keys(document["data"], "data", ("split_sha256",) + (("file_sha256",) if config.is_csv else ()))
    if kind == "train":
        state = read_state(document["state"], "state", config)
        data = _data(config, data_doc)
        check_fits(state, len(data.y_train), "state")
        return Trainer(data, config, state)
    racers = _racers(document["racers"], config)
    data = _data(config, data_doc)
    for rule, (_, state) in racers.items():
        check_fits(state, len(data.y_train), f"racers.{rule}.state")
    race = Race(data, config, tuple(racers))
    for rule, (racer_config, state) in racers.items():
        race.trainers[rule] = Trainer(data, racer_config, state)
    return race


def read_state(value: Any, where: str, config: TrainConfig) -> TrainerState:
    """A `TrainerState` from its JSON form: every field read and checked by `STATE`, then the
    fields against each other (what depends on the data is checked by `check_fits`)."""
    state = TrainerState(**read_fields(value, where, STATE, config.weight_shape))
    check_consistency(state, where)
    return state


def _read_json(path: str | os.PathLike, name: str) -> Any:
    def fail(what: str) -> SessionError:
        return SessionError(one_line(f"{name}: {what}"))

    try:
        with open_regular(path) as (handle, info):  # (a FIFO or a device is refused, never waited on)
            blob = b"" if info.st_size > MAX_SESSION_BYTES else handle.read(MAX_SESSION_BYTES + 1)
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


def _config(value: Any, where: str) -> TrainConfig:
    names = {f.name for f in fields(TrainConfig)}
    if type(value) is not dict:
        raise Bad(where, "must be an object")
    unknown = sorted(value.keys() - names)
    if unknown:
        raise Bad(where, f"unknown setting {unknown[0][:40]!r}")
    try:
        config = TrainConfig(**{key: _tuples(item) for key, item in value.items()}).validated()
    except (TypeError, ValueError, ArithmeticError) as exc:  # ConfigError; an integer too large for a float
        raise Bad(where, str(exc)) from None
    if config.seed is None:
        raise Bad(where, "has no seed")
    return config


def _tuples(value: Any) -> Any:
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def _racers(value: Any, config: TrainConfig) -> dict[str, tuple[TrainConfig, TrainerState]]:
    if type(value) is not list or not value:
        raise Bad("racers", "must be a non-empty list")
    racers: dict[str, tuple[TrainConfig, TrainerState]] = {}
    for i, item in enumerate(value):
        racer = keys(item, f"racers[{i}]", ("rule", "config", "state"))
        rule = racer["rule"]
        if rule not in OPTIMIZERS or rule in racers:
            raise Bad(f"racers[{i}].rule", f"must be a rule not raced yet, one of {', '.join(OPTIMIZERS)}")
        racer_config = _config(racer["config"], f"racers.{rule}.config")
        if racer_config.optimizer != rule:
            raise Bad(f"racers.{rule}.config", f"optimizer is {racer_config.optimizer}, not the racer's rule")
        if any(getattr(racer_config, name) != getattr(config, name) for name in DATA_FIELDS):
            raise Bad(f"racers.{rule}.config", "the data, seed or initial weights differ from the race's")
        racers[rule] = (racer_config, read_state(racer["state"], f"racers.{rule}.state", racer_config))
    return racers


def _data(config: TrainConfig, data_doc: dict[str, Any]) -> Dataset:
    """The data set the config names, if it is still the one the session ran on."""
    if config.is_csv and _file_sha256(config.dataset) != data_doc["file_sha256"]:
        raise Bad("data", f"the CSV file {_short(config.dataset)} changed since the session was saved")
    try:
        data = load_dataset(config)
    except ValueError as exc:  # DataError, or a generator refusing a setting the config let through
        raise Bad("data", str(exc)) from None
    if _split_sha256(data) != data_doc["split_sha256"]:
        raise Bad("data", f"the {data.name} data set differs from the one the session was trained on")
    return data


def _short(path: str) -> str:
    return path if len(path) <= 100 else "..." + path[-97:]


__all__ = ["FORMAT", "VERSION", "SessionError", "Field", "load", "save", "to_document", "from_document"]
