"""What the status says about a solo run, in words: the state at the head of the status line (in
full and short), and the line said when a run stops, with what p does next."""

from __future__ import annotations

from gdtui.describe import breakpoints as breakpoint_words

DIVERGED_NOTE = ("diverged: the update was not finite, the last finite weights are kept "
                 "(lower alpha with -, or reset with r)")


def state_word(session) -> str:
    """paused, running (until the breakpoints), rewound, done, converged, diverged, or the break."""
    if session.viewing is not None:
        return f"rewound to epoch {session.viewing} of {session.trainer.epoch}"
    if session.trainer.diverged:
        return "diverged"
    if session.running:
        return "running" + (f" until {breakpoint_words(session.watch.points)}" if session.watch else "")
    if session.halted_by == "breakpoint":
        return f"break: {session.break_note}"
    if session.halted_by in ("tol", "patience"):
        return f"converged ({session.halted_by})"
    if session.halted_by == "epochs":
        return f"done ({session.trainer.epoch} epochs)"
    return "paused"


def short_state(session) -> str:
    """`state_word` in as few words as still say it: `rewound 3/6`, `break`, `running`, `done`."""
    if session.viewing is not None:
        return f"rewound {session.viewing}/{session.trainer.epoch}"
    return state_word(session).split(":")[0].split(" (")[0].split(" until")[0]


def halt_words(session, reason: str) -> str:
    """What stopped the run, and what p does next (the one rule of `SoloSession.start_run`)."""
    trainer = session.trainer
    epochs = trainer.config.epochs
    if reason == "breakpoint":
        return f"break: {session.break_note}; p goes on (the breakpoints stay armed: b changes them)"
    if reason == "diverged":
        return DIVERGED_NOTE
    if reason == "epochs":
        return f"done: epoch {trainer.epoch}; p runs {epochs} more"
    limit = trainer.config.tol if reason == "tol" else trainer.config.patience
    return f"converged: {reason} {limit:g} fired at epoch {trainer.epoch}; p runs {epochs} more with {reason} set aside"
