"""The "data" part of a session document: which data set the session ran on, and for a CSV the
data itself, so that a session resumes even after its CSV file changed or went.

    generated:  {"split_sha256": "..."}             the data set is made again from the config
    CSV (v2):   {"split_sha256": "...", "points": packed <f8 [N, 2], "labels": packed |u1 [N],
                 "label_names": [class 0, class 1]}  the rows as read, before the train/test split
    CSV (v1):   {"split_sha256": "...", "file_sha256": "..."}   read again, refused if it changed

The split is made again from the stored rows (`data.split`), and its hash must be the stored one.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import numpy as np

from .codec import Bad, keys
from .config import MAX_CLASSES, MAX_SAMPLES, TrainConfig
from .data import MAX_CSV_BYTES, SPLIT_SEED, Dataset, load_dataset, split
from .generate import split_indices
from .packed import Packed, unpack
from .regular import NotRegularFile, open_regular

MAX_DATA_ROWS = MAX_SAMPLES
"""Rows a stored CSV data set may hold (as many as a CSV may)."""
MAX_LABEL = 1000
"""Characters a stored label name may have."""


def data_document(config: TrainConfig, data: Dataset) -> dict[str, Any]:
    out: dict[str, Any] = {"split_sha256": split_sha256(data)}
    if config.is_csv:
        n = len(data.y_train) + len(data.y_test)
        train, test = split_indices(n, config.test_size, SPLIT_SEED)
        points, labels = np.empty((n, 2)), np.empty(n, dtype=np.uint8)
        points[train], points[test] = data.train_points, data.test_points
        labels[train], labels[test] = data.y_train, data.y_test
        out.update(points=Packed(points, "<f8"), labels=Packed(labels, "|u1"), label_names=list(data.labels))
    return out


def read_data(value: Any, config: TrainConfig, version: int) -> Dataset:
    """The data set the session ran on, if it is still the one it ran on."""
    if not config.is_csv:
        doc = keys(value, "data", ("split_sha256",))
        data = _loaded(config)
    elif version == 1:
        doc = keys(value, "data", ("split_sha256", "file_sha256"))
        if file_sha256(config.dataset) != doc["file_sha256"]:
            raise Bad("data", f"the CSV file {short(config.dataset)} changed since the session was saved")
        data = _loaded(config)
    else:
        doc = keys(value, "data", ("split_sha256", "points", "labels", "label_names"))
        data = _stored(doc, config)
    if split_sha256(data) != doc["split_sha256"]:
        raise Bad("data", f"the {data.name} data set differs from the one the session was trained on")
    return data


def _loaded(config: TrainConfig) -> Dataset:
    try:
        return load_dataset(config)
    except ValueError as exc:  # DataError, or a generator refusing a setting the config let through
        raise Bad("data", str(exc)) from None


def _stored(doc: dict[str, Any], config: TrainConfig) -> Dataset:
    points = unpack(doc["points"], "data.points", "<f8", (None, 2))
    n = len(points)
    if not 2 <= n <= MAX_DATA_ROWS or not np.isfinite(points).all():
        raise Bad("data.points", f"must be 2 to {MAX_DATA_ROWS} rows of finite numbers")
    labels = unpack(doc["labels"], "data.labels", "|u1", (n,))
    names = doc["label_names"]
    if (type(names) is not list or not 2 <= len(names) <= MAX_CLASSES
            or not all(type(s) is str and 0 < len(s) <= MAX_LABEL for s in names) or len(set(names)) != len(names)):
        raise Bad("data.label_names", f"must be 2 to {MAX_CLASSES} different, non-empty names")
    if (labels >= len(names)).any():
        raise Bad("data.labels", f"must be classes 0 to {len(names) - 1}")
    try:
        return split(points, labels.astype(np.float64), config.test_size, os.path.basename(config.dataset),
                     tuple(names), config.features, config.standardize)
    except ValueError as exc:  # DataError: too few rows for the test size
        raise Bad("data", str(exc)) from None


def split_sha256(data: Dataset) -> str:
    digest = hashlib.sha256()
    for array in (data.X_train, data.y_train, data.X_test, data.y_test):
        digest.update(np.ascontiguousarray(array, dtype="<f8").data)
    digest.update("\0".join(data.labels).encode("utf-8"))
    return digest.hexdigest()


def file_sha256(path: str) -> str:
    try:
        with open_regular(path) as (handle, info):
            if info.st_size > MAX_CSV_BYTES:
                raise Bad("data", f"{short(path)} is larger than {MAX_CSV_BYTES // 2**20} MB")
            digest = hashlib.sha256()
            while block := handle.read(1 << 20):
                digest.update(block)
        return digest.hexdigest()
    except FileNotFoundError:
        raise Bad("data", f"the CSV file {short(path)} is gone") from None
    except (IsADirectoryError, NotRegularFile):
        raise Bad("data", f"{short(path)} is not a regular file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or exc
        raise Bad("data", f"the CSV file {short(path)} cannot be read ({reason})") from None


def short(path: str) -> str:
    return path if len(path) <= 100 else "..." + path[-97:]
