"""One line that says where the run stands: state, epoch, batch, alpha, optimizer, loss, accuracy."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from gdtui.engine import Snapshot

STATE_STYLES = {
    "paused": "bold #d7d7d7",
    "running": "bold #5fff5f",
    "converged": "bold #5fafff",
    "diverged": "bold #ffffff on #af0000",
    "done": "bold #ffaf5f",
}


class StatusLine(Static):
    def show(self, snap: Snapshot, state: str) -> None:
        text = Text()
        text.append(state, STATE_STYLES.get(state.split()[0], "bold"))
        text.append("  epoch ", "dim")
        text.append(str(snap.epoch), "bold")
        if snap.batch_size is not None:
            text.append(" batch ", "dim")
            text.append(f"{snap.batch}/{snap.batches_per_epoch}", "bold")
        for label, value in (
            ("alpha", f"{snap.alpha:g}"),
            ("", snap.optimizer),
            (snap.loss_name, f"{snap.loss:.4g}"),
            ("train", f"{100 * snap.train_accuracy:.1f}%"),
            ("test", f"{100 * snap.test_accuracy:.1f}%"),
        ):
            text.append(f"  {label} " if label else "  ", "dim")
            text.append(value, "bold")
        self.update(text)
