"""The smallest Textual app that shows one line: the start-up baseline for `gdtui`."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class OneLine(App):
    def compose(self) -> ComposeResult:
        yield Static("minimal textual app: ready")


if __name__ == "__main__":
    OneLine().run()
