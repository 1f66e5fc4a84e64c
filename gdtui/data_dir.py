"""`GDTUI_DATA_DIR`: when set (by `gdtui serve` and `gdtui host`), the one folder a session may
read CSV files from, for `--dataset` and the data form `D` alike.

A visitor of a server must not make it read its own files (a CSV's label strings are shown on
the screen), so a path is accepted only if its real path (links and `..` resolved) lies inside
the folder's real path. A path outside is refused whether or not it exists, in the same words:
the refusal tells nothing about the server's files. A value that is not an absolute folder
refuses every CSV (a mistake here must not open the server's files). Nothing here knows about
Textual.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from gdtui.engine.config import DATASETS

DATA_DIR = "GDTUI_DATA_DIR"


def inside(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """Whether `path`, links resolved, is `folder` or lies under it (links resolved too)."""
    try:
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))
    except (OSError, ValueError):  # (ValueError: a NUL in the path)
        return False


def refusal(dataset: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Why `dataset` (a generated set's name or a CSV path) may not be read here, in one line;
    None when it may (a generated set, no GDTUI_DATA_DIR, or a CSV inside it)."""
    folder = (os.environ if environ is None else environ).get(DATA_DIR)
    if folder is None or dataset in DATASETS:
        return None
    if not os.path.isabs(folder):
        return f"{dataset}: no CSV file may be read here ({DATA_DIR} is not an absolute folder)"
    if inside(dataset, folder):
        return None
    return f"{dataset}: CSV files are read only from {folder} here"
