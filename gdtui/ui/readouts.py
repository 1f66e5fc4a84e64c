"""What the instruments read at the weights shown (Textual-free): the gradient check, and the
evaluation report, which is made again only when the weights shown change (a redraw per frame must
not run scikit-learn per frame)."""

from __future__ import annotations

import numpy as np

from gdtui.engine import Trainer
from gdtui.engine.evaluate import Evaluation, evaluate
from gdtui.engine.gradcheck import GradientCheck, gradient_check


def gradient_check_at(trainer: Trainer, weights: np.ndarray) -> GradientCheck:
    """The analytic gradient of the training loss (plus the penalty, if one is set) at `weights`
    against a finite difference."""
    data, cfg = trainer.data, trainer.config
    return gradient_check(trainer.loss, data.X_train, data.y_train, weights, penalty=cfg.penalty, lam=cfg.lam)


class Evaluations:
    """The last evaluation report, kept for the trainer, split, epoch and weights it was made for."""

    def __init__(self) -> None:
        self._kept: tuple[Trainer, tuple, Evaluation] | None = None
        """(the trainer, what else the report was made for, the report); the trainer itself is
        kept, not its id, which a later trainer could reuse once this one is gone."""

    def report(self, trainer: Trainer, split: str, epoch: int, weights: np.ndarray) -> Evaluation:
        key = (split, epoch, weights.tobytes())
        if self._kept is None or self._kept[0] is not trainer or self._kept[1] != key:
            y = trainer.data.y_train if split == "train" else trainer.data.y_test
            report = evaluate(y, trainer.predict(weights, split), trainer.data.labels, split, epoch)
            self._kept = (trainer, key, report)
        return self._kept[2]
