"""Data sources -> training and test arrays with the bias column FIRST.

Rows of X are (1, x1, x2), so W = (w0 bias, w1, w2) and the decision boundary reads
y = (-w0 - w1*x) / w2. Labels are float 0/1 vectors of shape (N,).
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass

import numpy as np

from . import generate
from .config import TrainConfig
from .regular import NotRegularFile, open_regular

SPLIT_SEED = 42
"""The lesson's `train_test_split(..., random_state=42)`."""
MAX_CSV_BYTES = 200 * 1024 * 1024


class DataError(ValueError):
    """Data that cannot be used; the message is one line fit for a user."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split ready for training."""

    name: str
    """Short description, e.g. `blobs` or the CSV file's name."""
    X_train: np.ndarray
    """(N, 3) float64 rows (1, x1, x2)."""
    y_train: np.ndarray
    """(N,) float64 labels in {0, 1}."""
    X_test: np.ndarray
    """(M, 3) float64 rows (1, x1, x2)."""
    y_test: np.ndarray
    """(M,) float64 labels in {0, 1}."""
    labels: tuple[str, str] = ("0", "1")
    """The original label mapped to class 0 and to class 1."""

    @property
    def label_mapping(self) -> str:
        """E.g. `cat -> 0, dog -> 1`."""
        return f"{self.labels[0]} -> 0, {self.labels[1]} -> 1"


def load_dataset(config: TrainConfig) -> Dataset:
    """Build the data set a config names (generated or read from CSV) and split it."""
    if config.is_csv:
        points, labels, names = read_csv(config.dataset)
        title = os.path.basename(config.dataset)
    else:
        points, labels = _generate(config.dataset, config.samples, config.effective_noise, config.data_seed)
        names = ("0", "1")
        title = config.dataset
    return split(points, labels, config.test_size, title, names)


def _generate(kind: str, samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    make = {"blobs": generate.blobs, "moons": generate.moons, "circles": generate.circles}[kind]
    return make(samples, noise, seed)


def split(points: np.ndarray, labels: np.ndarray, test_size: float, name: str,
          names: tuple[str, str] = ("0", "1")) -> Dataset:
    """The lesson's `train_test_split(random_state=42)`, then the bias column is put first."""
    n = len(labels)
    train, test = generate.split_indices(n, test_size, SPLIT_SEED)
    if len(test) < 1 or len(train) < 1:
        raise DataError(f"{name}: {n} rows cannot be split with test size {test_size} (need at least one each side)")
    labels = np.asarray(labels, dtype=np.float64)
    return Dataset(name, with_bias(generate.take_rows(points, train)), labels[train],
                   with_bias(generate.take_rows(points, test)), labels[test], names)


def with_bias(points: np.ndarray) -> np.ndarray:
    """(N, 2) points -> (N, 3) C-contiguous float64 rows (1, x1, x2)."""
    out = np.empty((len(points), 3), dtype=np.float64)
    out[:, 0] = 1.0
    out[:, 1:] = points
    return out


def read_csv(path: str) -> tuple[np.ndarray, np.ndarray, tuple[str, str]]:
    """Read `x1,x2,label` rows (header optional) -> points (N, 2), labels (N,) in {0, 1}, label names.

    Exactly two distinct labels are accepted; numeric labels are ordered by value, others
    alphabetically, and the first becomes class 0. Any problem raises `DataError` naming the line.
    """
    name = os.path.basename(path) or path
    text = _read_text(path, name)
    rows: list[tuple[float, float]] = []
    raw_labels: list[str] = []
    reader = csv.reader(io.StringIO(text), strict=True)
    while True:
        try:
            fields = next(reader, None)
        except csv.Error as exc:  # an unclosed quote, or a field beyond csv.field_size_limit()
            raise DataError(f"{name} line {reader.line_num}: not valid CSV ({exc})") from None
        if fields is None:
            break
        line_no = reader.line_num  # physical line where the row ends (quoted fields may span lines)
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != 3:
            raise DataError(f"{name} line {line_no}: expected 3 values (x1,x2,label), found {len(fields)}")
        x1, x2, label = (f.strip() for f in fields)
        coords = _parse_pair(x1, x2)
        if coords is None:
            if not rows and not raw_labels:
                continue  # a header line
            raise DataError(f"{name} line {line_no}: x1 and x2 must be numbers (got {x1[:20]!r}, {x2[:20]!r})")
        if not all(math.isfinite(c) for c in coords):
            raise DataError(f"{name} line {line_no}: x1 and x2 must be finite (got {x1[:20]}, {x2[:20]})")
        if not label:
            raise DataError(f"{name} line {line_no}: the label is empty")
        rows.append(coords)
        raw_labels.append(label)
    if not rows:
        raise DataError(f"{name}: no data rows (expected x1,x2,label lines)")
    names = _two_labels(raw_labels, name)
    labels = np.fromiter((names.index(lab) for lab in raw_labels), dtype=np.float64, count=len(raw_labels))
    return np.asarray(rows, dtype=np.float64), labels, names


def _read_text(path: str, name: str) -> str:
    try:
        with open_regular(path) as (handle, info):  # (a FIFO or a device is refused, never waited on)
            blob = b"" if info.st_size > MAX_CSV_BYTES else handle.read(MAX_CSV_BYTES + 1)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file (expected blobs, moons, circles or a CSV path)") from None
    except IsADirectoryError:
        raise DataError(f"{name}: is a directory, not a CSV file") from None
    except NotRegularFile as exc:
        raise DataError(f"{name}: {exc.kind}, not a CSV file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise DataError(f"{name}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if info.st_size > MAX_CSV_BYTES or len(blob) > MAX_CSV_BYTES:  # (it may grow while it is read)
        raise DataError(f"{name}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
    if b"\0" in blob:
        raise DataError(f"{name}: binary data, not a CSV text file")
    try:
        return blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{name}: not UTF-8 text, not a CSV file") from None


def _parse_pair(x1: str, x2: str) -> tuple[float, float] | None:
    try:
        return float(x1), float(x2)
    except ValueError:
        return None


def _two_labels(raw_labels: list[str], name: str) -> tuple[str, str]:
    distinct = set(raw_labels)
    if len(distinct) != 2:
        shown = ", ".join(sorted(distinct)[:4]) + (", ..." if len(distinct) > 4 else "")
        raise DataError(f"{name}: the label column must hold exactly 2 distinct values, found {len(distinct)} ({shown})")
    try:
        ordered = sorted(sorted(distinct), key=float)  # ties such as 1 / 1.0: by text, not by set order
    except ValueError:
        ordered = sorted(distinct)
    return ordered[0], ordered[1]
