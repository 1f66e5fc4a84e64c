"""An independent transcription of one update of the lesson, in plain Python (lists and `math`, no
NumPy, nothing from gdtui): the oracle of the "why" panel and of the point inspector's tests.

Each function writes the lesson's formulas out the long way: z = W·x, p = 1/(1 + e^−z), e = p − y,
a row's part of g (sse: e·p(1−p)·x; bce: e·x), the sum over the rows, and the update rules as
torch.optim states them.
"""

from __future__ import annotations

import math


def row_values(loss: str, x: list[float], label: float, w: list[float]) -> dict:
    z = sum(wj * xj for wj, xj in zip(w, x))
    p = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
    e = p - label
    slope = p * (1.0 - p) if loss == "sse" else 1.0
    return {"z": z, "p": p, "e": e, "slope": slope, "part": [e * slope * xj for xj in x]}


def row_loss(loss: str, z: float, label: float, p: float) -> float:
    if loss == "sse":
        return (p - label) ** 2
    # -y log p - (1 - y) log(1 - p), with log p = -log(1 + e^-z) and log(1 - p) = -z - log(1 + e^-z)
    return max(z, 0.0) + math.log1p(math.exp(-abs(z))) - label * z


def rule_step(rule: str, g: list[float], first: list[float], second: list[float], steps: int, alpha: float,
              mu: float) -> dict:
    """The step and the memory after it, as torch.optim's SGD, Adagrad, RMSprop and Adam compute them."""
    out: dict = {}
    if rule == "gd":
        out["step"] = [-alpha * gi for gi in g]
    elif rule in ("momentum", "nesterov"):
        v = [mu * vi + gi for vi, gi in zip(first, g)]
        out["v"] = v
        along = v if rule == "momentum" else [gi + mu * vi for gi, vi in zip(g, v)]
        out["step"] = [-alpha * a for a in along]
    elif rule == "adagrad":
        s = [si + gi * gi for si, gi in zip(second, g)]
        out["s"] = s
        out["step"] = [-alpha * gi / (math.sqrt(si) + 1e-10) for gi, si in zip(g, s)]
    elif rule == "rmsprop":
        s = [0.99 * si + 0.01 * gi * gi for si, gi in zip(second, g)]
        out["s"] = s
        out["step"] = [-alpha * gi / (math.sqrt(si) + 1e-8) for gi, si in zip(g, s)]
    else:  # adam
        t = steps + 1
        m = [0.9 * mi + 0.1 * gi for mi, gi in zip(first, g)]
        v = [0.999 * vi + 0.001 * gi * gi for vi, gi in zip(second, g)]
        c1, c2 = 1 - 0.9 ** t, 1 - 0.999 ** t
        out.update(m=m, v=v, c1=c1, c2=c2)
        out["step"] = [-alpha * (mi / c1) / (math.sqrt(vi / c2) + 1e-8) for mi, vi in zip(m, v)]
    return out


def update(loss: str, rule: str, rows: list[list[float]], labels: list[float], indices: list[int], w: list[float],
           first: list[float], second: list[float], steps: int, alpha: float, mu: float) -> dict:
    """Everything the panel says of one update on `rows` (bias column first) from weights `w`."""
    values = [row_values(loss, x, label, w) for x, label in zip(rows, labels)]
    g = [sum(v["part"][j] for v in values) for j in range(len(w))]
    lengths = [sum(c * c for c in v["part"]) for v in values]
    top = max(range(len(values)), key=lambda k: (lengths[k], -k))
    push = [v["e"] * v["slope"] for v in values]
    scale = max(abs(q) for q in push)
    idle = [abs(q) <= 1e-6 * scale for q in push]
    rule_out = rule_step(rule, g, first, second, steps, alpha, mu)
    after = [wi + si for wi, si in zip(w, rule_out["step"])]
    return {
        "top": indices[top], "row": values[top], "x": rows[top], "label": labels[top], "g": g,
        "down": sum(1 for q, i in zip(push, idle) if q > 0 and not i),
        "up": sum(1 for q, i in zip(push, idle) if q < 0 and not i), "idle": sum(idle),
        "loss": sum(row_loss(loss, v["z"], label, v["p"]) for v, label in zip(values, labels)),
        "rule": rule_out, "before": list(w), "after": after,
        "intercept": -after[0] / after[2], "slope": -after[1] / after[2],
    }


def close(a, b, rel: float = 1e-9) -> bool:
    """Lists or numbers equal to `rel` of their size (absolute for values near 0)."""
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(close(x, y, rel) for x, y in zip(a, b))
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-12)
