"""`gdtui train` and `gdtui compare`: the lesson's log and report (or JSON), sessions saved and resumed."""

from __future__ import annotations

import json
import os
import sys

from gdtui.engine import TrainConfig, Trainer, create_trainer
from gdtui.engine.atomic import existing_mode, file_name, writable
from gdtui.engine.config import MAX_EPOCHS, ConfigError
from gdtui.engine.echo import show_name
from gdtui.engine.race import Race
from gdtui.describe import schedule as describe
from gdtui.engine.session import SessionError, load, save as save_session

LOG_EVERY = 5

STOP_WORDS = {
    "tol": "the loss fell below --tol",
    "patience": "no new best loss within --patience epochs",
    "diverged": "the next update was not finite, so the last finite weights were kept (try a smaller --alpha)",
}


def train(config: TrainConfig, as_json: bool = False, save: str | None = None, history_csv: str | None = None) -> int:
    """Train as `config` says and print the result; returns the exit status. `save` and
    `history_csv` name files to write the session and the history to when training ends."""
    check_outputs(save, history_csv, inputs=_inputs(config))
    trainer = create_trainer(config)
    if not as_json:
        _print_intro(trainer)
    return _finish(trainer, trainer.run(), as_json, save, history_csv)


def resume_train(path: str, changes: dict, epochs: int | None, as_json: bool = False, save: str | None = None,
                 history_csv: str | None = None) -> int:
    """Continue the session saved in `path`: `changes` to its settings first, then `epochs` more
    epochs, which become its epoch limit (None: up to the saved limit). A session stopped by tol,
    patience or a divergence stays stopped unless a change lets it go on."""
    check_outputs(save, history_csv)
    if history_csv is not None and os.path.realpath(history_csv) == os.path.realpath(path):
        raise SessionError(f"{show_name(history_csv)}: --history-csv would overwrite the session being resumed")
    trainer = load(path)
    if isinstance(trainer, Race):
        raise SessionError(f"{show_name(path)}: a race session; resume it with `gdtui compare --resume`")
    check_outputs(save, history_csv, inputs=_inputs(trainer.config))
    if epochs is not None and (changes or not trainer.diverged):  # configure() would clear the verdict
        changes = {**changes, "epochs": _new_limit(trainer.epoch, epochs)}
    if changes:
        trainer.configure(**changes)
    if not as_json:
        print(f"[INFO] resumed {path} at epoch {trainer.epoch}")
        _print_intro(trainer)
    reason = trainer.stop_reason
    if reason not in ("tol", "patience", "diverged"):
        reason = trainer.run(epochs)
    return _finish(trainer, reason, as_json, save, history_csv)


def _new_limit(epoch: int, more: int) -> int:
    """The epoch limit after `more` epochs from `epoch` (ConfigError past the largest allowed)."""
    if epoch + more > MAX_EPOCHS:
        raise ConfigError("epochs", f"at most {MAX_EPOCHS - epoch} more from epoch {epoch} (the limit is "
                          f"{MAX_EPOCHS} epochs)", more)
    return epoch + more


def check_outputs(*paths: str | None, inputs: tuple[str, ...] = ()) -> None:
    """Refuse, before any training, output paths that cannot or must not be written (SessionError):
    a name that can only be a directory, a missing directory, something else than a file, a file
    the user made read-only, two outputs that are one file, an output that is one of the `inputs`."""
    given = [p for p in paths if p is not None]
    for path in given:
        _check_output(path)
    real = [os.path.realpath(p) for p in given]
    if len(set(real)) < len(real):
        raise SessionError("--save and --history-csv name the same file")
    for path, where in zip(given, real):
        if any(os.path.realpath(source) == where for source in inputs):
            raise SessionError(f"{show_name(path)}: is a file this run reads; gdtui will not write over it")


def _inputs(config: TrainConfig) -> tuple[str, ...]:
    """The files a run reads (a CSV data set), which no output may replace."""
    return (config.dataset,) if config.is_csv else ()


def _check_output(path: str) -> None:
    shown = show_name(path)
    if not path:
        raise SessionError("an output file name must not be empty")
    try:
        where = os.path.realpath(file_name(path))
        mode = existing_mode(where)
    except IsADirectoryError as exc:
        raise SessionError(f"{shown}: {exc.strerror}") from None
    except FileNotFoundError:
        raise SessionError(f"{shown}: no such directory") from None
    except OSError as exc:
        words = exc.strerror or "not a regular file (a device or a pipe); gdtui writes only files"
        raise SessionError(f"{shown}: {words}") from None
    if mode is not None and not writable(where, mode):
        raise SessionError(f"{shown}: the file is read-only; gdtui does not replace a file you protected")
    parent = os.path.dirname(where)
    if not os.access(parent, os.W_OK):
        raise SessionError(f"{shown}: the directory {show_name(parent)} is not writable")


def _finish(trainer: Trainer, reason: str | None, as_json: bool, save: str | None, history_csv: str | None) -> int:
    """Write the requested files (before printing: a closed pipe must not lose them), then the result."""
    if save is not None:
        save_session(trainer, save)
    if history_csv is not None:
        from gdtui.engine.export import write_history_csv

        try:
            write_history_csv(trainer, history_csv)
        except OSError as exc:
            raise SessionError(f"{history_csv}: cannot write ({exc.strerror or exc})") from None
    if as_json:
        print(json.dumps(summary(trainer, reason)))
    else:
        _print_log(trainer, reason)
        if save is not None:
            print(f"[INFO] session saved to {save}")
        if history_csv is not None:
            print(f"[INFO] history written to {history_csv}")
    sys.stdout.flush()  # inside main's handlers, so that a closed pipe is met here, not at exit
    return 0


def _print_intro(trainer: Trainer) -> None:
    if trainer.config.is_csv:
        print(f"[INFO] labels: {trainer.data.label_mapping}")
    cfg = trainer.config
    if cfg.schedule != "constant":
        print(f"[INFO] alpha schedule: {describe(cfg.schedule, cfg.decay, cfg.decay_every)}")
    print("[INFO] training...")


def log_lines(losses, last_epoch_always: bool = False) -> list[str]:
    """The lesson's lines: epoch 1 and every 5th epoch, loss with 7 decimals."""
    epochs = [e for e in range(1, len(losses) + 1) if e == 1 or e % LOG_EVERY == 0]
    if last_epoch_always and losses.size and epochs[-1:] != [len(losses)]:
        epochs.append(len(losses))
    return [f"[INFO] epoch={e}, loss={losses[e - 1]:.7f}" for e in epochs]


def _print_log(trainer: Trainer, reason: str | None) -> None:
    early = reason in STOP_WORDS
    for line in log_lines(trainer.history.losses[1:], last_epoch_always=early):
        print(line)
    if early:
        print(f"[INFO] stopped after epoch {trainer.epoch}: {STOP_WORDS[reason]}")
    print("[INFO] evaluating...")
    print(_report(trainer))


def _report(trainer: Trainer) -> str:
    from gdtui.engine.evaluate import evaluate

    data = trainer.data
    return evaluate(data.y_test, trainer.predict(trainer.weights, "test"), data.shown_labels, "test",
                    trainer.epoch).report


def summary(trainer: Trainer, reason: str | None) -> dict:
    """The JSON document of a finished run."""
    w = trainer.weights
    return {
        "losses": trainer.history.losses[1:].tolist(),
        "alphas": trainer.history.alphas[1:].tolist(),
        "weights": w.tolist(),
        "train_accuracy": trainer.accuracy(w, "train"),
        "test_accuracy": trainer.accuracy(w, "test"),
        "epochs_run": trainer.epoch,
        "stop_reason": reason or "epochs",
        "labels": {trainer.data.labels[0]: 0, trainer.data.labels[1]: 1},
        "config": trainer.config.as_dict(),
    }


def compare(config: TrainConfig, rules_text: str, as_json: bool = False, save: str | None = None) -> int:
    """`gdtui compare`: race the rules in lock-step and print the table (or one JSON object per rule)."""
    from gdtui.engine import load_dataset
    from gdtui.engine.race import parse_rules

    rules = parse_rules(rules_text)  # before the data: a typo costs nothing
    check_outputs(save, inputs=_inputs(config))
    race = Race(load_dataset(config.validated()), config, rules)
    race.run()
    return _finish_race(race, as_json, save)


def resume_compare(path: str, changes: dict, epochs: int | None, as_json: bool = False,
                   save: str | None = None) -> int:
    """Continue the race saved in `path` (see `resume_train`); racers that stopped stay stopped
    unless a change lets them go on."""
    check_outputs(save)
    race = load(path)
    if not isinstance(race, Race):
        raise SessionError(f"{show_name(path)}: a training session, not a race; resume it with `gdtui train --resume`")
    check_outputs(save, inputs=_inputs(race.config))
    if changes:
        race.configure(**changes)
    if epochs is not None:  # the new epoch limit; a racer that diverged keeps its verdict
        limit = _new_limit(race.epoch, epochs)
        race.config = race.config.with_changes(epochs=limit)
        for trainer in race.trainers.values():
            if not trainer.diverged:
                trainer.configure(epochs=limit)
    if not as_json:
        print(f"[INFO] resumed {path} at epoch {race.epoch}")
    race.run(epochs)
    return _finish_race(race, as_json, save)


def _finish_race(race: Race, as_json: bool, save: str | None) -> int:
    if save is not None:
        save_session(race, save)
    if as_json:
        print(json.dumps([
            {"optimizer": s.rule, "losses": race.trainers[s.rule].history.losses[1:].tolist(),
             "weights": race.trainers[s.rule].weights.tolist(), "epochs_run": s.epoch, "loss": s.loss,
             "train_accuracy": s.train_accuracy, "test_accuracy": s.test_accuracy,
             "stop_reason": s.stop_reason or "epochs", "seed": race.config.seed}
            for s in race.standings()
        ]))
    else:
        print(f"[INFO] racing {', '.join(race.trainers)} from the same weights (seed {race.config.seed})")
        print(f"{'optimizer':<10} {'epochs':>7} {'loss':>14} {'train acc':>10} {'test acc':>9}  stopped by")
        for s in race.standings():
            print(f"{s.rule:<10} {s.epoch:>7} {s.loss:>14.7f} {100 * s.train_accuracy:>9.1f}% "
                  f"{100 * s.test_accuracy:>8.1f}%  {s.stop_reason or 'epochs'}")
        if save is not None:
            print(f"[INFO] race saved to {save}")
    sys.stdout.flush()
    return 0
