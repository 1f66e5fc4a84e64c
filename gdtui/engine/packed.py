"""Arrays inside a session document as packed little-endian bytes in base64 (format version 2).

An array is one JSON object, either its bytes in row-major order::

    {"dtype": "<f8", "shape": [rows, 3], "base64": "..."}

or, for the few columns that may repeat (a constant alpha, accuracies still to be measured, the
batches per epoch), its runs of equal rows::

    {"dtype": "<f8", "shape": [rows], "run_values": "...", "run_lengths": "..."}

`run_values` holds R rows of `dtype`, `run_lengths` R little-endian int64 counts (each >= 1,
summing to rows; neighbouring runs differ). The reader checks the declared dtype and shape against
what the field must be, and the text's length against the shape, before decoding anything; runs
are read only where their length is fixed by a column stored whole (the history's weights), so a
declared shape never allocates much more than the file's own bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Iterator

import numpy as np

from .codec import Bad

DTYPES = ("<f8", "<i8", "<i4", "|u1")
BLOCK = 3 << 20
"""Bytes encoded per chunk while saving (a multiple of 3: the chunks' base64 joins seamlessly)."""


def b64_length(nbytes: int) -> int:
    return 4 * -(-nbytes // 3)


class Packed:
    """An array to be written packed: its JSON text is streamed in chunks (`chunks`), and its
    length is known before (`length`), so the whole document never sits in memory as text."""

    def __init__(self, array: np.ndarray, dtype: str, runs: bool = False) -> None:
        self.dtype = dtype
        self.array = np.ascontiguousarray(array, dtype=np.dtype(dtype))
        self.runs = _runs(self.array) if runs else None

    def _parts(self) -> list[str | np.ndarray]:
        head = f'{{"dtype":"{self.dtype}","shape":{json.dumps(list(self.array.shape))},'
        if self.runs is None:
            return [head + '"base64":"', self.array, '"}']
        values, lengths = self.runs
        return [head + '"run_values":"', values, '","run_lengths":"', lengths, '"}']

    def length(self) -> int:
        return sum(len(p) if isinstance(p, str) else b64_length(p.nbytes) for p in self._parts())

    def chunks(self) -> Iterator[bytes]:
        for part in self._parts():
            if isinstance(part, str):
                yield part.encode("ascii")
                continue
            raw = memoryview(part.reshape(-1).view(np.uint8)) if part.size else memoryview(b"")
            for start in range(0, len(raw), BLOCK):
                yield base64.b64encode(raw[start:start + BLOCK])

    def plain(self) -> dict[str, Any]:
        """The JSON object itself (for small documents and tests)."""
        return json.loads(b"".join(self.chunks()))


def _runs(array: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(values, lengths) of the runs of equal rows (bit for bit), if that is less than a third."""
    rows = len(array) if array.ndim else 0
    if rows < 16:
        return None
    width = array.nbytes // rows
    if width in (1, 2, 4, 8):  # one unsigned word a row: a 1-D comparison
        flat = array.reshape(rows, -1).view(f"<u{width}").reshape(rows)
        starts = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    else:
        flat = array.reshape(rows, -1).view(np.uint8).reshape(rows, -1)
        starts = np.flatnonzero((flat[1:] != flat[:-1]).any(axis=1)) + 1
    if 3 * (len(starts) + 1) * (width + 8) > rows * width:
        return None
    starts = np.concatenate([[0], starts])
    lengths = np.diff(np.append(starts, rows)).astype("<i8")
    return np.ascontiguousarray(array[starts]), lengths


# ---- reading -------------------------------------------------------------------------------------


def unpack(value: Any, where: str, dtype: str, shape: tuple[int | None, ...], runs: bool = False) -> np.ndarray:
    """The array that a packed object describes, of `dtype` and `shape` (None: any length there),
    read-only; checked before anything is decoded. The runs form is read only with `runs` (and
    then every length in `shape` must be given)."""
    if type(value) is not dict or value.get("dtype") != dtype or "shape" not in value:
        raise Bad(where, f'must be a packed array of dtype "{dtype}" ({{"dtype", "shape", "base64"}})')
    form = ("run_values", "run_lengths") if runs and "run_values" in value else ("base64",)
    unknown = sorted(value.keys() - {"dtype", "shape", *form})
    if unknown or any(key not in value for key in form):
        raise Bad(where, f"unknown or missing key in a packed array ({(unknown or form)[0][:40]!r})")
    declared = value["shape"]
    if (type(declared) is not list or len(declared) != len(shape)
            or not all(type(d) is int and d >= 0 and (want is None or d == want) for d, want in zip(declared, shape))):
        want = "[" + ", ".join("n" if w is None else str(w) for w in shape) + "]"
        raise Bad(where, f"must have shape {want} (got {_show_shape(declared)})")
    size = int(np.prod(declared, dtype=object)) if declared else 1
    item = np.dtype(dtype).itemsize
    if form == ("base64",):
        return _decode(value["base64"], f"{where}.base64", dtype, size * item).reshape(declared)
    row = size // declared[0] if declared[0] else int(np.prod(declared[1:], dtype=object))
    lengths = _decode(value["run_lengths"], f"{where}.run_lengths", "<i8", None)
    runs = len(lengths)
    if not 1 <= runs <= declared[0] or (lengths < 1).any() or int(lengths.sum(dtype=object)) != declared[0]:
        raise Bad(f"{where}.run_lengths", f"must be counts >= 1 adding up to {declared[0]} rows")
    values = _decode(value["run_values"], f"{where}.run_values", dtype, runs * row * item)
    values = values.reshape((runs, *declared[1:]))
    bits = values.reshape(runs, -1).view(np.uint8).reshape(runs, -1)
    if runs > 1 and not (bits[1:] != bits[:-1]).any(axis=1).all():
        raise Bad(f"{where}.run_values", "neighbouring runs must differ")
    return np.repeat(values, lengths, axis=0)


def _decode(text: Any, where: str, dtype: str, nbytes: int | None) -> np.ndarray:
    if type(text) is not str:
        raise Bad(where, "must be a base64 string")
    if nbytes is not None and len(text) != b64_length(nbytes):
        raise Bad(where, f"holds {len(text)} base64 characters; its shape needs {b64_length(nbytes)}")
    item = np.dtype(dtype).itemsize
    if nbytes is None and len(text) % 4:
        raise Bad(where, "is cut short (its length is not a multiple of 4)")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Bad(where, "is not valid base64") from None
    if len(raw) != nbytes if nbytes is not None else len(raw) % item:
        raise Bad(where, f"holds {len(raw)} bytes, not the {nbytes} its shape needs" if nbytes is not None
                  else f"holds {len(raw)} bytes, not a whole number of {item}-byte values")
    if text and base64.b64encode(raw[-(len(raw) % 3 or 3):])[-4:].decode("ascii") != text[-4:]:
        raise Bad(where, "is not base64 as gdtui writes it (stray bits in the padding)")
    return np.frombuffer(raw, dtype=np.dtype(dtype))


def _show_shape(shape: Any) -> str:
    text = json.dumps(shape) if isinstance(shape, list) and len(shape) <= 4 else type(shape).__name__
    return text if len(text) <= 40 else text[:37] + "..."
