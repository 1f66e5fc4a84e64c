"""Save a training session (or a race) to a versioned JSON file, and resume it to the bit.

The document is strict UTF-8 JSON; non-finite floats are written as the strings "inf", "-inf"
and "nan", every other float as its shortest exact decimal (so it reads back to the same bits)::

    {"format": "gdtui-session", "version": 1, "kind": "train" | "race", "saved_by": "gdtui X.Y.Z",
     "config": {every TrainConfig field},   a CSV path is stored absolute
     "data": {"split_sha256": "...",        the train/test arrays the session ran on
              "file_sha256": "..."},        CSV only: the file's bytes
     "state": {...},                        train: `Trainer.export_state()`
     "racers": [{"rule": "gd", "config": {...}, "state": {...}}, ...]}   race

`load` checks the whole document (and that the data set is still the same) before it builds
anything, and refuses a bad file with `SessionError`: one line naming the file. Nothing is ever
unpickled or evaluated.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import re
import stat
from dataclasses import fields, replace
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from gdtui import __version__

from .atomic import write_atomic
from .config import DATA_FIELDS, MAX_EPOCHS, MAX_SAMPLES, OPTIMIZERS, TrainConfig
from .data import MAX_CSV_BYTES, Dataset, load_dataset
from .history import COLUMNS
from .race import Race
from .trainer import Trainer

FORMAT = "gdtui-session"
VERSION = 1
KINDS = ("train", "race")
MAX_SESSION_BYTES = 512 * 1024 * 1024
"""Larger files are refused (about a million epochs of history)."""
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
"""The settings every racer of a race shares with the race."""


class SessionError(ValueError):
    """A session file that cannot be saved or resumed; the message is one line naming the file."""


class _Bad(Exception):
    """Something wrong at a place in the document (`load` adds the file name)."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}" if where else what)


def autosave_path() -> Path:
    """Where the TUI keeps its last session: $XDG_STATE_HOME/gdtui/last-session.json
    (~/.local/state/gdtui/last-session.json when the variable is unset or not absolute)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "gdtui" / "last-session.json"


# ---- saving --------------------------------------------------------------------------------------


def save(session: Trainer | Race, path: str | os.PathLike) -> None:
    """Write `session` to `path` atomically (the old file survives any failure)."""
    name = os.fspath(path)
    try:
        text = json.dumps(to_document(session), allow_nan=False, separators=(",", ":"))
    except _Bad as exc:
        raise SessionError(_one_line(f"{name}: cannot save: {exc}")) from None
    if len(text) > MAX_SESSION_BYTES:  # (a file that could not be read back: keep the old one)
        raise SessionError(f"{name}: not saved: the session would take {len(text) / 2**20:.0f} MB, more than "
                           f"the {MAX_SESSION_BYTES // 2**20} MB a session file may hold; the old file is kept")
    try:
        write_atomic(path, [text])
    except OSError as exc:
        raise SessionError(_one_line(f"{name}: cannot write ({exc.strerror or exc})")) from None


def to_document(session: Trainer | Race) -> dict[str, Any]:
    """The JSON document of a trainer or a race (plain values only)."""
    head = {"format": FORMAT, "version": VERSION, "saved_by": f"gdtui {__version__}"}
    if isinstance(session, Race):
        racers = list(session.trainers.items())
        data = racers[0][1].data
        return {**head, "kind": "race", "config": _config_document(session.config),
                "data": _data_document(session.config, data),
                "racers": [{"rule": rule, "config": _config_document(t.config), "state": _encode(t.export_state())}
                           for rule, t in racers]}
    return {**head, "kind": "train", "config": _config_document(session.config),
            "data": _data_document(session.config, session.data), "state": _encode(session.export_state())}


def _config_document(config: TrainConfig) -> dict[str, Any]:
    if config.is_csv:  # a session outlives the directory it was started in
        config = replace(config, dataset=os.path.abspath(config.dataset))
    return {f.name: _encode(getattr(config, f.name)) for f in fields(TrainConfig)}


def _data_document(config: TrainConfig, data: Dataset) -> dict[str, str]:
    out = {"split_sha256": _split_sha256(data)}
    if config.is_csv:
        out["file_sha256"] = _file_sha256(os.path.abspath(config.dataset))
    return out


def _encode(value: Any) -> Any:
    """Arrays, tuples and NumPy scalars -> lists and Python values; non-finite floats -> strings."""
    if isinstance(value, np.ndarray):
        plain = value.tolist()
        if value.dtype.kind == "f":
            for index in zip(*np.nonzero(~np.isfinite(value))):  # only the few non-finite entries
                *outer, last = index
                row = plain
                for i in outer:
                    row = row[i]
                row[last] = _encode(row[last])
        return plain
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _split_sha256(data: Dataset) -> str:
    digest = hashlib.sha256()
    for array in (data.X_train, data.y_train, data.X_test, data.y_test):
        digest.update(np.ascontiguousarray(array, dtype="<f8").data)
    digest.update("\0".join(data.labels).encode("utf-8"))
    return digest.hexdigest()


def _file_sha256(path: str) -> str:
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise _Bad("data", f"{_short(path)} is not a regular file")
        if info.st_size > MAX_CSV_BYTES:
            raise _Bad("data", f"{_short(path)} is larger than {MAX_CSV_BYTES // 2**20} MB")
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()
    except FileNotFoundError:
        raise _Bad("data", f"the CSV file {_short(path)} is gone") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or exc
        raise _Bad("data", f"the CSV file {_short(path)} cannot be read ({reason})") from None


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
    except _Bad as exc:
        raise SessionError(_one_line(f"{name}: {exc}")) from None


def _build(document: Any) -> Trainer | Race:
    if type(document) is not dict or document.get("format") != FORMAT:
        raise _Bad("", f'not a gdtui session file (no "format": "{FORMAT}")')
    version = document.get("version")
    if type(version) is not int or version < 1:
        raise _Bad("version", f"must be a positive integer (got {_show(version)})")
    if version > VERSION:
        raise _Bad("", f"written by a newer gdtui (version {version}); this one reads version {VERSION}")
    kind = document.get("kind")
    if kind not in KINDS:
        raise _Bad("kind", f'must be "train" or "race" (got {_show(kind)})')
    body = "state" if kind == "train" else "racers"
    _keys(document, "", ("format", "version", "kind", "config", "data", body), ("saved_by",))
    config = _config(document["config"], "config")
    data_doc = _keys(document["data"], "data", ("split_sha256",) + (("file_sha256",) if config.is_csv else ()))
    if kind == "train":
        state = _state(document["state"], "state")
        data = _data(config, data_doc)
        _fits(state, len(data.y_train), "state")
        return Trainer.restore(data, config, state)
    racers = _racers(document["racers"], config)
    data = _data(config, data_doc)
    for rule, (_, state) in racers.items():
        _fits(state, len(data.y_train), f"racers.{rule}.state")
    race = Race(data, config, tuple(racers))
    for rule, (racer_config, state) in racers.items():
        race.trainers[rule] = Trainer.restore(data, racer_config, state)
    return race


def _read_json(path: str | os.PathLike, name: str) -> Any:
    def fail(what: str) -> SessionError:
        return SessionError(_one_line(f"{name}: {what}"))

    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise fail("no such file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise fail(f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail("is a directory, not a session file")
    if info.st_size > MAX_SESSION_BYTES:
        raise fail(f"larger than {MAX_SESSION_BYTES // 2**20} MB, too large for a session file")
    try:
        with open(path, "rb") as handle:
            blob = handle.read(MAX_SESSION_BYTES + 1)  # bounded: a device may report size 0
    except OSError as exc:
        raise fail(f"cannot be read ({exc.strerror or exc})") from None
    if len(blob) > MAX_SESSION_BYTES:
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


# ---- checking the parts --------------------------------------------------------------------------


def _config(value: Any, where: str) -> TrainConfig:
    names = {f.name for f in fields(TrainConfig)}
    if type(value) is not dict:
        raise _Bad(where, "must be an object")
    unknown = sorted(value.keys() - names)
    if unknown:
        raise _Bad(where, f"unknown setting {unknown[0][:40]!r}")
    try:
        config = TrainConfig(**{key: _tuples(item) for key, item in value.items()}).validated()
    except (TypeError, ValueError, ArithmeticError) as exc:  # ConfigError; an integer too large for a float
        raise _Bad(where, str(exc)) from None
    if config.seed is None:
        raise _Bad(where, "has no seed")
    return config


def _tuples(value: Any) -> Any:
    return tuple(_tuples(item) for item in value) if isinstance(value, list) else value


def _racers(value: Any, config: TrainConfig) -> dict[str, tuple[TrainConfig, dict[str, Any]]]:
    if type(value) is not list or not value:
        raise _Bad("racers", "must be a non-empty list")
    racers: dict[str, tuple[TrainConfig, dict[str, Any]]] = {}
    for i, item in enumerate(value):
        racer = _keys(item, f"racers[{i}]", ("rule", "config", "state"))
        rule = racer["rule"]
        if rule not in OPTIMIZERS or rule in racers:
            raise _Bad(f"racers[{i}].rule", f"must be a rule not raced yet, one of {', '.join(OPTIMIZERS)}")
        racer_config = _config(racer["config"], f"racers.{rule}.config")
        if racer_config.optimizer != rule:
            raise _Bad(f"racers.{rule}.config", f"optimizer is {racer_config.optimizer}, not the racer's rule")
        if any(getattr(racer_config, name) != getattr(config, name) for name in DATA_FIELDS):
            raise _Bad(f"racers.{rule}.config", "the data, seed or initial weights differ from the race's")
        racers[rule] = (racer_config, _state(racer["state"], f"racers.{rule}.state"))
    return racers


def _data(config: TrainConfig, data_doc: dict[str, Any]) -> Dataset:
    """The data set the config names, if it is still the one the session ran on."""
    if config.is_csv and _file_sha256(config.dataset) != data_doc["file_sha256"]:
        raise _Bad("data", f"the CSV file {_short(config.dataset)} changed since the session was saved")
    try:
        data = load_dataset(config)
    except ValueError as exc:  # DataError, or a generator refusing a setting the config let through
        raise _Bad("data", str(exc)) from None
    if _split_sha256(data) != data_doc["split_sha256"]:
        raise _Bad("data", f"the {data.name} data set differs from the one the session was trained on")
    return data


def _state(value: Any, where: str) -> dict[str, Any]:
    """`Trainer.export_state()` from its JSON form, checked on its own (see `_fits` for the data)."""
    keys = ("weights", "optimizer_state", "rng", "epoch", "batch", "epoch_batch_rows", "epoch_batches", "order",
            "batch_losses", "batch_correct", "epoch_start", "direction_sum", "last_step", "last_direction",
            "last_rows", "best_loss", "best_epoch", "diverged", "history")
    raw = _keys(value, where, keys)

    def at(key: str) -> str:
        return f"{where}.{key}"

    state: dict[str, Any] = {key: _floats(raw[key], at(key), length=3)
                             for key in ("weights", "epoch_start", "direction_sum", "last_step", "last_direction")}
    opt = _keys(raw["optimizer_state"], at("optimizer_state"), ("first", "second", "steps"))
    state["optimizer_state"] = {"first": _floats(opt["first"], at("optimizer_state.first"), length=3),
                                "second": _floats(opt["second"], at("optimizer_state.second"), length=3),
                                "steps": _int(opt["steps"], at("optimizer_state.steps"), 0, 2**62)}
    state["rng"] = _rng(raw["rng"], at("rng"))
    epoch = state["epoch"] = _int(raw["epoch"], at("epoch"), 0, MAX_EPOCHS)
    batch = state["batch"] = _int(raw["batch"], at("batch"), 0, MAX_SAMPLES)
    for key in ("epoch_batch_rows", "epoch_batches"):
        state[key] = None if raw[key] is None else _int(raw[key], at(key), 1, MAX_SAMPLES)
    state["order"] = None if raw["order"] is None else _indices(raw["order"], at("order"))
    state["batch_losses"] = _floats(raw["batch_losses"], at("batch_losses")).tolist()
    state["batch_correct"] = _int(raw["batch_correct"], at("batch_correct"), 0, MAX_SAMPLES)
    rows = _keys_list(raw["last_rows"], at("last_rows"), 2)
    state["last_rows"] = tuple(_int(r, at("last_rows"), 0, MAX_SAMPLES) for r in rows)
    state["best_loss"] = _number(raw["best_loss"], at("best_loss"))
    state["best_epoch"] = _int(raw["best_epoch"], at("best_epoch"), 0, epoch)
    if type(raw["diverged"]) is not bool:
        raise _Bad(at("diverged"), "must be true or false")
    state["diverged"] = raw["diverged"]
    history = state["history"] = _history(raw["history"], at("history"))
    if len(history["optimizers"]) != epoch + 1:
        raise _Bad(at("history"), f"has {len(history['optimizers'])} rows for epoch {epoch} (expected {epoch + 1})")
    if (state["epoch_batch_rows"] is None) != (state["epoch_batches"] is None):
        raise _Bad(where, "epoch_batch_rows and epoch_batches must both be set or both be null")
    if batch:
        if state["epoch_batches"] is None or batch >= state["epoch_batches"]:
            raise _Bad(at("batch"), "must be below epoch_batches in an epoch under way")
        if len(state["batch_losses"]) != batch:
            raise _Bad(at("batch_losses"), f"must hold one loss per batch done ({batch})")
    elif not np.array_equal(history["weights"][-1], state["weights"]):
        raise _Bad(at("weights"), "differ from the last weights of the history")
    return state


def _fits(state: dict[str, Any], n: int, where: str) -> None:
    """Check the parts of a trainer state that depend on the number `n` of training rows."""
    order = state["order"]
    if order is not None and (len(order) != n or not (np.bincount(order, minlength=n) == 1).all()):
        raise _Bad(f"{where}.order", f"must be a permutation of the {n} training rows")
    rows = state["epoch_batch_rows"]
    if rows is not None and (rows > n or state["epoch_batches"] != -(-n // rows)):
        raise _Bad(f"{where}.epoch_batch_rows", f"do not fit {n} training rows")
    start, stop = state["last_rows"]
    if not start <= stop <= n:
        raise _Bad(f"{where}.last_rows", f"must be a range within the {n} training rows")
    if state["batch_correct"] > min(n, state["batch"] * rows if state["batch"] else n):
        raise _Bad(f"{where}.batch_correct", "exceeds the rows seen")


def _history(value: Any, where: str) -> dict[str, Any]:
    raw = _keys(value, where, tuple(key for key, _, _ in COLUMNS) + ("optimizers",))
    arrays: dict[str, Any] = {}
    for key, _, width in COLUMNS:
        arrays[key] = _floats(raw[key], f"{where}.{key}", width=width,
                              finite=key not in ("losses", "train_accuracy"))
    names = raw["optimizers"]
    if type(names) is not list or not names or not all(type(n) is str and n in OPTIMIZERS for n in names):
        raise _Bad(f"{where}.optimizers", "must be a non-empty list of rule names")
    arrays["optimizers"] = names
    lengths = {key: len(arrays[key]) for key in arrays}
    if len(set(lengths.values())) != 1:
        raise _Bad(where, "columns differ in length (" + ", ".join(f"{k} {v}" for k, v in lengths.items()) + ")")
    if np.isnan(arrays["losses"]).any():
        raise _Bad(f"{where}.losses", "must not hold nan")
    accuracy = arrays["train_accuracy"]
    if ((accuracy < 0) | (accuracy > 1)).any() or np.isinf(accuracy).any() or np.isnan(accuracy[:1]).any():
        raise _Bad(f"{where}.train_accuracy", "must lie in [0, 1] (nan: not measured yet, never in row 0)")
    steps = arrays["optimizer_state"][:, 6]
    if ((steps < 0) | (steps != np.floor(steps))).any():
        raise _Bad(f"{where}.optimizer_state", "step counts (last column) must be whole numbers >= 0")
    return arrays


def _rng(value: Any, where: str) -> dict[str, Any]:
    raw = _keys(value, where, ("bit_generator", "state", "has_uint32", "uinteger"))
    if raw["bit_generator"] != "PCG64":
        raise _Bad(f"{where}.bit_generator", f"must be PCG64 (got {_show(raw['bit_generator'])})")
    inner = _keys(raw["state"], f"{where}.state", ("state", "inc"))
    for key in ("state", "inc"):
        _int(inner[key], f"{where}.state.{key}", 0, 2**128 - 1, "an integer in [0, 2**128)")
    _int(raw["has_uint32"], f"{where}.has_uint32", 0, 1)
    _int(raw["uinteger"], f"{where}.uinteger", 0, 2**32 - 1)
    state = copy.deepcopy(raw)
    try:
        np.random.PCG64(0).state = state
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise _Bad(where, f"NumPy refuses it ({exc})") from None
    return state


# ---- checking values -----------------------------------------------------------------------------


def _keys(value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Bad(where, "must be an object")
    missing = [key for key in required if key not in value]
    if missing:
        raise _Bad(where, f"{missing[0]!r} is missing")
    unknown = sorted(value.keys() - set(required) - set(optional))
    if unknown:
        raise _Bad(where, f"unknown key {unknown[0][:40]!r}")
    return value


def _keys_list(value: Any, where: str, length: int) -> list[Any]:
    if type(value) is not list or len(value) != length:
        raise _Bad(where, f"must be a list of {length} values")
    return value


def _int(value: Any, where: str, low: int, high: int, allowed: str | None = None) -> int:
    if type(value) is not int or not low <= value <= high:
        raise _Bad(where, f"must be {allowed or f'an integer in [{low}, {high}]'} (got {_show(value)})")
    return value


def _number(value: Any, where: str) -> float:
    """A float or "inf" (never nan): a loss."""
    number = _NON_FINITE.get(value) if type(value) is str else value
    try:
        number = float(number) if type(number) in (int, float) else math.nan
    except OverflowError:
        number = math.nan
    if math.isnan(number) or number == -math.inf:
        raise _Bad(where, f"must be a number or \"inf\" (got {_show(value)})")
    return number


def _floats(value: Any, where: str, width: int | None = None, length: int | None = None,
            finite: bool = True) -> np.ndarray:
    """A list of numbers (rows of `width` numbers) -> a float array; "inf", "-inf" and "nan" read
    as such, and are refused if `finite`."""
    if type(value) is not list or (length is not None and len(value) != length):
        raise _Bad(where, "must be a list" + (f" of {length} numbers" if length is not None else ""))
    flat = value
    if width is not None:
        if not all(type(row) is list and len(row) == width for row in value):
            raise _Bad(where, f"must be a list of rows of {width} numbers")
        flat = list(chain.from_iterable(value))
    kinds = set(map(type, flat))
    if not kinds <= {float, int}:
        if not kinds <= {float, int, str} or not all(v in _NON_FINITE for v in flat if type(v) is str):
            raise _Bad(where, 'must hold numbers only ("inf", "-inf" or "nan" for the non-finite)')
        flat = [_NON_FINITE[v] if type(v) is str else v for v in flat]
    try:
        array = np.array(flat, dtype=np.float64)
    except (OverflowError, ValueError, TypeError):
        raise _Bad(where, "holds a number too large for a float") from None
    if finite and not np.isfinite(array).all():
        raise _Bad(where, "must hold finite numbers only")
    return array if width is None else array.reshape(-1, width)


def _indices(value: Any, where: str) -> np.ndarray:
    if type(value) is not list or not all(type(v) is int and 0 <= v < MAX_SAMPLES for v in value):
        raise _Bad(where, f"must be a list of row indices in [0, {MAX_SAMPLES})")
    return np.array(value, dtype=np.int64)


def _show(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, (str, int, float, bool, type(None))) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _one_line(message: str) -> str:
    """Whitespace runs -> one space, other control characters -> '?'."""
    return "".join(c if c.isprintable() else "?" for c in " ".join(message.split()))


def _short(path: str) -> str:
    return path if len(path) <= 100 else "..." + path[-97:]
