"""Command line: `gdtui [options]` opens the stepping TUI, `gdtui train [options]` trains headless.

Both parse the same options into one `TrainConfig` and build the trainer with the same factory.
Any bad input ends in one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import fields
from typing import Callable, NoReturn, Sequence

from gdtui import __version__
from gdtui.engine.config import (DATA_FIELDS, FEATURES, LOSSES, OPTIMIZERS, PENALTIES, ConfigError, TrainConfig,
                                 allowed_values, parse_features)
from gdtui.engine.data import DataError
from gdtui.engine.echo import LIMIT, one_line, parse_float, parse_int, show
from gdtui.engine.session import SessionError
from gdtui.engine.schedules import SCHEDULES

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but every error is one line and exit status 2, quoting values short (see `fail`)."""

    def error(self, message: str) -> NoReturn:
        fail(one_line(message, word_limit=LIMIT))  # (argparse quotes values whole)

    def parse_args(self, args=None, namespace=None):  # (argparse's message would list every extra whole)
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            fail(f"unrecognized argument{'s' if len(extra) > 1 else ''}: {', '.join(show(a) for a in extra[:3])}"
                 + (f" and {len(extra) - 3} more" if len(extra) > 3 else ""))
        return parsed


def fail(message: str) -> NoReturn:
    """Exit with status 2 and `message` as one line on stderr, escaped and bounded (`echo.one_line`)."""
    print(f"gdtui: error: {one_line(message)}", file=sys.stderr)
    raise SystemExit(USAGE_ERROR)


def _number(name: str, kind: Callable[[str], object]) -> Callable[[str], object]:
    def parse(text: str) -> object:
        try:
            return kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {allowed_values(name)} (got {show(text)})") from None
    return parse


def _choice(name: str, options: Sequence[str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise argparse.ArgumentTypeError(f"must be {allowed_values(name)} (got {show(text)})")
        return text
    return parse


def _weights(text: str) -> tuple[float, ...]:
    parts = text.split(",")
    try:
        values = tuple(parse_float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a comma list of numbers (got {show(text)})") from None
    return values  # their count, range and finiteness are checked with the rest of the config


def _features(text: str) -> tuple[str, ...]:
    try:
        return parse_features(text)
    except ConfigError:
        raise argparse.ArgumentTypeError(f"must be {allowed_values('features')} (got {show(text)})") from None


def _braces(options: Sequence[str]) -> str:
    return "{" + ",".join(options) + "}"


def _add_training_options(parser: argparse.ArgumentParser, for_compare: bool = False) -> None:
    """The options of a run; compare parses --optimizer only to refuse it, so its help leaves it out."""
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", default="blobs", metavar="blobs|moons|circles|PATH.csv",
                      help="generated data, or a CSV of x1,x2,label rows (one header line allowed) (default: blobs)")
    data.add_argument("--samples", type=_number("samples", parse_int), default=1000,
                      help="rows generated before the split (default: 1000)")
    data.add_argument("--noise", "--cluster-std", dest="noise", type=_number("noise", parse_float), default=None,
                      help="blobs: cluster std (default 1.5); moons: noise (0.2); circles: noise (0.1)")
    data.add_argument("--data-seed", type=_number("data_seed", parse_int), default=1,
                      help="seed of the data generator (default: 1, the lesson's)")
    data.add_argument("--test-size", type=_number("test_size", parse_float), default=0.5,
                      help="fraction held out for testing (default: 0.5)")
    train = parser.add_argument_group("training")
    data.add_argument("--classes", type=_number("classes", parse_int), default=2,
                      help="blobs: the number of clusters K, 2 to 6 (a CSV's distinct labels give it) (default: 2)")
    model = parser.add_argument_group("model")
    model.add_argument("--features", type=_features, default=("x1", "x2"), metavar="F,F,...",
                       help="the columns after the bias, in this order, from " + ",".join(FEATURES)
                            + " (default: x1,x2, the lesson's model)")
    model.add_argument("--standardize", action="store_true",
                       help="scale each feature column to mean 0, std 1 with the training split's statistics")
    model.add_argument("--penalty", type=_choice("penalty", PENALTIES), default="none", metavar=_braces(PENALTIES),
                       help="l2: lam/2·Σw², l1: lam·Σ|w|, never on the bias weights (default: none)")
    model.add_argument("--lam", type=_number("lam", parse_float), default=0.0,
                       help="the penalty's strength λ >= 0 (default: 0)")
    train.add_argument("--loss", type=_choice("loss", LOSSES), default="sse", metavar=_braces(LOSSES),
                       help="sse: the lesson's sum of squared errors, stepping along the gradient of ½·SSE; "
                            "bce: summed binary cross-entropy; hinge: Σmax(0, 1 − t·z), t = ±1; "
                            "softmax: summed cross-entropy over K classes; svm: multi-class hinge, margin 1 "
                            "(softmax and svm keep one weight row per class) (default: sse)")
    train.add_argument("--optimizer", type=_choice("optimizer", OPTIMIZERS), default="gd",
                       metavar=_braces(OPTIMIZERS), help=argparse.SUPPRESS if for_compare else
                       "update rule, as torch.optim defines it (default: gd)")
    train.add_argument("--alpha", type=_number("alpha", parse_float), default=0.01,
                       help="learning rate (default: 0.01)")
    train.add_argument("--schedule", type=_choice("schedule", SCHEDULES), default="constant",
                       metavar=_braces(SCHEDULES),
                       help="how alpha changes per epoch t (from 0): step: alpha*decay^floor(t/decay-every), "
                            "exp: alpha*decay^t, inv: alpha/(1+decay*t) (default: constant)")
    train.add_argument("--decay", type=_number("decay", parse_float), default=None,
                       help="the schedule's decay factor in (0, 1] (default: step 0.5, exp 0.95, inv 0.1)")
    train.add_argument("--decay-every", type=_number("decay_every", parse_int), default=10,
                       help="epochs between two decays of the step schedule (default: 10)")
    train.add_argument("--momentum", type=_number("momentum", parse_float), default=0.9,
                       help="momentum for momentum/nesterov (default: 0.9)")
    train.add_argument("--batch-size", type=_number("batch_size", parse_int), default=None,
                       help="rows per update (default: all rows, i.e. vanilla full-batch GD)")
    train.add_argument("--shuffle", action="store_true", help="shuffle the rows before every epoch")
    train.add_argument("--seed", type=_number("seed", parse_int), default=None,
                       help="seed of the initial weights and the shuffling (default: drawn and reported)")
    train.add_argument("--init-weights", type=_weights, default=None, metavar="W0,W1,W2",
                       help="exact initial weights, bias first, one per column (softmax, svm: K rows, row by row); "
                            "use the = form for negatives: --init-weights=-1,2,3")
    stop = parser.add_argument_group("stopping")
    stop.add_argument("--epochs", type=_number("epochs", parse_int), default=100, help="maximum epochs (default: 100)")
    stop.add_argument("--tol", type=_number("tol", parse_float), default=None,
                      help="stop once the epoch loss is below this")
    stop.add_argument("--patience", type=_number("patience", parse_int), default=None,
                      help="stop after this many epochs without a new best loss")


def _app_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gdtui", description="Watch gradient descent train a sigmoid unit, one key at a time. "
                     "`gdtui train --help` lists the headless trainer.",
                     epilog="subcommands: `gdtui train [options] [--json]` trains headless and prints the lesson's "
                            "log; `gdtui compare --optimizers gd,adam [options] [--json]` races update rules; "
                            "`gdtui serve` serves the TUI to web browsers; `gdtui host` hosts it over SSH; "
                            "`gdtui lesson` opens the guided lesson")
    parser.add_argument("--version", action="version", version=f"gdtui {__version__}")
    _add_training_options(parser)
    parser.add_argument("--resume", nargs="?", const="", default=None, metavar="PATH",
                        help="reopen a saved session at its epoch (default: the one kept when gdtui last quit); "
                             "hyperparameters given explicitly replace the saved ones")
    parser.add_argument("--list", action="store_true",
                        help="with --resume: list the kept sessions, newest first (--resume PATH opens another)")
    return parser


def _train_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gdtui train", description="Train headless and print the lesson's log and report.")
    _add_training_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the log")
    _add_session_options(parser, history_csv=True)
    return parser


def _compare_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gdtui compare", description="Race several update rules from the same initial "
                     "weights on the same data, in lock-step, and print a table.")
    _add_training_options(parser, for_compare=True)
    parser.add_argument("--optimizers", default="gd,momentum,nesterov,adam", metavar="RULE,RULE,...",
                        help="the rules to race (default: gd,momentum,nesterov,adam)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per rule instead of the table")
    _add_session_options(parser, history_csv=False)
    return parser


def _add_session_options(parser: argparse.ArgumentParser, history_csv: bool) -> None:
    session = parser.add_argument_group("session")
    session.add_argument("--save", metavar="PATH", default=None,
                         help="when training ends, write the whole session (settings, weights, optimizer state, "
                              "RNG, history) to PATH as JSON, atomically")
    session.add_argument("--resume", metavar="PATH", default=None,
                         help="continue the session saved in PATH: --epochs M then adds M epochs (default: up to "
                              "the saved --epochs); hyperparameters given explicitly replace the saved ones; "
                              "data, seed and initial-weight options are refused")
    if history_csv:
        session.add_argument("--history-csv", metavar="PATH", default=None,
                             help="write the history to PATH, one row per epoch: "
                                  "epoch,loss,w0,w1,w2,alpha,train_accuracy,test_accuracy (one column per "
                                  "weight: w0..w{d-1}, or w{k}_{j} for class k; penalty after loss when set)")


def _given_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> set[str]:
    """The destinations of the options `argv` gives explicitly (a default is not a choice)."""
    for action in parser._actions:  # argparse offers no public way to tell a default from a choice
        action.default = argparse.SUPPRESS
    return set(vars(parser.parse_args(argv)))


def _resume(command: str, argv: Sequence[str], args: argparse.Namespace) -> int:
    """`gdtui [train|compare] --resume PATH [...]`: the saved session, its settings changed only where asked."""
    given = _given_options(SUBCOMMANDS[command]() if command else _app_parser(), argv)
    fixed = [name for name in DATA_FIELDS if name in given]  # (they fixed the session's data and start)
    if fixed:
        fail(f"--{fixed[0].replace('_', '-')} cannot be used with --resume: "
             "the session keeps its data, seed and initial weights")
    if command == "compare" and {"optimizers", "optimizer"} & given:
        flag = "--optimizers" if "optimizers" in given else "--optimizer"
        fail(f"{flag} cannot be used with --resume: the race keeps its rules")
    config_from_args(args)  # every value given is in range
    names = {field.name for field in fields(TrainConfig)}
    changes = {name: getattr(args, name) for name in sorted(given & names) if name != "epochs"}
    epochs = args.epochs if "epochs" in given else None
    if command is None:
        from gdtui.ui.app import resume_app
        return resume_app(args.resume or None, {**changes, **({"epochs": epochs} if epochs else {})})
    if command == "train":
        from gdtui.headless import resume_train
        return resume_train(args.resume, changes, epochs, as_json=args.json, save=args.save,
                            history_csv=args.history_csv)
    from gdtui.headless import resume_compare
    return resume_compare(args.resume, changes, epochs, as_json=args.json, save=args.save)


def _list_kept(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """`gdtui --resume --list`: the kept sessions, one line each."""
    if args.resume != "" or set(_given_options(_app_parser(), argv)) - {"resume", "list"}:
        fail("--list goes with a bare --resume and nothing else: gdtui --resume --list")
    from gdtui.ui.sessions import kept_lines
    print("\n".join(kept_lines()))
    return 0


SUBCOMMANDS = {"train": _train_parser, "compare": _compare_parser}


def _lesson(argv: Sequence[str]) -> int:
    """`gdtui lesson`: the guided lesson, at the step reached last time. Each step prepares its own
    run, so it takes no options."""
    parser = _Parser(prog="gdtui lesson", description="The guided lesson: eleven short steps through gradient "
                     "descent, each with a prepared run and the key to press; it comes back to the step reached. "
                     "It takes no options.")
    _, extra = parser.parse_known_args(argv)
    if extra:
        fail(f"gdtui lesson takes no options (got {show(extra[0])}): each step prepares its own run")
    from gdtui.ui.app import run_lesson
    return run_lesson()


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """Parsed options -> a validated config (ConfigError on a value out of range)."""
    return TrainConfig(**{field.name: getattr(args, field.name) for field in fields(TrainConfig)}).validated()


REACH_COMMANDS = ("serve", "host")
"""`gdtui serve` (browsers, gdtui.serve) and `gdtui host` (SSH, gdtui.host) parse their own options."""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in REACH_COMMANDS:
        from importlib import import_module
        try:
            command = import_module(f"gdtui.{argv[0]}")
        except ModuleNotFoundError as exc:
            package = {"textual_serve": "textual-serve"}.get(exc.name, exc.name)
            fail(f"gdtui {argv[0]} needs {package} (one of gdtui's dependencies): pip install {package}")
        return command.main(argv[1:])
    if argv and argv[0] == "lesson":
        return _lesson(argv[1:])
    command = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    parser = SUBCOMMANDS[command]() if command else _app_parser()
    args = parser.parse_args(argv[1:] if command else argv)
    try:
        if getattr(args, "list", False):
            return _list_kept(args, argv)
        if args.resume is not None:
            return _resume(command, argv[1:] if command else argv, args)
        config = config_from_args(args)
        if command == "train":
            from gdtui.headless import train
            return train(config, as_json=args.json, save=args.save, history_csv=args.history_csv)
        if command == "compare":
            if "optimizer" in _given_options(_compare_parser(), argv[1:]):
                fail("--optimizer does not apply to compare: --optimizers names the rules to race")
            from gdtui.headless import compare
            return compare(config, args.optimizers, as_json=args.json, save=args.save)
        from gdtui.ui.app import run_app
        return run_app(config)
    except ConfigError as exc:
        fail(exc.words(exc.flag))
    except (DataError, SessionError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `gdtui train | head`: the reader left, which is not an error
        sys.stdout = open(os.devnull, "w")
        return 0
