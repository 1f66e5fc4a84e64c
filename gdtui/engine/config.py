"""One validated description of a training run, shared by `gdtui train` and the TUI.

Every parameter has a declared constraint; `TrainConfig.validated()` checks them all and raises
`ConfigError` with one line naming the parameter and its allowed range.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any, Callable

from .echo import show
from .features import LESSON
from .schedules import SCHEDULES, scheduled_alpha

DATASETS = ("blobs", "moons", "circles")
LOSSES = ("sse", "bce", "hinge", "softmax", "svm")
BINARY_LOSSES = ("sse", "bce", "hinge")
"""Losses of one score z per row (one weight row)."""
SIGMOID_LOSSES = ("sse", "bce")
"""The lesson's losses: one sigmoid unit p = σ(z), class 1 where p > 0.5."""
CLASS_LOSSES = tuple(name for name in LOSSES if name not in BINARY_LOSSES)
"""Losses of K class scores per row (K weight rows): softmax, svm."""
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2")
"""The columns a model may have after the bias (see `gdtui.engine.features`)."""
PENALTIES = ("none", "l1", "l2")
MAX_CLASSES = 6
OPTIMIZERS = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")

#: The noise each generated data set uses when none is given (blobs: the lesson's cluster_std).
DEFAULT_NOISE = {"blobs": 1.5, "moons": 0.2, "circles": 0.1}

DATA_FIELDS = ("dataset", "samples", "noise", "data_seed", "test_size", "seed", "init_weights", "features",
               "standardize", "classes")
"""What fixes the data and the start of a run: a live trainer (and a resumed session) keeps them."""

MAX_SAMPLES = 5_000_000
MAX_EPOCHS = 100_000_000


class ConfigError(ValueError):
    """A parameter outside its allowed range: which one (`name`, a `TrainConfig` field or another
    setting), what it allows and what it got. `str()` words it with the setting's name; the CLI
    words it with its flag (`words(exc.flag)`)."""

    def __init__(self, name: str, allowed: str, got: Any, verb: str = "must be") -> None:
        self.name, self.allowed, self.got, self.verb = name, allowed, got, verb
        super().__init__(self.words())

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def words(self, label: str | None = None) -> str:
        """One line: `<label> must be <allowed> (got <value>)`; the label defaults to the name."""
        return f"{label or self.name.replace('_', ' ')} {self.verb} {self.allowed} (got {show(self.got)})"


@dataclass(frozen=True)
class TrainConfig:
    """Everything that fixes a run: the data, the loss, the update rule and when to stop."""

    dataset: str = "blobs"
    """`blobs`, `moons`, `circles`, or a path to a CSV file of `x1,x2,label` rows."""
    samples: int = 1000
    """Rows generated before the train/test split (ignored for CSV)."""
    noise: float | None = None
    """Cluster std for blobs, noise for moons/circles; None means the data set's default."""
    data_seed: int = 1
    """Seed of the data generator (the train/test split always uses the lesson's random_state=42)."""
    test_size: float = 0.5
    """Fraction of rows held out for testing."""
    loss: str = "sse"
    """`sse` (the lesson's sum of squared errors), `bce` (summed binary cross-entropy), `hinge`
    (binary, labels as ±1), `softmax` (summed cross-entropy over K classes) or `svm` (multi-class
    hinge, margin 1); see `gdtui.engine.losses` and `gdtui.engine.multiclass`."""
    optimizer: str = "gd"
    """The update rule; see `gdtui.engine.optim`."""
    alpha: float = 0.01
    """Base learning rate (the schedule scales it per epoch)."""
    momentum: float = 0.9
    """Momentum coefficient for `momentum` and `nesterov`."""
    schedule: str = "constant"
    """How alpha changes over the epochs: `constant`, `step`, `exp` or `inv`; see `gdtui.engine.schedules`."""
    decay: float | None = None
    """The schedule's decay factor; None means the schedule's default."""
    decay_every: int = 10
    """Epochs between two decays of the `step` schedule."""
    batch_size: int | None = None
    """Rows per update; None is the full batch (vanilla GD)."""
    shuffle: bool = False
    """Shuffle the training rows before each epoch (mini-batch runs only change by it)."""
    epochs: int = 100
    """Maximum number of epochs."""
    tol: float | None = None
    """Stop once the epoch loss falls below this."""
    patience: int | None = None
    """Stop after this many epochs without a new best loss."""
    seed: int | None = None
    """Seed of the initial weights and of the shuffling; None draws one (and reports it)."""
    init_weights: tuple[float, ...] | None = None
    """Exact initial weights, bias first (K rows of d, row by row, for softmax and svm); overrides
    the seeded draw."""
    features: tuple[str, ...] = ("x1", "x2")
    """The design matrix's columns after the bias, from `FEATURES`, in this order."""
    standardize: bool = False
    """Scale each feature column to zero mean and unit variance with the training split's statistics."""
    penalty: str = "none"
    """`none`, `l1` (lam·Σ|w|) or `l2` (lam/2·Σw²), never on the bias weights; see `gdtui.engine.penalties`."""
    lam: float = 0.0
    """The penalty's strength λ >= 0."""
    classes: int = 2
    """Number of classes K: blobs draws K clusters; a CSV's distinct labels give it."""

    def validated(self) -> "TrainConfig":
        """Return self if every parameter is in range, else raise `ConfigError`."""
        for spec in _CONSTRAINTS:
            value = getattr(self, spec.name)
            if value is None and spec.optional:
                continue
            if not spec.check(value):
                raise ConfigError(spec.name, spec.allowed, value)
        if self.decay is not None and self.schedule == "constant":
            raise ConfigError("decay", "a schedule other than constant (step, exp or inv)", self.decay, verb="needs")
        if self.lam != 0 and self.penalty == "none":
            raise ConfigError("lam", "a penalty (--penalty l1 or l2)", self.lam, verb="needs")
        if self.classes > 2 and self.loss in BINARY_LOSSES:
            raise ConfigError("loss", f"softmax or svm with {self.classes} classes ({self.loss} scores two)",
                              self.loss)
        if self.classes > 2 and self.dataset in ("moons", "circles"):
            raise ConfigError("classes", f"2 for {self.dataset} (only blobs and CSV files have more)", self.classes)
        if self.init_weights is not None and len(self.init_weights) != self.weight_count:
            raise ConfigError("init_weights", f"{self.weight_count} numbers for {self.shape_words}",
                              len(self.init_weights), verb="needs")
        return self

    def with_changes(self, **changes: Any) -> "TrainConfig":
        """A copy with some parameters changed, validated."""
        return replace(self, **changes).validated()

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values; the model settings (features, standardize, penalty, lam,
        classes) only where they differ from the lesson's model, so that its output is unchanged."""
        out = asdict(self)
        out["noise"] = self.effective_noise
        if self.init_weights is not None:
            out["init_weights"] = list(self.init_weights)
        for name in MODEL_FIELDS:
            if out[name] == MODEL_DEFAULTS[name]:
                del out[name]
        if "features" in out:
            out["features"] = list(self.features)
        return out

    def alpha_at(self, t: int) -> float:
        """The alpha in force during the epoch after `t` finished epochs."""
        return scheduled_alpha(self.schedule, self.alpha, t, self.decay, self.decay_every)

    @property
    def multiclass(self) -> bool:
        """One weight row per class (softmax, svm) rather than one row."""
        return self.loss not in BINARY_LOSSES

    @property
    def line_model(self) -> bool:
        """One weight row over x1, x2 (`is_line_model`)."""
        return is_line_model(not self.multiclass, self.features)

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """The shape of the weights: one per column of the design matrix (bias, then the features),
        (d,) for one score, (K, d) for K class scores."""
        d = 1 + len(self.features)
        return (self.classes, d) if self.multiclass else (d,)

    @property
    def weight_count(self) -> int:
        return math.prod(self.weight_shape)

    @property
    def shape_words(self) -> str:
        """E.g. `one row of 3 weights (bias, x1, x2)` or `3 rows of 3 (one per class), row by row`."""
        columns = "bias, " + ", ".join(self.features)
        if self.multiclass:
            return f"{self.classes} rows of {self.weight_shape[1]} ({columns}; one row per class), row by row"
        return f"one row of {self.weight_shape[0]} ({columns})"

    @property
    def is_csv(self) -> bool:
        return self.dataset not in DATASETS

    @property
    def effective_noise(self) -> float | None:
        """The noise actually used (None for CSV data)."""
        if self.is_csv:
            return None
        return DEFAULT_NOISE[self.dataset] if self.noise is None else self.noise


def is_line_model(one_row: bool, features: tuple[str, ...]) -> bool:
    """The lesson's line model: one weight row (any binary loss, any penalty) over the features x1,
    x2, standardized or not. Its boundary is a straight line 0 = w0 + w1·x1 + w2·x2 in the raw points'
    plane (with standardized columns, the weights written back on the raw x1, x2), which the screens
    write out as an equation; the other models get their score functions."""
    return one_row and tuple(features) == LESSON


MODEL_FIELDS = ("features", "standardize", "penalty", "lam", "classes")
"""The settings beyond the lesson's model (a session file written before them may lack them)."""
MODEL_DEFAULTS: dict[str, Any] = {"features": ("x1", "x2"), "standardize": False, "penalty": "none", "lam": 0.0,
                                  "classes": 2}


def parse_features(text: str) -> tuple[str, ...]:
    """`x1,x1^2` -> ("x1", "x1^2"); ConfigError on an unknown, repeated or missing name."""
    names = tuple(part.strip() for part in text.split(","))
    if not _features_ok(names):
        raise ConfigError("features", allowed_values("features"), text)
    return names


def _features_ok(value: Any) -> bool:
    return (isinstance(value, tuple) and 1 <= len(value) <= len(FEATURES) and len(set(value)) == len(value)
            and all(isinstance(v, str) and v in FEATURES for v in value))


def allowed_values(name: str) -> str:
    """The allowed range of parameter `name`, in words (for messages)."""
    return next(c.allowed for c in _CONSTRAINTS if c.name == name)


@dataclass(frozen=True)
class _Constraint:
    name: str
    check: Callable[[Any], bool]
    allowed: str
    optional: bool = False



def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _int_in(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: _is_int(v) and low <= v <= high


_CONSTRAINTS = (
    _Constraint("dataset", lambda v: isinstance(v, str) and v != "",
                "blobs, moons, circles or a path to a CSV file"),
    _Constraint("samples", _int_in(10, MAX_SAMPLES), f"an integer in [10, {MAX_SAMPLES}]"),
    _Constraint("noise", lambda v: _is_real(v) and 0 <= v <= 100 and math.copysign(1, v) > 0,  # (not -0.0)
                "a number in [0, 100]", optional=True),
    _Constraint("data_seed", _int_in(0, 2**32 - 1), "an integer in [0, 4294967295]"),
    _Constraint("test_size", lambda v: _is_real(v) and 0 < v < 1, "a number in (0, 1)"),
    _Constraint("loss", lambda v: v in LOSSES, "one of " + ", ".join(LOSSES)),
    _Constraint("optimizer", lambda v: v in OPTIMIZERS, "one of " + ", ".join(OPTIMIZERS)),
    _Constraint("alpha", lambda v: _is_real(v) and 0 < v <= 1e6, "a number in (0, 1e6]"),
    _Constraint("momentum", lambda v: _is_real(v) and 0 <= v < 1, "a number in [0, 1)"),
    _Constraint("schedule", lambda v: v in SCHEDULES, "one of " + ", ".join(SCHEDULES)),
    _Constraint("decay", lambda v: _is_real(v) and 0 < v <= 1, "a number in (0, 1]", optional=True),
    _Constraint("decay_every", _int_in(1, MAX_EPOCHS), f"an integer in [1, {MAX_EPOCHS}]"),
    _Constraint("batch_size", _int_in(1, MAX_SAMPLES), f"an integer in [1, {MAX_SAMPLES}]", optional=True),
    _Constraint("shuffle", lambda v: isinstance(v, bool), "true or false"),
    _Constraint("epochs", _int_in(1, MAX_EPOCHS), f"an integer in [1, {MAX_EPOCHS}]"),
    _Constraint("tol", lambda v: _is_real(v) and v > 0, "a number > 0", optional=True),
    _Constraint("patience", _int_in(1, MAX_EPOCHS), f"an integer in [1, {MAX_EPOCHS}]", optional=True),
    _Constraint("seed", _int_in(0, 2**32 - 1), "an integer in [0, 4294967295]", optional=True),
    _Constraint("init_weights",
                lambda v: isinstance(v, tuple) and 1 <= len(v) <= MAX_CLASSES * (1 + len(FEATURES))
                and all(_is_real(w) and abs(w) <= 1e6 for w in v),
                "finite numbers each within [-1e6, 1e6], one per weight (bias first)", optional=True),
    _Constraint("features", _features_ok,
                "a comma list of distinct names from " + ",".join(FEATURES)),
    _Constraint("standardize", lambda v: isinstance(v, bool), "true or false"),
    _Constraint("penalty", lambda v: v in PENALTIES, "one of " + ", ".join(PENALTIES)),
    _Constraint("lam", lambda v: _is_real(v) and 0 <= v <= 1e6 and math.copysign(1, v) > 0, "a number in [0, 1e6]"),
    _Constraint("classes", _int_in(2, MAX_CLASSES), f"an integer in [2, {MAX_CLASSES}]"),
)
