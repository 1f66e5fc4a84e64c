"""Command-line options shared by `gdtui serve` and `gdtui host`: their own flags, then every
training option of `gdtui`, which is checked once at start and passed on to each session."""

from __future__ import annotations

import argparse
import ipaddress
import os
from pathlib import Path
from typing import Callable, Sequence

from gdtui.cli import _add_training_options, _Parser, config_from_args, fail
from gdtui.data_dir import inside
from gdtui.engine.config import DATASETS, ConfigError
from gdtui.engine.data import DataError, load_dataset
from gdtui.ui import slots


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
        config = config_from_args(training)
    except ConfigError as exc:
        fail(exc.words(exc.flag))
    if args.data_dir is not None:
        args.data_dir = os.path.abspath(args.data_dir)
    csv = training.dataset if training.dataset not in DATASETS else None
    if csv is not None:
        if args.data_dir is None:
            fail(f"--dataset {csv} needs --data-dir DIR: the folder the sessions may read CSVs from")
        if not inside(csv, args.data_dir):
            fail(f"--dataset {csv} is outside --data-dir {args.data_dir}: sessions may read CSVs only from there")
        try:  # (a file every session would refuse is refused once, here)
            load_dataset(config)
        except DataError as exc:
            fail(str(exc))
        rest = _absolute_dataset(rest)
    return args, rest


def _absolute_dataset(argv: list[str]) -> list[str]:
    """`argv` with the --dataset path made absolute (each session runs in a folder of its own)."""
    out, after_flag = [], False
    for item in argv:
        if after_flag:
            item, after_flag = os.path.abspath(item), False
        elif item == "--dataset":
            after_flag = True
        elif item.startswith("--dataset="):
            item = "--dataset=" + os.path.abspath(item.split("=", 1)[1])
        out.append(item)
    return out


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="the only folder from which a session may read a CSV, --dataset's included "
                             "(default: none but the session's own folder)")


def state_root(kind: str) -> Path:
    """`$XDG_STATE_HOME/gdtui/<kind>`: next to the slots of a plain `gdtui` (`gdtui.ui.slots`)."""
    return slots.state_dir() / kind


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

