"""`gdtui train` and `gdtui compare`: the lesson's log and report (or JSON), sessions saved and resumed."""

from __future__ import annotations

import json
import os
import sys

from gdtui import progress
from gdtui.describe import log_loss, schedule as describe
from gdtui.engine import TrainConfig, Trainer, create_trainer
from gdtui.engine.config import MAX_EPOCHS, ConfigError
from gdtui.engine.echo import show_name
from gdtui.engine.race import Race
from gdtui.engine.session import SessionError, load
from gdtui.outputs import check_outputs, inputs_of, write_outputs

LOG_EVERY = 5

STOP_WORDS = {
    "tol": "the loss fell below --tol",
    "patience": "no new best loss within --patience epochs",
    "diverged": "the next update was not finite, so the last finite weights were kept (try a smaller --alpha)",
}


def train(config: TrainConfig, as_json: bool = False, save: str | None = None, history_csv: str | None = None) -> int:
    """Train as `config` says and print the result; returns the exit status. `save` and
    `history_csv` name files to write the session and the history to when training ends."""
    check_outputs(save, history_csv, inputs=inputs_of(config))
    trainer = create_trainer(config)
    if not as_json:
        _print_intro(trainer, drawn_seed=config.seed is None)
    return _finish(trainer, _run(trainer, None, as_json), as_json, save, history_csv)


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
    check_outputs(save, history_csv, inputs=inputs_of(trainer.config))
    if epochs is not None and (changes or not trainer.diverged):  # configure() would clear the verdict
        changes = {**changes, "epochs": _new_limit(trainer.epoch, epochs)}
    if changes:
        trainer.configure(**changes)
    if not as_json:
        print(f"[INFO] resumed {show_name(path, None)} at epoch {trainer.epoch}")
        _print_intro(trainer)
    reason, start = trainer.stop_reason, trainer.epoch
    if reason not in progress.STOPS:
        reason = _run(trainer, epochs, as_json)
    return _finish(trainer, reason, as_json, save, history_csv, resumed_at=start)


def _run(trainer: Trainer, epochs: int | None, as_json: bool) -> str | None:
    """`trainer.run(epochs)`, in chunks under a progress bar on stderr when it should show one."""
    if not progress.wanted(as_json):
        return trainer.run(epochs)
    target = trainer.config.epochs if epochs is None else trainer.epoch + epochs
    with progress.Bar(trainer.epoch, target) as bar:
        return progress.in_chunks(trainer.run, lambda: trainer.epoch, target,
                                  lambda: bar.update(trainer.epoch, float(trainer.history.losses[-1])))


def _new_limit(epoch: int, more: int) -> int:
    """The epoch limit after `more` epochs from `epoch` (ConfigError past the largest allowed)."""
    if epoch + more > MAX_EPOCHS:
        raise ConfigError("epochs", f"at most {MAX_EPOCHS - epoch} more from epoch {epoch} (the limit is "
                          f"{MAX_EPOCHS} epochs)", more)
    return epoch + more


def _finish(trainer: Trainer, reason: str | None, as_json: bool, save: str | None, history_csv: str | None,
            resumed_at: int | None = None) -> int:
    """Write the requested files (before printing: a closed pipe must not lose them), then print
    the result, whether or not they could be written; a file that could not ends in SessionError."""
    failed = write_outputs(trainer, save, history_csv)
    if as_json:
        print(json.dumps(summary(trainer, reason)))
    else:
        _print_log(trainer, reason, resumed_at)
        if save is not None and "save" not in failed:
            print(f"[INFO] session saved to {show_name(save, None)}")
        if history_csv is not None and "history_csv" not in failed:
            print(f"[INFO] history written to {show_name(history_csv, None)}")
    sys.stdout.flush()  # inside main's handlers, so that a closed pipe is met here, not at exit
    if failed:
        raise SessionError("; ".join(failed.values()))
    return 0


def _print_intro(trainer: Trainer, drawn_seed: bool = False) -> None:
    if trainer.config.is_csv:
        print(f"[INFO] labels: {trainer.data.label_mapping}")
    cfg = trainer.config
    if drawn_seed:
        print(f"[INFO] seed {cfg.seed} (drawn; --seed {cfg.seed} repeats this run)")
    if cfg.schedule != "constant":
        print(f"[INFO] alpha schedule: {describe(cfg.schedule, cfg.decay, cfg.decay_every)}")
    print("[INFO] training...")


def log_lines(losses, last_epoch_always: bool = False, start: int = 0) -> list[str]:
    """The lesson's lines for the epochs after `start` (epoch e's loss is `losses[e - 1]`): the
    first of them (epoch 1 in a fresh run) and every 5th epoch, the loss with 7 decimals
    (`log_loss`); with `last_epoch_always`, the last epoch too."""
    end = len(losses)
    epochs = [e for e in range(start + 1, end + 1) if e == start + 1 or e % LOG_EVERY == 0]
    if last_epoch_always and end > start and epochs[-1:] != [end]:
        epochs.append(end)
    return [f"[INFO] epoch={e}, loss={log_loss(losses[e - 1])}" for e in epochs]


def _print_log(trainer: Trainer, reason: str | None, resumed_at: int | None = None) -> None:
    """The log of the epochs this run trained (a resumed run: from where it resumed, to its last)."""
    early = reason in STOP_WORDS
    start = resumed_at or 0
    for line in log_lines(trainer.history.losses[1:], last_epoch_always=early or resumed_at is not None,
                          start=start):
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
    out = {
        "losses": trainer.history.losses[1:].tolist(),
        "alphas": trainer.history.alphas[1:].tolist(),
        "weights": w.tolist(),
        "train_accuracy": trainer.accuracy(w, "train"),
        "test_accuracy": trainer.accuracy(w, "test"),
        "epochs_run": trainer.epoch,
        "stop_reason": reason or "epochs",
        "labels": {label: k for k, label in enumerate(trainer.data.labels)},
        "config": trainer.config.as_dict(),
    }
    if trainer.config.penalty != "none":  # (measured as the losses are: before each update, mean over batches)
        out = {"losses": out.pop("losses"), "penalties": trainer.history.penalties[1:].tolist(), **out}
    return out


def compare(config: TrainConfig, rules_text: str, as_json: bool = False, save: str | None = None) -> int:
    """`gdtui compare`: race the rules in lock-step and print the table (or one JSON object per rule)."""
    from gdtui.engine import load_dataset
    from gdtui.engine.race import parse_rules

    rules = parse_rules(rules_text)  # before the data: a typo costs nothing
    check_outputs(save, inputs=inputs_of(config))
    race = Race(load_dataset(config.validated()), config, rules)
    _run_race(race, None, as_json)
    return _finish_race(race, as_json, save)


def resume_compare(path: str, changes: dict, epochs: int | None, as_json: bool = False,
                   save: str | None = None) -> int:
    """Continue the race saved in `path` (see `resume_train`); racers that stopped stay stopped
    unless a change lets them go on."""
    check_outputs(save)
    race = load(path)
    if not isinstance(race, Race):
        raise SessionError(f"{show_name(path)}: a training session, not a race; resume it with `gdtui train --resume`")
    check_outputs(save, inputs=inputs_of(race.config))
    if changes:
        race.configure(**changes)
    if epochs is not None:  # the new epoch limit; a racer that diverged keeps its verdict
        limit = _new_limit(race.epoch, epochs)
        race.config = race.config.with_changes(epochs=limit)
        for trainer in race.trainers.values():
            if not trainer.diverged:
                trainer.configure(epochs=limit)
    if not as_json:
        print(f"[INFO] resumed {show_name(path, None)} at epoch {race.epoch}")
    _run_race(race, epochs, as_json)
    return _finish_race(race, as_json, save)


def _run_race(race: Race, epochs: int | None, as_json: bool) -> None:
    """`race.run(epochs)`, in chunks under a progress bar (showing the lowest loss) when it should show one."""
    if not progress.wanted(as_json):
        race.run(epochs)
        return
    target = race.config.epochs if epochs is None else race.epoch + epochs
    with progress.Bar(race.epoch, target) as bar:
        progress.in_chunks(race.run, lambda: race.epoch, target,
                           lambda: bar.update(race.epoch, min(float(race.losses(rule)[-1]) for rule in race.rules)))


def _finish_race(race: Race, as_json: bool, save: str | None) -> int:
    """As `_finish`, for a race: the file first, then the table (or JSON), then any failure."""
    failed = write_outputs(race, save)
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
            print(f"{s.rule:<10} {s.epoch:>7} {log_loss(s.loss):>14} {100 * s.train_accuracy:>9.1f}% "
                  f"{100 * s.test_accuracy:>8.1f}%  {s.stop_reason or 'epochs'}")
        if save is not None and not failed:
            print(f"[INFO] race saved to {show_name(save, None)}")
    sys.stdout.flush()
    if failed:
        raise SessionError("; ".join(failed.values()))
    return 0
