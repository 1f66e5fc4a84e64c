"""A gdtui-like Textual app for the download experiment, and a `gdtui serve`-like server of it.

`python deliver_app.py app`: one screen; `x` delivers a history CSV with `App.deliver_text`,
as gdtui will when `GDTUI_DELIVER=1`. `python deliver_app.py serve PORT`: serves that app
through the same `TabServer` and offline page as `gdtui serve`.
"""

from __future__ import annotations

import io
import shlex
import sys
import tempfile
from pathlib import Path

HISTORY = "epoch,loss\n0,353.1145910278819\n1,125.3291336475047\n"
FILE_NAME = "gdtui-history.csv"


def run_app() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Deliverer(App):
        BINDINGS = [("x", "export", "export")]

        def compose(self) -> ComposeResult:
            yield Static("epoch 0 · press x to export")

        def action_export(self) -> None:
            self.deliver_text(io.StringIO(HISTORY), save_filename=FILE_NAME)

    Deliverer().run()


def serve(port: int) -> None:
    from gdtui.serve import TabServer, offline_template

    with tempfile.TemporaryDirectory() as templates:
        offline_template(Path(templates))
        command = shlex.join([sys.executable, __file__, "app"])
        TabServer(command, host="127.0.0.1", port=port, public_url=None, templates=Path(templates)).serve()


if __name__ == "__main__":
    run_app() if sys.argv[1] == "app" else serve(int(sys.argv[2]))
