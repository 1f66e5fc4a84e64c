"""`i`, the point inspector: one data point selected on the scatter, and what the model makes of it.

Textual-free. The arrow keys move the selection to the nearest point in the arrow's direction as
the picture shows it (within 45° of it; if none lies there, the nearest anywhere on that side); a
cell of the scatter selects the point nearest its centre (for the mouse). The readings come from
`gdtui.engine.points`, at the weights shown.
"""

from __future__ import annotations

import textwrap

import numpy as np

from gdtui.engine.points import Parts, Reading

from . import theme
from .tables import number, probability, signed
from .raster import Frame
from .widgets.lines import Line

ASPECT = 2.0
"""A terminal cell is about twice as tall as it is wide: one row counts as this many columns."""
DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0)}
"""Arrow -> direction on the screen (column right, row down)."""


def on_screen(points: np.ndarray, frame: Frame) -> np.ndarray:
    """(n, 2) data points -> (column, row) positions in cells (fractional), rows counted as ASPECT."""
    col = (points[:, 0] - frame.x_min) / (frame.x_max - frame.x_min) * frame.width
    row = (frame.y_max - points[:, 1]) / (frame.y_max - frame.y_min) * frame.height * ASPECT
    return np.stack([col, row], axis=1)


def toward(places: np.ndarray, current: int, direction: tuple[float, float]) -> int:
    """The point of `places` (n, 2) nearest to `current` in `direction`: within 45° of it if any,
    else anywhere ahead; `current` itself if none lies ahead. Ties go to the lower index."""
    offset = places - places[current]
    along = offset @ np.array(direction)
    across = np.abs(offset @ np.array((-direction[1], direction[0])))
    distance = np.hypot(along, across)
    for ahead in ((along > 0) & (across <= along), along > 0):
        if ahead.any():
            return int(np.flatnonzero(ahead)[np.argmin(distance[ahead])])
    return current


def nearest(places: np.ndarray, target: tuple[float, float]) -> int:
    """The point of `places` (n, 2) nearest to `target` (lowest index on a tie)."""
    return int(np.argmin(np.hypot(places[:, 0] - target[0], places[:, 1] - target[1])))


class PointMode:
    """The point selected and the readings of its split at the weights shown."""

    def __init__(self) -> None:
        self.active = False
        self.split = "train"
        self.index = 0
        """The selected row of `split`."""
        self._parts: Parts | None = None
        self._direction: np.ndarray | None = None
        """The update direction g of the training rows (with the penalty), whose share each row has."""

    def _rows(self, trainer, split: str) -> tuple[np.ndarray, np.ndarray]:
        data = trainer.data
        return (data.X_train, data.y_train) if split == "train" else (data.X_test, data.y_test)

    def _points(self, trainer, split: str) -> np.ndarray:
        """(n, 2) the points of `split` as the scatter plots them (not the model's columns)."""
        return trainer.data.train_points if split == "train" else trainer.data.test_points

    def enter(self, trainer, split: str, weights, hardest: int | None) -> None:
        """Select the row `hardest` (the one that pushed hardest in the last step), else the row
        of `split` with the largest part of g at `weights`."""
        self.active, self.split = True, split
        self.refresh(trainer, weights)
        self.index = hardest if hardest is not None and split == "train" else self._parts.strongest()

    def leave(self) -> None:
        self.active, self._parts, self._direction = False, None, None

    def switch(self, trainer, split: str, weights) -> None:
        """Show `split`: the selection moves to its point nearest the one selected."""
        old = self._points(trainer, self.split)
        here = old[min(self.index, len(old) - 1)]  # (the data may have changed since)
        self.split = split
        self.refresh(trainer, weights)
        self.index = nearest(self._points(trainer, split), tuple(here.tolist()))

    def refresh(self, trainer, weights) -> None:
        """Readings at `weights` (computed again only when they, the data, the loss or the penalty change)."""
        w = np.asarray(weights, dtype=np.float64)
        cfg, parts = trainer.config, self._parts
        if parts is not None and (parts.loss, parts.penalty, parts.lam) == (cfg.loss, cfg.penalty, cfg.lam) \
                and parts.X is self._rows(trainer, self.split)[0] and np.array_equal(parts.weights, w):
            return
        X, y = self._rows(trainer, self.split)
        raw = cfg.line_model and not cfg.standardize  # (the columns (1, x1, x2) are the point)
        shown = None if raw else self._points(trainer, self.split)
        self._parts = Parts(cfg.loss, X, y, w, self.split == "train", cfg.penalty, cfg.lam, shown)
        train = self._parts if self.split == "train" else Parts(cfg.loss, trainer.data.X_train, trainer.data.y_train,
                                                                 w, True, cfg.penalty, cfg.lam)
        self._direction = train.direction()
        self.index = min(self.index, len(y) - 1)

    def move(self, trainer, arrow: str, frame: Frame) -> None:
        self.index = toward(on_screen(self._points(trainer, self.split), frame), self.index, DIRECTIONS[arrow])

    def select_cell(self, trainer, col: int, row: int, frame: Frame) -> None:
        """Select the point nearest the centre of cell (`col`, `row`) of a picture laid out by `frame`."""
        self.index = nearest(on_screen(self._points(trainer, self.split), frame), (col + 0.5, (row + 0.5) * ASPECT))

    def reading(self) -> Reading:
        return self._parts.reading(self.index, self._direction)

    def position(self, trainer) -> tuple[float, float]:
        """The selected point's (x1, x2)."""
        x = self._points(trainer, self.split)[self.index]
        return float(x[0]), float(x[1])


def _share(reading: Reading, split: str) -> str:
    """The point's share of g (a test row has none)."""
    if split == "test":
        return "not in g (test row)"
    return "g is 0" if reading.share is None else f"{number(100 * reading.share)}% of g"


def _mark(reading: Reading) -> tuple[str, str]:
    """✓ where the class predicted is the label, else ✗."""
    right = reading.predicted == int(reading.label)
    return (" ✓" if right else " ✗", f"bold {theme.GOOD if right else theme.BAD}")


def point_line(reading: Reading, split: str, labels: tuple[str, str], width: int) -> Line:
    """The selected point in one line: which row, x, label, z, p, the prediction and its share of g."""
    share = _share(reading, split)
    label = labels[int(reading.label)]
    forms = [
        (f"{split} row {reading.index}  x (1, {number(reading.x[1])}, {number(reading.x[2])})  y {label}  "
         f"z {number(reading.z)}  p {reading.p:.4g}  → {labels[reading.predicted]}", f"  {share}"),
        (f"{split} row {reading.index} x ({number(reading.x[1])}, {number(reading.x[2])}) y {label} z {number(reading.z)} "
         f"p {reading.p:.4g} → {labels[reading.predicted]}", f" {share.replace(' (test row)', '')}"),
        (f"row {reading.index} y {label} z {number(reading.z)} p {reading.p:.3g} → {labels[reading.predicted]}",
         f" {share.replace(' (test row)', '').replace(' of g', '')}"),
    ]
    head, tail = next((form for form in forms if len(form[0]) + len(form[1]) + 2 <= width), forms[-1])
    return ((head, "bold"), _mark(reading), (tail, theme.INFO))


def _digits(value: float, level: int) -> str:
    """A number at one of three widths: `number`'s, then 3 and 2 significant digits (sign shown)."""
    return number(value) if level == 0 else signed(value, 4 - level)


def _values(reading: Reading, labels: tuple[str, ...], level: int) -> str:
    """What the loss makes of the point's score(s), at width `level` (0 the widest)."""
    if not isinstance(reading.z, tuple):
        if reading.p is not None:
            return f"z {_digits(reading.z, level)}  p {reading.p:.{4 - level}g}"
        state = "active" if reading.active else "outside: 0"
        return f"z {_digits(reading.z, level)}  margin 1−t·z {_digits(reading.margin, level)} ({state})"
    scores = "s " + " ".join(_digits(s, level) for s in reading.z)
    if reading.p is not None:
        shown = (probability(p, 3 - level) for p in reading.p) if level < 2 else (f"{p:.2f}" for p in reading.p)
        return f"{scores}  P " + " ".join(shown)
    own = int(reading.label)
    margins = [(labels[k], m) for k, m in enumerate(reading.margin) if k != own]
    active = sum(reading.active)
    named = ", ".join(f"{name}: {_digits(m, level)}" for name, m in margins)
    return f"{scores}  margins s−s_y+1: {named} ({active} active)"


def point_lines(reading: Reading, split: str, labels: tuple[str, ...], width: int) -> tuple[Line, ...]:
    """The selected point in one line, or two where it does not fit: which row, its raw point, its
    label, its score(s) and what the loss makes of them, the class predicted and its share of g.
    The sigmoid line model on the raw x1, x2 (no point apart from its columns, a p) keeps `point_line`."""
    if reading.point is None and reading.p is not None:
        return (point_line(reading, split, labels, width),)
    share = _share(reading, split)
    x1, x2 = reading.point if reading.point is not None else reading.x[1:3]
    head = f"{split} row {reading.index}  point ({number(x1)}, {number(x2)})  y {labels[int(reading.label)]}"
    mark = _mark(reading)
    guess = f"  → {labels[reading.predicted]}"
    values = [_values(reading, labels, level) for level in range(3)]
    one = f"{head}  {values[0]}{guess}"
    if len(one) + len(mark[0]) + 2 + len(share) <= width:
        return (((one, "bold"), mark, (f"  {share}", theme.INFO)),)
    second = next((v for v in values if len(v) + 2 <= width), None)
    broken = [second] if second else textwrap.wrap(values[-1], max(width - 2, 20), break_long_words=False)
    rest = tuple((("  " + part, ""),) for part in broken)  # (K scores may take two lines)
    return (((head + guess, "bold"), mark, (f"  {share}", theme.INFO)), *rest)
