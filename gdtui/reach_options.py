"""Command-line options shared by `gdtui serve` and `gdtui host`: their own flags, then every
training option of `gdtui`, which is checked once at start and passed on to each session."""

from __future__ import annotations

import argparse
import ipaddress
import os
from pathlib import Path
from typing import Callable, Sequence

from gdtui.cli import _add_training_options, _Parser, config_from_args, fail
from gdtui.engine.config import ConfigError
from gdtui.engine.session import autosave_path


def parse(prog: str, description: str, add_own: Callable[[argparse.ArgumentParser], None],
          argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """`argv` -> (the command's own options, the training options as given, for the sessions).

    The training options are validated here, so a bad value stops the command with one line
    instead of failing in every session."""
    full = _Parser(prog=prog, description=description, allow_abbrev=False,
                   epilog="Every training option is passed on to each session's gdtui.")
    add_own(full)
    _add_training_options(full)
    training = full.parse_args(argv)
    own = _Parser(prog=prog, allow_abbrev=False, add_help=False)
    add_own(own)
    args, rest = own.parse_known_args(argv)
    try:
        config_from_args(training)
    except ConfigError as exc:
        fail(str(exc))
    csv = training.dataset if training.dataset not in ("blobs", "moons", "circles") else None
    data_dir = getattr(args, "data_dir", None)
    if csv is not None and data_dir is not None and not _inside(Path(csv), Path(data_dir)):
        fail(f"--dataset {csv} is outside --data-dir {data_dir}: sessions may read CSVs only from there")
    return args, rest


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="the only folder from which a session may read a CSV (default: none but the "
                             "session's own folder)")


def state_root(kind: str) -> Path:
    """`$XDG_STATE_HOME/gdtui/<kind>` (the folder next to the autosave of a plain `gdtui`)."""
    return autosave_path().parent / kind


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    try:
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))
    except OSError:
        return False
