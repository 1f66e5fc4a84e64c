"""The keys of both views, one table each: the bindings, the footer and the help screen all come
from it, so a key's label and its explanation cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from gdtui.describe import PENALTY_FORMULAS
from gdtui.engine.config import OPTIMIZERS


@dataclass(frozen=True)
class Key:
    """One key binding with its footer label and its line in the help screen."""

    keys: str
    """Textual key names, comma-separated."""
    action: str
    label: str
    """The footer's word for it."""
    help: str
    """Its line in the help screen."""
    footer: bool = True
    shown_as: str = ""
    """How the help and the footer write the key (default: the first key name)."""

    @property
    def shown(self) -> str:
        return self.shown_as or self.keys.split(",")[0]


def bindings(table: tuple[Key, ...]) -> list[Binding]:
    return [Binding(k.keys, k.action, k.label, show=k.footer, key_display=k.shown_as or None, tooltip=k.help)
            for k in table]


def help_rows(table: tuple[Key, ...]) -> list[tuple[str, str]]:
    """(key as shown, what it does) for every key that explains itself."""
    return [(k.shown, k.help) for k in table if k.help]


SOLO_KEYS = (
    Key("space", "step_epoch", "step", "Step one epoch (finishes the epoch under way in mini-batch mode)."),
    Key("n", "step_batch", "batch", "Step one mini-batch (one epoch in full-batch mode)."),
    Key("p", "toggle_run", "run", "Run several epochs per frame until a stop rule fires, or pause."),
    Key("plus,equals_sign", "scale_alpha(2)", "α×2", "Double the learning rate alpha.", shown_as="+"),
    Key("minus", "scale_alpha(0.5)", "α÷2", "Halve the learning rate alpha.", shown_as="-"),
    Key("a", "type_alpha", "α=", "Type an exact alpha; a bad value is refused and the old one kept.", footer=False),
    Key("o", "cycle_optimizer", "optim", "Next update rule: gd, momentum, nesterov, adagrad, rmsprop, adam."),
    Key("s", "cycle_schedule", "schedule", "Next learning-rate schedule: constant, step (×0.5 every 10 epochs), "
        "exp (×0.95 per epoch), 1/t (alpha/(1+0.1t)); the status line shows the alpha in force.", footer=False),
    Key("b", "breakpoints", "break…", "Breakpoints: run until the loss, the test accuracy or |g| passes a value, "
        "no new best loss for M epochs, or N more epochs; the status line says which fired."),
    Key("m", "cycle_momentum", "μ", "Next momentum coefficient (0.5, 0.9, 0.99) for momentum and nesterov.",
        footer=False),
    Key("f", "cycle_loss", "loss", "Next loss: sse (the lesson's), bce (cross-entropy), hinge, softmax, svm (K "
        "classes: softmax, svm). Same shape of W: from the next update on (the curve keeps the earlier epochs as "
        "measured); one row <-> one per class: a new run from the same seed.", footer=False),
    Key("F", "cycle_features", "features", "Next features: x1,x2 -> + squares x1²,x2² -> + x1·x2 -> + sin x1, "
        "sin x2 (a new run from the same seed; u brings the old one back).", footer=False),
    Key("Z", "toggle_standardize", "standardize", "Standardize the features (mean 0, variance 1 from the training "
        "split) or not: a new run from the same seed.", footer=False),
    Key("P", "cycle_penalty", "penalty", "Next penalty on the weights (never the bias): none, l2 (adds "
        f"{PENALTY_FORMULAS['l2'].term} to g), l1 (adds {PENALTY_FORMULAS['l1'].term}); from the next update on.",
        footer=False),
    Key("k", "cycle_lam", "λ", "Next penalty strength λ: 0.001, 0.01, 0.1, 1 (from the next update on).",
        footer=False),
    Key("K", "cycle_classes", "classes", "Next number of classes of blobs, 2 to 6 (binary losses give way to "
        "softmax): a new run from the same seed.", footer=False),
    Key("B", "cycle_batch", "batch size", "Next batch size: full, 256, 64, 32, 8, 1 (applies from the next epoch).",
        footer=False),
    Key("d", "cycle_dataset", "data", "Next generated data set: blobs, moons, circles (same settings, same seed).",
        footer=False),
    Key("D", "data_form", "data…", "Choose the data: a generated set or a CSV path, the samples and the noise; "
        "a bad value or file is refused in place and the current data kept.", footer=False),
    Key("r", "reset", "reset", "Start again from a fresh random initialisation (same data, same settings)."),
    Key("t", "toggle_view", "view", "Show the training or the test split on the scatter.", footer=False),
    Key("L", "toggle_log", "log loss", "Log or linear scale for the loss curve.", footer=False),
    Key("left_square_bracket", "rewind(-1)", "back", "Rewind one epoch: every panel shows that moment. A step or "
        "a change of settings from there forks a new run (the later epochs are discarded). In point mode ← picks a "
        "point; [ still rewinds.", footer=False, shown_as="← ["),
    Key("right_square_bracket", "rewind(1)", "forward", "Forward one epoch through the recorded history (in point "
        "mode ] does; → picks a point).", footer=False, shown_as="→ ]"),
    Key("left", "arrow('left')", "back", "", footer=False, shown_as="←"),
    Key("right", "arrow('right')", "forward", "", footer=False, shown_as="→"),
    Key("up", "arrow('up')", "point up", "In point mode: the nearest point in the arrow's direction as the scatter "
        "shows it (within 45° of it, else anywhere that way); ← → too.", footer=False, shown_as="↑ ↓"),
    Key("down", "arrow('down')", "point down", "", footer=False, shown_as="↓"),
    Key("end", "live", "live", "Back to the latest epoch.", footer=False),
    Key("home", "jump_to(0)", "first", "Rewind to epoch 0, the initial weights.", footer=False),
    Key("pageup", "page(-1)", "page back", "Back by a tenth of the history (PgDn: forward).", footer=False,
        shown_as="PgUp PgDn"),
    Key("pagedown", "page(1)", "page forward", "", footer=False),
    Key("j", "type_epoch", "jump…", "Type an epoch to show (rewinds to it; the latest is live).", footer=False),
    Key("u", "undo", "undo", "Undo the last discard (r, d, D or a new model: F, Z, K, f): back to the run it "
        "replaced; u again returns.", footer=False),
    Key("l", "toggle_landscape", "landscape", "Loss landscape over two weights (the others held at their values; "
        "with a penalty, the objective the rule descends), with the run's path and the current point ◉.", footer=False),
    Key("w", "choose_pair", "weights pair", "Landscape over any two weights: w lists them all (arrows move, space "
        "or enter picks x then y, escape cancels; w again: the next pair, e.g. (w1, w2) → (w0, w1) → (w0, w2)).",
        footer=False),
    Key("e", "toggle_evaluation", "evaluate", "Evaluation panel: scikit-learn's classification report and the "
        "confusion matrix of the weights shown (t switches train/test).", footer=False),
    Key("g", "inspect", "inspect ∇", "Gradient inspector: analytic gradient beside a finite difference of the "
        "printed loss, and whether the update follows it.", footer=False),
    Key("y", "explain", "why", "Why: the last update written out in the lesson's formulas with its own numbers: "
        "one row made concrete (the one that pushed hardest), the sum over the batch, the rule's lines, W before "
        "and after, the boundary (rewound: the update that led to the epoch shown, when it can be read back).",
        footer=False),
    Key("i", "point_mode", "point", "Point inspector: select a point (arrows; first the one that pushed hardest in "
        "the last step) and read its x, label, z, p, prediction and share of g; escape or i leaves.", footer=False),
    Key("escape", "leave_mode", "leave", "Leave point mode.", footer=False, shown_as="esc"),
    Key("v", "toggle_preview", "preview", "Preview: ghost boundaries of the next step with alpha/2, alpha and "
        "2·alpha, nothing committed.", footer=False),
    Key("c", "race", "race", "Race the update rules (gd, momentum, nesterov, adam; 1-6 pick) from this run's "
        "initial weights on the same data, in lock-step; escape comes back to this run, untouched, and c again "
        "to the same race.", footer=False),
    Key("S", "save", "save", "Save the session (data, settings, weights, optimizer state, history) into a new "
        "file in the current directory; `gdtui --resume FILE` continues it.", footer=False),
    Key("x", "export", "export", "Export the screen as SVG and the history as CSV into the current directory.",
        footer=False),
    Key("question_mark", "help", "help", "This list.", shown_as="?"),
    Key("q", "app.quit", "quit", "Quit, keeping the session for `gdtui --resume` (also kept when the terminal or the "
        "SSH link drops)."),
)

_RULE_HELP = ("Tick or untick a rule: 1 gd, 2 momentum, 3 nesterov, 4 adagrad, 5 rmsprop, 6 adam. A rule that "
              "joins is trained up to the race from the same start; one that leaves is kept as it was.")

RACE_KEYS = (
    Key("space", "step", "step", "One epoch for every racer still going (lock-step)."),
    Key("p", "toggle_run", "run", "Run several epochs per frame to the epoch limit, or pause."),
    Key("plus,equals_sign", "scale_alpha(2)", "α×2",
        "Double alpha for every racer (a diverged racer tries again from its last finite weights).", shown_as="+"),
    Key("minus", "scale_alpha(0.5)", "α÷2", "Halve alpha for every racer.", shown_as="-"),
    Key("1", "toggle_rule(0)", "rules", _RULE_HELP, shown_as="1-6"),
    *(Key(str(k + 1), f"toggle_rule({k})", OPTIMIZERS[k], "", footer=False) for k in range(1, len(OPTIMIZERS))),
    Key("r", "restart", "restart", "Restart the race from epoch 0 with the same rules and start (alpha kept)."),
    Key("L", "toggle_log", "log loss", "Log or linear scale for the loss curves.", footer=False),
    Key("escape,c", "leave", "back", "Back to the solo trainer (escape or c), as it was when the race began; "
        "c there comes back to this race.", shown_as="esc"),
    Key("question_mark", "help", "help", "This list.", shown_as="?"),
    Key("S", "save", "save", "Save the race into a new file in the current directory; "
        "`gdtui compare --resume FILE` continues it.", footer=False),
    Key("q", "app.quit", "quit", "Quit, keeping the solo run (not the race) for `gdtui --resume`."),
)


LESSON_KEYS = (
    Key("T", "lesson", "lesson", "The guided lesson: eleven short steps, each with a prepared run and the key to "
        "press; every key works between them. T again closes it and brings your run back; it reopens at the step "
        "reached (so does `gdtui lesson`).", footer=False),
    Key("less_than_sign,comma", "lesson_step(-1)", "back", "In the lesson: the step before, prepared again.",
        footer=False, shown_as="< ,"),
    Key("greater_than_sign,full_stop", "lesson_step(1)", "next", "In the lesson: the next step.", footer=False,
        shown_as="> ."),
)
"""The lesson's keys: the app's own, so that they act in the solo view and in the race alike."""


def key_names(table: tuple[Key, ...]) -> frozenset[str]:
    """Every Textual key name a table binds."""
    return frozenset(name for k in table for name in k.keys.split(","))


def unbound_note(table: tuple[Key, ...], key: str, character: str | None, view: str) -> str:
    """What a printable key the view does not use says ("" for bound or non-printable keys)."""
    if key in key_names(table) or not character or not character.isprintable() or character == " ":
        return ""
    return f"{character} does nothing in the {view} (? lists its keys)"
