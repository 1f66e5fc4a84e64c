"""Evaluation on a split: scikit-learn's classification report and the confusion matrix.

scikit-learn is imported on first use only (it costs most of a second).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Evaluation:
    """How the weights of one epoch classify one split."""

    split: str
    epoch: int
    report: str
    """scikit-learn's `classification_report`, as text."""
    rows: tuple[tuple[str, float, float, float, int], ...]
    """The same report's numbers: (name, precision, recall, f1, support) per class, then the averages."""
    confusion: tuple[tuple[int, ...], ...]
    """confusion[true][predicted], classes 0..K-1."""
    accuracy: float


def evaluate(y_true: np.ndarray, y_pred: np.ndarray, labels: tuple[str, ...], split: str, epoch: int) -> Evaluation:
    from sklearn.metrics import classification_report, confusion_matrix

    classes = list(range(len(labels)))
    truth = (np.asarray(y_true) > 0.5).astype(np.int64) if len(labels) == 2 else np.asarray(y_true).astype(np.int64)
    options = dict(labels=classes, target_names=list(labels), zero_division=0)
    report = classification_report(truth, y_pred, **options)
    numbers = classification_report(truth, y_pred, output_dict=True, **options)
    rows = tuple((name, numbers[name]["precision"], numbers[name]["recall"], numbers[name]["f1-score"],
                  int(numbers[name]["support"])) for name in (*labels, "macro avg", "weighted avg"))
    matrix = confusion_matrix(truth, y_pred, labels=classes)
    confusion = tuple(tuple(int(v) for v in row) for row in matrix)
    return Evaluation(split, epoch, report, rows, confusion, float(np.mean(truth == y_pred)))
