"""The keys that change the model of the solo run (Textual-free): its features, standardization,
penalty and λ, the number of classes, and the loss when it changes the weights' shape.

A change that keeps the shape of W (the penalty, λ, a loss of the same shape) applies from the
next update on; one that changes it (features, classes, standardization, binary <-> K classes)
starts a new run from the same seed on the same data, and `u` brings the old run back.
"""

from __future__ import annotations

from gdtui.describe import PENALTY_FORMULAS, column_names
from gdtui.engine.config import BINARY_LOSSES, CLASS_LOSSES, LOSSES, MAX_CLASSES

from .choices import after, said

FEATURE_PRESETS = (
    ("x1", "x2"),
    ("x1", "x2", "x1^2", "x2^2"),
    ("x1", "x2", "x1^2", "x2^2", "x1x2"),
    ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2"),
)
"""What `F` cycles through: the lesson's plane, then squares (circles become separable), the
cross term, and the sines."""
PENALTY_ORDER = ("none", "l2", "l1")
"""What `P` cycles through (the engine's `PENALTIES`, in the order a learner meets them)."""
LAM_CHOICES = (0.001, 0.01, 0.1, 1.0)
DEFAULT_LAM = 0.01


def columns_words(features: tuple[str, ...]) -> str:
    """The design matrix's columns as the screen writes them: `1, x1, x2, x1²`."""
    return ", ".join(column_names(features))


class ModelSettings:
    """The model keys of one `SoloSession`."""

    def __init__(self, session) -> None:
        self.session = session
        self.lam = DEFAULT_LAM
        """The λ a penalty starts with (the last one chosen)."""

    @property
    def config(self):
        return self.session.trainer.config

    def _new_run(self, words: str, **changes) -> str:
        """A new run with `changes` (same data, same seed); the reason if they are refused."""
        old_epoch = self.session.trainer.epoch
        problem = self.session.load_data(init_weights=None, **changes)
        if problem:
            return f"refused: {problem}"
        kept = f" (u brings back the run at epoch {old_epoch})" if old_epoch else ""
        return f"{words}: a new run from the same seed{kept}"

    def cycle_features(self) -> str:
        features = after(FEATURE_PRESETS, tuple(self.config.features))
        return self._new_run(f"features {columns_words(features)}", features=features)

    def toggle_standardize(self) -> str:
        on = not self.config.standardize
        words = ("standardized features: each column shifted to mean 0 and scaled to variance 1 with the training "
                "split's numbers" if on else "features as they are (not standardized)")
        return self._new_run(words, standardize=on)

    def cycle_classes(self) -> str:
        cfg = self.config
        if cfg.is_csv:
            return f"refused: a CSV's labels decide its classes ({cfg.classes} here)"
        if cfg.dataset != "blobs":
            return f"refused: {cfg.dataset} has two classes; only blobs draws more (d picks the data)"
        classes = cfg.classes + 1 if cfg.classes < MAX_CLASSES else 2
        loss = "softmax" if classes > 2 and cfg.loss in BINARY_LOSSES else cfg.loss
        words = f"{classes} classes of blobs"
        if loss != cfg.loss:
            words += f", loss softmax ({cfg.loss} scores two classes; f picks svm)"
        return self._new_run(words, classes=classes, loss=loss)

    def cycle_loss(self) -> str:
        """`f`: the next of the engine's losses (all of them with two classes, the class scores' with more)."""
        cfg, trainer = self.config, self.session.trainer
        loss = after(CLASS_LOSSES if cfg.classes > 2 else LOSSES, cfg.loss)
        if cfg.with_changes(loss=loss).weight_shape != cfg.weight_shape:
            rows = "one weight row per class" if loss in CLASS_LOSSES else "one weight row"
            return self._new_run(f"loss {loss} ({rows})", loss=loss)
        note = self.session.configure(loss=loss)
        words = f"loss {self.config.loss} from the next update on"
        if trainer.epoch:
            words += f"; the curve's first {trainer.epoch} epochs stay in the units of the loss they ran with"
        return said(note, words)

    def cycle_penalty(self) -> str:
        penalty = after(PENALTY_ORDER, self.config.penalty)
        lam = 0.0 if penalty == "none" else (self.config.lam or self.lam)
        note = self.session.configure(penalty=penalty, lam=lam)
        if penalty == "none":
            return said(note, "no penalty from the next update on")
        part, value = PENALTY_FORMULAS[penalty]
        return said(note, f"penalty {penalty} {value} with λ = {lam:g} (k changes it): g gains {part}, never on the "
                           "bias, from the next update on")

    def cycle_lam(self) -> str:
        if self.config.penalty == "none":
            return "refused: λ needs a penalty first (P picks l2 or l1)"
        lam = after(LAM_CHOICES, self.config.lam)
        note = self.session.configure(lam=lam)
        if not note.startswith("refused"):
            self.lam = lam
        return said(note, f"λ = {lam:g} for the {self.config.penalty} penalty from the next update on")

