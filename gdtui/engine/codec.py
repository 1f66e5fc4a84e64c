"""Reading and writing single values of a session document: each reader checks type and range and
raises `Bad` naming the place in the document; `encode` turns arrays and NumPy values into JSON.

Non-finite floats travel as the strings "inf", "-inf" and "nan" (strict JSON has no literal for
them); every other float as its shortest exact decimal, which reads back to the same bits.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from itertools import chain
from typing import Any, Callable

import numpy as np

NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


class Bad(Exception):
    """Something wrong at a place in the document (the loader adds the file name)."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}" if where else what)


@dataclass(frozen=True)
class Field:
    """How one field of a saved value is read and written.

    `read(json_value, where, shape)` checks and converts (shape: the weights'); `write(value)`
    gives the JSON value. `key` is the name in the document, `attribute` the field's name."""

    key: str
    read: Callable[[Any, str, tuple[int, ...]], Any]
    write: Callable[[Any], Any] = None  # type: ignore[assignment]
    attribute: str = ""
    absent: Callable[[], Any] | None = None
    """The value of a field a file may lack (written before the field existed); None: required."""

    def __post_init__(self) -> None:
        if self.write is None:
            object.__setattr__(self, "write", encode)
        if not self.attribute:
            object.__setattr__(self, "attribute", self.key)


def read_fields(value: Any, where: str, table: tuple[Field, ...], shape: tuple[int, ...]) -> dict[str, Any]:
    """Every field of `table` from the object `value` (no key missing, none unknown)."""
    raw = keys(value, where, tuple(field.key for field in table if field.absent is None),
               tuple(field.key for field in table if field.absent is not None))
    return {field.attribute: field.read(raw[field.key], f"{where}.{field.key}", shape) if field.key in raw
            else field.absent() for field in table}


def encode(value: Any) -> Any:
    """Arrays, tuples and NumPy scalars -> lists and Python values; non-finite floats -> strings."""
    if isinstance(value, np.ndarray):
        plain = value.tolist()
        if value.dtype.kind == "f":
            for index in zip(*np.nonzero(~np.isfinite(value))):  # only the few non-finite entries
                *outer, last = index
                row = plain
                for i in outer:
                    row = row[i]
                row[last] = encode(row[last])
        return plain
    if isinstance(value, dict):
        return {key: encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


# ---- readers of single values --------------------------------------------------------------------


def keys(value: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """`value` as an object with exactly the `required` keys (and maybe some `optional` ones)."""
    if type(value) is not dict:
        raise Bad(where, "must be an object")
    missing = [key for key in required if key not in value]
    if missing:
        raise Bad(where, f"{missing[0]!r} is missing")
    unknown = sorted(value.keys() - set(required) - set(optional))
    if unknown:
        raise Bad(where, f"unknown key {unknown[0][:40]!r}")
    return value


def pair_of_ints(low: int, high: int) -> Callable[[Any, str, tuple], tuple[int, int]]:
    def read(value: Any, where: str, shape: tuple = ()) -> tuple[int, int]:
        if type(value) is not list or len(value) != 2:
            raise Bad(where, "must be a list of 2 values")
        return tuple(integer(low, high)(v, where) for v in value)
    return read


def integer(low: int, high: int, allowed: str | None = None) -> Callable[[Any, str, tuple], int]:
    def read(value: Any, where: str, shape: tuple = ()) -> int:
        if type(value) is not int or not low <= value <= high:
            raise Bad(where, f"must be {allowed or f'an integer in [{low}, {high}]'} (got {show(value)})")
        return value
    return read


def optional(read: Callable[[Any, str, tuple], Any]) -> Callable[[Any, str, tuple], Any]:
    """`read`, or None for null."""
    return lambda value, where, shape=(): None if value is None else read(value, where, shape)


def flag(value: Any, where: str, shape: tuple = ()) -> bool:
    if type(value) is not bool:
        raise Bad(where, "must be true or false")
    return value


def loss_value(value: Any, where: str, shape: tuple = ()) -> float:
    """A float or "inf" (never nan, never -inf): a loss."""
    number = NON_FINITE.get(value) if type(value) is str else value
    try:
        number = float(number) if type(number) in (int, float) else math.nan
    except OverflowError:
        number = math.nan
    if math.isnan(number) or number == -math.inf:
        raise Bad(where, f"must be a number or \"inf\" (got {show(value)})")
    return number


def floats(value: Any, where: str, width: int | None = None, length: int | None = None,
           finite: bool = True) -> np.ndarray:
    """A list of numbers (rows of `width` numbers) -> a float array; "inf", "-inf" and "nan" read
    as such, and are refused if `finite`."""
    if type(value) is not list or (length is not None and len(value) != length):
        raise Bad(where, "must be a list" + (f" of {length} numbers" if length is not None else ""))
    flat = value
    if width is not None:
        if not all(type(row) is list and len(row) == width for row in value):
            raise Bad(where, f"must be a list of rows of {width} numbers")
        flat = list(chain.from_iterable(value))
    kinds = set(map(type, flat))
    if not kinds <= {float, int}:
        if not kinds <= {float, int, str} or not all(v in NON_FINITE for v in flat if type(v) is str):
            raise Bad(where, 'must hold numbers only ("inf", "-inf" or "nan" for the non-finite)')
        flat = [NON_FINITE[v] if type(v) is str else v for v in flat]
    try:
        array = np.array(flat, dtype=np.float64)
    except (OverflowError, ValueError, TypeError):
        raise Bad(where, "holds a number too large for a float") from None
    if finite and not np.isfinite(array).all():
        raise Bad(where, "must hold finite numbers only")
    return array if width is None else array.reshape(-1, width)


def vector(value: Any, where: str, shape: tuple[int, ...]) -> np.ndarray:
    """Finite numbers, as many as the weights have."""
    return floats(value, where, length=int(np.prod(shape))).reshape(shape)


def number_list(value: Any, where: str, shape: tuple = ()) -> tuple[float, ...]:
    return tuple(floats(value, where).tolist())


def indices(limit: int) -> Callable[[Any, str, tuple], np.ndarray]:
    def read(value: Any, where: str, shape: tuple = ()) -> np.ndarray:
        if type(value) is not list or not all(type(v) is int and 0 <= v < limit for v in value):
            raise Bad(where, f"must be a list of row indices in [0, {limit})")
        return np.array(value, dtype=np.int64)
    return read


def rng_state(value: Any, where: str, shape: tuple = ()) -> dict[str, Any]:
    """A PCG64 bit generator's state, as NumPy gives it (and accepts it back)."""
    raw = keys(value, where, ("bit_generator", "state", "has_uint32", "uinteger"))
    if raw["bit_generator"] != "PCG64":
        raise Bad(f"{where}.bit_generator", f"must be PCG64 (got {show(raw['bit_generator'])})")
    inner = keys(raw["state"], f"{where}.state", ("state", "inc"))
    for key in ("state", "inc"):
        integer(0, 2**128 - 1, "an integer in [0, 2**128)")(inner[key], f"{where}.state.{key}")
    integer(0, 1)(raw["has_uint32"], f"{where}.has_uint32")
    integer(0, 2**32 - 1)(raw["uinteger"], f"{where}.uinteger")
    state = copy.deepcopy(raw)
    try:
        np.random.PCG64(0).state = state
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise Bad(where, f"NumPy refuses it ({exc})") from None
    return state


def show(value: Any) -> str:
    """A value as a message quotes it: JSON, at most 40 characters."""
    text = json.dumps(value) if isinstance(value, (str, int, float, bool, type(None))) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def one_line(message: str) -> str:
    """Whitespace runs -> one space, other control characters -> '?'."""
    return "".join(c if c.isprintable() else "?" for c in " ".join(message.split()))
