"""The keys that change one setting of the solo run (Textual-free): each picks the next value of
its setting, changes it through the session (which forks first when rewound and refuses a bad
value) and says what changed in one line."""

from __future__ import annotations

from gdtui.describe import schedule as schedule_words
from gdtui.engine.config import DATASETS, OPTIMIZERS
from gdtui.engine.schedules import SCHEDULES

from .choices import after, said
from .model_settings import ModelSettings

MOMENTUM_CHOICES = (0.5, 0.9, 0.99)
BATCH_CHOICES = (None, 256, 64, 32, 8, 1)


class Settings:
    """The setting keys of one `SoloSession`."""

    def __init__(self, session) -> None:
        self.session = session
        self.model = ModelSettings(session)
        """The keys that change the model (`gdtui.ui.model_settings`)."""

    @property
    def config(self):
        return self.session.trainer.config

    def scale_alpha(self, factor: float) -> str:
        return self.session.configure(alpha=self.config.alpha * factor)

    def cycle_optimizer(self) -> str:
        return self.session.configure(optimizer=after(OPTIMIZERS, self.config.optimizer))

    def cycle_schedule(self) -> str:
        note = self.session.configure(schedule=after(SCHEDULES, self.config.schedule), decay=None)
        cfg = self.config
        return said(note, f"schedule {schedule_words(cfg.schedule, cfg.decay, cfg.decay_every)}, counted from "
                                f"epoch 0: alpha in force {self.session.trainer.alpha_now:.4g} (base {cfg.alpha:g})")

    def cycle_momentum(self) -> str:
        later = [m for m in MOMENTUM_CHOICES if m > self.config.momentum]
        note = self.session.configure(momentum=later[0] if later else MOMENTUM_CHOICES[0])
        used = "" if self.config.optimizer in ("momentum", "nesterov") else " (used by momentum and nesterov: o picks them)"
        return said(note, f"momentum coefficient μ = {self.config.momentum:g}{used}")

    def cycle_batch(self) -> str:
        note = self.session.configure(batch_size=after(BATCH_CHOICES, self.config.batch_size))
        size, trainer = self.config.batch_size, self.session.trainer
        words = f"batch size {'full' if size is None else size}"
        if trainer.batch:
            words += (f" from the next epoch (this one goes on with its {trainer.batches_per_epoch} batches); the curve "
                     "shows each epoch's mean batch loss, which changes scale with B")
        return said(note, words)

    def cycle_dataset(self) -> str:
        dataset, before = after(DATASETS, self.config.dataset), self.config.classes
        classes = before if dataset == "blobs" else 2  # (moons and circles have two)
        problem = self.session.load_data(dataset=dataset, noise=None, classes=classes)
        if problem:
            return f"refused: {problem}"
        return f"{dataset} has two classes (the run before had {before})" if classes != before else ""
