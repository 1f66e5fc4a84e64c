"""The keys that change one setting of the solo run (Textual-free): each picks the next value of
its setting, changes it through the session (which forks first when rewound and refuses a bad
value) and says what changed in one line."""

from __future__ import annotations

from gdtui.describe import schedule as schedule_words
from gdtui.engine.config import DATASETS, OPTIMIZERS
from gdtui.engine.schedules import SCHEDULES

MOMENTUM_CHOICES = (0.5, 0.9, 0.99)
SHOWN_LOSSES = ("sse", "bce")
"""The losses the TUI draws (the lesson's one-unit model); `gdtui train` trains every other one."""
BATCH_CHOICES = (None, 256, 64, 32, 8, 1)


def _after(choices: tuple, current) -> object:
    """The choice after `current` (the first if it is not one of them)."""
    return choices[(choices.index(current) + 1) % len(choices)] if current in choices else choices[0]


class Settings:
    """The setting keys of one `SoloSession`."""

    def __init__(self, session) -> None:
        self.session = session

    @property
    def config(self):
        return self.session.trainer.config

    def _said(self, note: str, said: str) -> str:
        """The session's note on a change (a fork), then what changed; a refusal alone."""
        if note.startswith("refused"):
            return note
        return f"{note}; {said}" if note else said

    def scale_alpha(self, factor: float) -> str:
        return self.session.configure(alpha=self.config.alpha * factor)

    def cycle_optimizer(self) -> str:
        return self.session.configure(optimizer=_after(OPTIMIZERS, self.config.optimizer))

    def cycle_loss(self) -> str:
        note = self.session.configure(loss=_after(SHOWN_LOSSES, self.config.loss))
        said = f"loss {self.config.loss} from the next update on"
        if self.session.trainer.epoch:
            said += f"; the curve's first {self.session.trainer.epoch} epochs stay in the units of the loss they ran with"
        return self._said(note, said)

    def cycle_schedule(self) -> str:
        note = self.session.configure(schedule=_after(SCHEDULES, self.config.schedule), decay=None)
        cfg = self.config
        return self._said(note, f"schedule {schedule_words(cfg.schedule, cfg.decay, cfg.decay_every)}, counted from "
                                f"epoch 0: alpha in force {self.session.trainer.alpha_now:.4g} (base {cfg.alpha:g})")

    def cycle_momentum(self) -> str:
        later = [m for m in MOMENTUM_CHOICES if m > self.config.momentum]
        note = self.session.configure(momentum=later[0] if later else MOMENTUM_CHOICES[0])
        used = "" if self.config.optimizer in ("momentum", "nesterov") else " (used by momentum and nesterov: o picks them)"
        return self._said(note, f"momentum coefficient μ = {self.config.momentum:g}{used}")

    def cycle_batch(self) -> str:
        note = self.session.configure(batch_size=_after(BATCH_CHOICES, self.config.batch_size))
        size, trainer = self.config.batch_size, self.session.trainer
        said = f"batch size {'full' if size is None else size}"
        if trainer.batch:
            said += (f" from the next epoch (this one goes on with its {trainer.batches_per_epoch} batches); the curve "
                     "shows each epoch's mean batch loss, which changes scale with B")
        return self._said(note, said)

    def cycle_dataset(self) -> str:
        problem = self.session.load_data(dataset=_after(DATASETS, self.config.dataset), noise=None)
        return f"refused: {problem}" if problem else ""
