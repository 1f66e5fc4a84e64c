"""The gradient-descent engine: NumPy only, never a UI import (nor scikit-learn)."""

from .config import DATASETS, LOSSES, OPTIMIZERS, ConfigError, TrainConfig
from .data import DataError, Dataset, load_dataset
from . import landscape
from .trainer import STOP_REASONS, Snapshot, Trainer, create_trainer

__all__ = [
    "DATASETS", "LOSSES", "OPTIMIZERS", "STOP_REASONS", "ConfigError", "DataError", "Dataset", "Snapshot",
    "TrainConfig", "Trainer", "create_trainer", "load_dataset",
]
