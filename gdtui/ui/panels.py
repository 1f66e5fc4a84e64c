"""The small panels as plain fixed-width lines or border text (see `widgets.lines`): the status
line, the loss curve's subtitle, the landscape's title and colour key, and the pictures' axes.
The numbers panel is `numbers_panel`, the evaluation `evaluation_panel`, the race's lines
`screens.race_lines`. Textual-free: every function takes engine values and returns text."""

from __future__ import annotations

from gdtui.describe import weight_label
from gdtui.engine.snapshot import Snapshot

from . import theme
from .widgets.lines import Line, fitting

def status_line(snap: Snapshot, state: str, short_state: str, width: int) -> Line:
    """State, epoch (and batch), the alpha in force, the rule, the penalty (if any), and the loss
    and accuracies of the weights shown, on one line: shorter words, then fewer, when the width
    asks (never a number cut)."""
    style = theme.STATE_STYLES.get(state.split()[0], "bold")
    schedule = "" if snap.schedule == "constant" else f" {snap.schedule}"
    accuracy = (f"{100 * snap.train_accuracy:.1f}%", f"{100 * snap.test_accuracy:.1f}%")
    rewound = state.startswith("rewound")

    def form(state_text: str, gap: str, words: dict[str, str], batch: bool, penalty: bool = True) -> Line:
        pieces: list[tuple[str, str]] = [(state_text, style)]
        if not rewound:
            pieces += [(f"{gap}{words['epoch']} ", theme.DIM), (str(snap.epoch), "bold")]
            if batch and snap.batch_size is not None:
                pieces += [(f" {words['batch']}", theme.DIM), (f"{snap.batch}/{snap.batches_per_epoch}", "bold")]
        pieces += [(f"{gap}{words['alpha']} ", theme.DIM), (f"{snap.alpha:.4g}{schedule}", "bold"),
                   (gap, ""), (snap.optimizer, "bold")]
        if penalty and snap.penalty != "none":  # (the loss shown is the data's: the penalty apart)
            pieces += [(f"{gap}{snap.penalty} ", theme.DIM), (f"λ={snap.lam:g}", "bold")]
        pieces += [(f"{gap}{snap.loss_name} ", theme.DIM), (f"{snap.loss_here:.4g}", "bold"),
                   (f"{gap}{words['train']} ", theme.DIM), (accuracy[0], "bold"),
                   (f"{gap}{words['test']} ", theme.DIM), (accuracy[1], "bold")]
        return tuple(pieces)

    full = dict(epoch="epoch", batch="batch ", alpha="alpha", train="train", test="test")
    short = dict(epoch="ep", batch="", alpha="α", train="tr", test="te")
    return fitting([form(state, "  ", full, True), form(state, " ", short, True), form(short_state, "  ", full, True),
                     form(short_state, " ", short, True), form(short_state, " ", short, False),
                     form(short_state, " ", short, False, penalty=False)], width)


def loss_subtitle(snap: Snapshot, marked_loss: float | None, width: int) -> str:
    """What a point of the loss curve is: the epoch's loss as the lesson logs it, measured with
    the weights at its start (mini-batches: the mean of the batch sums, which changes with B)."""
    if marked_loss is None:
        return "loss at the start" if width >= 20 else ""
    how = "mean of batch sums" if snap.batch_size is not None else "at its start"
    for text in (f"epoch {snap.epoch}: {marked_loss:.6g}, {how}", f"ep {snap.epoch}: {marked_loss:.4g}, {how}",
                 f"ep {snap.epoch}: {marked_loss:.4g}"):
        if len(text) <= width:
            return text
    return ""


def scale_markup(surface, width: int) -> str:
    """The landscape's colour key as border markup: the lowest loss, a block per band in its
    colour (equal steps of log loss), the highest loss."""
    low, high = float(surface.values.min()), float(surface.values.max())
    blocks = "".join(f"[{colour}]█[/]" for colour in theme.BAND_BG)
    text = f"low {low:.3g} {blocks} {high:.3g} high"
    if len(f"low {low:.3g} ") + len(theme.BAND_BG) + len(f" {high:.3g} high") <= width:
        return text
    return f"{low:.3g} {blocks} {high:.3g}"


def landscape_title(loss: str, sl, value: float, width: int) -> str:
    """The landscape's title: which objective over which two weights (by label), the value at ◉,
    the weights held (each by value while they fit, else how many)."""
    a, b = (weight_label(i, sl.shape) for i in sl.axes)
    name = f"({loss})" if " " in loss else loss
    held = " ".join(f"{weight_label(i, sl.shape)}={sl.held[i]:.3g}" for i in sl.held_axes)
    kept = [held] + ([f"{len(sl.held_axes)} others held"] if len(sl.held_axes) > 1 else [])
    texts = [text for words in kept for text in (f"landscape {name}({a}, {b}) · ◉ L = {value:.5g} · {words}",
                                                 f"{name}({a},{b}) · ◉ {value:.4g} · {words}")]
    for text in texts + [f"{name}({a},{b}) ◉ {value:.4g}"]:
        if len(text) <= width:
            return text
    return f"{name}({a},{b})"


def _tick(value: float) -> str:
    return f"{value:.3g}"


def y_axis_lines(top: float, bottom: float, name: str, height: int) -> tuple[Line, ...]:
    """The y axis beside a picture `height` rows tall: its top value, its name half-way, its bottom value."""
    rows = [""] * max(height, 0)
    if height >= 3:
        rows[0], rows[height // 2], rows[-1] = _tick(top), name, _tick(bottom)
    return tuple(((row, theme.DIM),) for row in rows)


def y_axis_width(top: float, bottom: float, name: str) -> int:
    return max(len(_tick(top)), len(_tick(bottom)), len(name)) + 1


def x_axis_line(left: float, right: float, name: str, indent: int, width: int) -> Line:
    """The x axis under a picture `width` cells wide that starts `indent` cells in: its left value,
    its name in the middle, its right value."""
    low, high = _tick(left), _tick(right)
    middle = width // 2 - len(name) // 2
    text = low.ljust(max(middle, len(low) + 1)) + name
    text = text.ljust(max(width - len(high), len(text) + 1)) + high
    return ((" " * indent + text, theme.DIM),)
