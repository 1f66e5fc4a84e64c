"""The gradient-descent engine: NumPy only, never a UI import (nor scikit-learn)."""

from .config import DATASETS, LOSSES, OPTIMIZERS, ConfigError, TrainConfig
from .data import DataError, Dataset, load_dataset
from . import landscape
from .snapshot import Snapshot
from .state import TrainerState
from .readings import STOP_REASONS
from .trainer import Trainer, create_trainer

__all__ = [
    "DATASETS", "LOSSES", "OPTIMIZERS", "STOP_REASONS", "ConfigError", "DataError", "Dataset", "Snapshot",
    "TrainConfig", "Trainer", "TrainerState", "create_trainer", "landscape", "load_dataset",
]
