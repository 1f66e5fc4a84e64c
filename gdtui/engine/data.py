"""Data sources -> training and test arrays with the bias column FIRST.

Rows of X are (1, x1, x2) for the lesson's model, so W = (w0 bias, w1, w2) and the decision
boundary reads y = (-w0 - w1*x) / w2; other feature maps give rows (1, f1, f2, ...) (see
`gdtui.engine.features`). Labels are float vectors of shape (N,) holding the classes 0..K-1.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
from array import array
from dataclasses import dataclass

import numpy as np

from . import features as feature_maps
from . import generate
from .config import BINARY_LOSSES, MAX_CLASSES, MAX_SAMPLES, TrainConfig
from .echo import ascii_float, show, show_name
from .regular import NotRegularFile, open_regular

SPLIT_SEED = 42
"""The lesson's `train_test_split(..., random_state=42)`."""
MAX_CSV_BYTES = 200 * 1024 * 1024
LABEL_LIMIT = 40
"""Characters of a label a line shows."""
MAX_LABELS = MAX_CLASSES
"""Distinct labels a CSV may hold (more are counted, not kept)."""


class DataError(ValueError):
    """Data that cannot be used; the message is one line fit for a user."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split ready for training."""

    name: str
    """Short description, e.g. `blobs` or the CSV file's name."""
    X_train: np.ndarray
    """(N, d) float64 design matrix: the bias column, then one column per feature."""
    y_train: np.ndarray
    """(N,) float64 classes 0..K-1."""
    X_test: np.ndarray
    """(M, d) float64, as X_train (standardized with the training split's statistics)."""
    y_test: np.ndarray
    """(M,) float64 classes 0..K-1."""
    labels: tuple[str, ...] = ("0", "1")
    """The original label of each class, class 0 first."""
    points_train: np.ndarray | None = None
    """(N, 2) the training points (x1, x2) before any feature map; None: the columns 1-2 of X_train."""
    points_test: np.ndarray | None = None
    """(M, 2) the test points, as `points_train`."""
    scaling: feature_maps.Scaling | None = None
    """The training split's feature statistics when the columns are standardized."""
    features: tuple[str, ...] = feature_maps.LESSON
    """The feature columns after the bias, in order (see `gdtui.engine.features`)."""

    @property
    def classes(self) -> int:
        return len(self.labels)

    @property
    def train_points(self) -> np.ndarray:
        """(N, 2) the training points in the data's own coordinates."""
        return self.X_train[:, 1:3] if self.points_train is None else self.points_train

    @property
    def test_points(self) -> np.ndarray:
        return self.X_test[:, 1:3] if self.points_test is None else self.points_test

    @property
    def label_mapping(self) -> str:
        """E.g. `cat -> 0, dog -> 1`, the labels escaped and cut (they are a file's text)."""
        return ", ".join(f"{label} -> {k}" for k, label in enumerate(self.shown_labels))

    @property
    def shown_labels(self) -> tuple[str, ...]:
        """The labels as text may show them: escaped and cut to `LABEL_LIMIT` characters."""
        return tuple(show_name(label, LABEL_LIMIT) for label in self.labels)


def load_dataset(config: TrainConfig) -> Dataset:
    """Build the data set a config names (generated or read from CSV), split it and map its
    points to the config's features."""
    if config.is_csv:
        points, labels, names = read_csv(config.dataset)
        title = show_name(os.path.basename(config.dataset))
    else:
        classes = config.classes if config.dataset == "blobs" else 2
        points, labels = _generate(config.dataset, config.samples, config.effective_noise, config.data_seed, classes)
        names = tuple(str(k) for k in range(classes))
        title = config.dataset
    return split(points, labels, config.test_size, title, names, config.features, config.standardize)


def fitted(config: TrainConfig, data: Dataset) -> TrainConfig:
    """`config` with the number of classes its data holds (a CSV's labels decide it), validated:
    a binary loss on more than two classes is refused (`ConfigError`)."""
    if data.classes == config.classes:
        return config
    if config.classes != 2 or not config.is_csv:
        raise DataError(f"{data.name} holds {data.classes} classes, the settings say {config.classes} (--classes)")
    if config.loss in BINARY_LOSSES:
        raise DataError(f"{data.name}: {data.classes} classes ({data.label_mapping}) need --loss softmax or svm "
                        f"({config.loss} scores two)")
    return config.with_changes(classes=data.classes)


def _generate(kind: str, samples: int, noise: float, seed: int, classes: int) -> tuple[np.ndarray, np.ndarray]:
    if kind == "blobs":
        return generate.blobs(samples, noise, seed, classes)
    make = {"moons": generate.moons, "circles": generate.circles}[kind]
    return make(samples, noise, seed)


def split(points: np.ndarray, labels: np.ndarray, test_size: float, name: str,
          names: tuple[str, ...] = ("0", "1"), features: tuple[str, ...] = feature_maps.LESSON,
          standardize: bool = False) -> Dataset:
    """The lesson's `train_test_split(random_state=42)`, then the design matrix: the bias column
    first, then the `features` (standardized by the training split's statistics if asked)."""
    n = len(labels)
    train, test = generate.split_indices(n, test_size, SPLIT_SEED)
    if len(test) < 1 or len(train) < 1:
        raise DataError(f"{name}: {n} rows cannot be split with test size {test_size} (need at least one each side)")
    labels = np.asarray(labels, dtype=np.float64)
    train_points, test_points = generate.take_rows(points, train), generate.take_rows(points, test)
    X_train, X_test = feature_maps.columns(train_points, features), feature_maps.columns(test_points, features)
    scaling = None
    if standardize:
        scaling = feature_maps.scaling_of(X_train)
        X_train, X_test = feature_maps.scaled(X_train, scaling), feature_maps.scaled(X_test, scaling)
    plain = tuple(features) == feature_maps.LESSON and not standardize  # (then X holds the points)
    return Dataset(name, X_train, labels[train], X_test, labels[test], tuple(names),
                   None if plain else train_points, None if plain else test_points, scaling, tuple(features))


def with_bias(points: np.ndarray) -> np.ndarray:
    """(N, 2) points -> (N, 3) C-contiguous float64 rows (1, x1, x2)."""
    return feature_maps.columns(points, feature_maps.LESSON)


def read_csv(path: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Read `x1,x2,label` rows (one header line allowed) -> points (N, 2), labels (N,) in
    {0..K-1}, label names.

    Two to `MAX_CLASSES` distinct labels are accepted; numeric labels are ordered by value, others
    alphabetically, and they become the classes 0..K-1 in that order. At most `MAX_SAMPLES` data rows. The file is
    read as a stream, each row kept as 17 bytes, so memory stays bounded whatever the file holds.
    Any problem raises `DataError` naming the line; what it quotes of the file is escaped and cut.
    """
    name = show_name(os.path.basename(path) or path)
    with contextlib.ExitStack() as stack:
        try:
            handle, info = stack.enter_context(open_regular(path))  # (a FIFO or a device is refused)
        except FileNotFoundError:
            raise DataError(f"{show_name(path)}: no such file (expected blobs, moons, circles or a CSV path)") from None
        except IsADirectoryError:
            raise DataError(f"{name}: is a directory, not a CSV file") from None
        except NotRegularFile as exc:
            raise DataError(f"{name}: {exc.kind}, not a CSV file") from None
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
            raise DataError(f"{name}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
        if info.st_size > MAX_CSV_BYTES:
            raise DataError(f"{name}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
        text = io.TextIOWrapper(io.BufferedReader(_Checked(handle, name)), encoding="utf-8-sig", newline="")
        try:
            return _rows(csv.reader(text, strict=True), name)
        except UnicodeDecodeError:
            raise DataError(f"{name}: not UTF-8 text, not a CSV file") from None
        except OSError as exc:
            raise DataError(f"{name}: cannot be read ({exc.strerror or exc})") from None


class _Checked(io.RawIOBase):
    """The bytes of a file, refused (`DataError`) past `MAX_CSV_BYTES` (it may grow while it is
    read) or at a NUL byte (binary data)."""

    def __init__(self, handle, name: str) -> None:
        self._handle, self._name, self._read = handle, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._handle.readinto(buffer)
        self._read += count or 0
        if self._read > MAX_CSV_BYTES:
            raise DataError(f"{self._name}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
        if count and b"\0" in memoryview(buffer)[:count].tobytes():
            raise DataError(f"{self._name}: binary data, not a CSV text file")
        return count


def _rows(reader, name: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The data rows of `reader`: coordinates and a label code per row, kept in compact arrays."""
    coords, codes, seen = array("d"), array("B"), {}  # seen: label -> code, the first MAX_LABELS
    header_allowed, more_labels = True, False
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
        point = _parse_pair(x1, x2)
        if point is None:
            if header_allowed:
                header_allowed = False
                continue
            hint = "; only the first line may be a header" if not codes else ""
            raise DataError(f"{name} line {line_no}: x1 and x2 must be numbers (got {show(x1, 20)}, "
                            f"{show(x2, 20)}){hint}")
        header_allowed = False
        if not all(math.isfinite(c) for c in point):
            raise DataError(f"{name} line {line_no}: x1 and x2 must be finite (got {show(x1, 20)}, {show(x2, 20)})")
        if not label:
            raise DataError(f"{name} line {line_no}: the label is empty")
        if len(codes) == MAX_SAMPLES:
            raise DataError(f"{name} line {line_no}: more than {MAX_SAMPLES} data rows (the samples limit)")
        code = seen.get(label)
        if code is None:
            if len(seen) < MAX_LABELS:
                code = seen[label] = len(seen)
            else:
                code, more_labels = MAX_LABELS, True
        coords.extend(point)
        codes.append(code)
    if not codes:
        raise DataError(f"{name}: no data rows (expected x1,x2,label lines)")
    names = _ordered_labels(list(seen), more_labels, name)
    classes = np.array([float(names.index(label)) for label in seen])
    return np.frombuffer(coords, dtype=np.float64).reshape(-1, 2), classes[np.frombuffer(codes, dtype=np.uint8)], names


def _parse_pair(x1: str, x2: str) -> tuple[float, float] | None:
    try:
        return ascii_float(x1), ascii_float(x2)
    except ValueError:
        return None


def _ordered_labels(distinct: list[str], more: bool, name: str) -> tuple[str, ...]:
    """The labels in class order (`more`: there were more than the `distinct` ones listed)."""
    if not 2 <= len(distinct) <= MAX_CLASSES or more:
        shown = ", ".join(show_name(label, 20) for label in sorted(distinct)[:4])
        shown += ", ..." if more or len(distinct) > 4 else ""
        count = f"more than {len(distinct)}" if more else str(len(distinct))
        raise DataError(f"{name}: the label column must hold 2 to {MAX_CLASSES} distinct values, found {count} "
                        f"({shown})")
    try:
        ordered = sorted(sorted(distinct), key=_label_value)  # ties such as 1 / 1.0: by text, not by set order
    except ValueError:
        ordered = sorted(distinct)
    return tuple(ordered)


def _label_value(label: str) -> float:
    """A numeric label's value (ValueError unless it is a finite number written in ASCII)."""
    value = ascii_float(label)
    if not math.isfinite(value):
        raise ValueError(label)
    return value
