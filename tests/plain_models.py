"""An independent transcription, in plain Python (lists and `math`, nothing from gdtui, no NumPy), of
one update of every model of issue 15: the oracle of the "why" panel's and the point inspector's
tests beyond the lesson's model (tests/plain_update.py has the lesson's).

A row's design-matrix entries (1, then each feature, standardized with the training split's mean
and population standard deviation), its score(s), what each loss makes of them (sigmoid p and e,
the hinge's margin, softmax's P, the svm's margins), its part of g (a list of d numbers, or K such
lists), the batch sum, the penalty's part (never on the bias column) and the update rules of
tests/plain_update.py applied to every weight (they act weight by weight).
"""

from __future__ import annotations

import math

from plain_update import rule_step

FEATURES = {
    "x1": lambda a, b: a, "x2": lambda a, b: b, "x1^2": lambda a, b: a * a, "x2^2": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b, "sin1": lambda a, b: math.sin(a), "sin2": lambda a, b: math.sin(b),
}


def design(points: list[list[float]], features: tuple[str, ...], standardize_by=None) -> list[list[float]]:
    """Rows (1, f1, f2, ...) of `points`; `standardize_by`: the training points whose columns'
    mean and standard deviation scale every column."""
    rows = [[FEATURES[name](a, b) for name in features] for a, b in points]
    if standardize_by is not None:
        train = [[FEATURES[name](a, b) for name in features] for a, b in standardize_by]
        for j in range(len(features)):
            column = [r[j] for r in train]
            mean = sum(column) / len(column)
            std = math.sqrt(sum((c - mean) ** 2 for c in column) / len(column)) or 1.0
            for r in rows:
                r[j] = (r[j] - mean) / std
    return [[1.0] + r for r in rows]


def dot(a, b) -> float:
    return sum(x * y for x, y in zip(a, b))


def row_values(loss: str, x: list[float], label: float, w) -> dict:
    """What the loss makes of row x: its coefficients R (one number, or K) and its part R ⊗ x."""
    if loss in ("sse", "bce"):
        z = dot(w, x)
        p = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
        e = p - label
        r = e * p * (1.0 - p) if loss == "sse" else e
        return {"z": z, "p": p, "e": e, "R": [r], "part": [r * v for v in x], "loss": _sigmoid_loss(loss, z, label, p)}
    if loss == "hinge":
        z = dot(w, x)
        t = 2.0 * label - 1.0
        margin = 1.0 - t * z
        r = -t if margin > 0 else 0.0
        return {"z": z, "t": t, "margin": margin, "R": [r], "part": [r * v for v in x], "loss": max(margin, 0.0)}
    scores = [dot(wk, x) for wk in w]
    y = int(label)
    if loss == "softmax":
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        P = [v / sum(exps) for v in exps]
        R = [P[k] - (1.0 if k == y else 0.0) for k in range(len(w))]
        value = top + math.log(sum(exps)) - scores[y]
        out = {"P": P}
    else:
        margins = [0.0 if k == y else scores[k] - scores[y] + 1.0 for k in range(len(w))]
        R = [1.0 if k != y and margins[k] > 0 else 0.0 for k in range(len(w))]
        R[y] = -sum(R)
        value = sum(max(m, 0.0) for k, m in enumerate(margins) if k != y)
        out = {"margins": margins}
    return {**out, "scores": scores, "R": R, "part": [[r * v for v in x] for r in R], "loss": value}


def _sigmoid_loss(loss: str, z: float, label: float, p: float) -> float:
    if loss == "sse":
        return (p - label) ** 2
    return max(z, 0.0) + math.log1p(math.exp(-abs(z))) - label * z


def flat(values) -> list[float]:
    return [v for row in values for v in row] if values and isinstance(values[0], (list, tuple)) else list(values)


def penalty_part(kind: str, lam: float, w) -> list:
    """λ·w (l2) or λ·sign(w) (l1) on every weight but the bias of each row (0 for none)."""
    def one(row):
        if kind == "l2":
            return [0.0] + [lam * v for v in row[1:]]
        if kind == "l1":
            return [0.0] + [lam * (1.0 if v > 0 else -1.0 if v < 0 else 0.0) for v in row[1:]]
        return [0.0] * len(row)
    return [one(row) for row in w] if isinstance(w[0], list) else one(w)


def update(loss: str, rule: str, rows: list[list[float]], labels: list[float], indices: list[int], w, first, second,
           steps: int, alpha: float, mu: float, penalty: str = "none", lam: float = 0.0) -> dict:
    """Everything the panel says of one update on `rows` from weights `w` (d numbers, or K lists
    of d); `first`, `second`: the rule's memory, flat."""
    values = [row_values(loss, x, label, w) for x, label in zip(rows, labels)]
    parts = [flat(v["part"]) for v in values]
    data_g = [sum(p[j] for p in parts) for j in range(len(parts[0]))]
    pen = flat(penalty_part(penalty, lam, w))
    g = [a + b for a, b in zip(data_g, pen)]
    lengths = [sum(c * c for c in p) for p in parts]
    top = max(range(len(values)), key=lambda k: (lengths[k], -k))
    rule_out = rule_step(rule, g, first, second, steps, alpha, mu)
    after = [a + s for a, s in zip(flat(w), rule_out["step"])]
    return {"top": indices[top], "row": values[top], "x": rows[top], "label": labels[top], "values": values,
            "data_g": data_g, "penalty": pen, "g": g, "rule": rule_out, "before": flat(w), "after": after,
            "loss": sum(v["loss"] for v in values)}


def shares(values: list[dict], g: list[float]) -> list[float]:
    """Each row's part projected on g, divided by |g|²."""
    gg = sum(c * c for c in g)
    return [sum(a * b for a, b in zip(flat(v["part"]), g)) / gg for v in values]
