"""`gdtui train`: the lesson's log and classification report, or one JSON object."""

from __future__ import annotations

import json
import sys

from gdtui.engine import TrainConfig, Trainer, create_trainer

LOG_EVERY = 5

STOP_WORDS = {
    "tol": "the loss fell below --tol",
    "patience": "no new best loss within --patience epochs",
    "diverged": "the next update was not finite, so the last finite weights were kept (try a smaller --alpha)",
}


def train(config: TrainConfig, as_json: bool = False) -> int:
    """Train as `config` says and print the result; returns the exit status."""
    trainer = create_trainer(config)
    if not as_json:
        if trainer.config.is_csv:
            print(f"[INFO] labels: {trainer.data.label_mapping}")
        if trainer.config.schedule != "constant":
            print(f"[INFO] alpha schedule: {trainer.snapshot().schedule}")
        print("[INFO] training...")
    reason = trainer.run()
    if as_json:
        print(json.dumps(summary(trainer, reason)))
    else:
        _print_log(trainer, reason)
    sys.stdout.flush()  # inside main's handlers, so that a closed pipe is met here, not at exit
    return 0


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
    return evaluate(data.y_test, trainer.predict(trainer.weights, "test"), data.labels, "test", trainer.epoch).report


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


def compare(config: TrainConfig, rules_text: str, as_json: bool = False) -> int:
    """`gdtui compare`: race the rules in lock-step and print the table (or one JSON object per rule)."""
    from gdtui.engine import load_dataset
    from gdtui.engine.race import Race, parse_rules

    rules = parse_rules(rules_text)  # before the data: a typo costs nothing
    race = Race(load_dataset(config.validated()), config, rules)
    race.run()
    if as_json:
        print(json.dumps([
            {"optimizer": s.rule, "losses": race.trainers[s.rule].history.losses[1:].tolist(),
             "weights": race.trainers[s.rule].weights.tolist(), "epochs_run": s.epoch, "loss": s.loss,
             "train_accuracy": s.train_accuracy, "test_accuracy": s.test_accuracy,
             "stop_reason": s.stop_reason or "epochs"}
            for s in race.standings()
        ]))
    else:
        print(f"[INFO] racing {', '.join(race.trainers)} from the same weights (seed {race.config.seed})")
        print(f"{'optimizer':<10} {'epochs':>7} {'loss':>14} {'train acc':>10} {'test acc':>9}  stopped by")
        for s in race.standings():
            print(f"{s.rule:<10} {s.epoch:>7} {s.loss:>14.7f} {100 * s.train_accuracy:>9.1f}% "
                  f"{100 * s.test_accuracy:>8.1f}%  {s.stop_reason or 'epochs'}")
    sys.stdout.flush()
    return 0
