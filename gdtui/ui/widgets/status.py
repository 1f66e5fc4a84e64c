"""One line that says where the run stands: state, epoch, batch, alpha, optimizer, loss, accuracy."""

from __future__ import annotations

from rich.text import Text

from gdtui.engine import Snapshot

from .panels import TemplatedStatic

STATE_STYLES = {
    "paused": "bold #d7d7d7",
    "running": "bold #5fff5f",
    "converged": "bold #5fafff",
    "diverged": "bold #ffffff on #af0000",
    "break:": "bold #000000 on #ffaf00",
    "done": "bold #ffaf5f",
}


class StatusLine(TemplatedStatic):
    _lines = 0
    _printed: object = None

    def show(self, snap: Snapshot, state: str) -> None:
        pieces = [(state, STATE_STYLES.get(state.split()[0], "bold")), ("  epoch ", "dim"), (str(snap.epoch), "bold")]
        if snap.batch_size is not None:
            pieces += [(" batch ", "dim"), (f"{snap.batch}/{snap.batches_per_epoch}", "bold")]
        for label, value in (
            ("alpha", f"{snap.alpha:.4g}" + ("" if snap.schedule == "constant" else f" {snap.schedule}")),
            ("", snap.optimizer),
            (snap.loss_name, f"{snap.loss:.4g}"),
            ("train", f"{100 * snap.train_accuracy:.1f}%"),
            ("test", f"{100 * snap.test_accuracy:.1f}%"),
        ):
            pieces += [(f"  {label} " if label else "  ", "dim"), (value, "bold")]
        texts, styles = tuple(text for text, _ in pieces), tuple(style for _, style in pieces)
        printed = (texts, styles, self.size.width)
        if printed == self._printed:  # nothing changed: no redraw
            return
        self._printed = printed

        def build(strings: tuple[str, ...]) -> Text:
            text = Text()
            for string, style in zip(strings, styles):
                text.append(string, style)
            return text

        text = build(texts)
        # a new layout only when the number of lines changes (a long line wraps)
        width = max(self.size.width, 1)  # (the content width, inside the padding)
        lines = 1 if text.cell_len <= width else len(text.wrap(self.app.console, width))
        self.update(text, layout=lines != self._lines)
        self._set_texts(texts, build)
        self._lines = lines
