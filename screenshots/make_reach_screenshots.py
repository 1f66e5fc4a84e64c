"""Write the README's pictures of `gdtui host` and `gdtui serve` from the real servers:

    python screenshots/make_reach_screenshots.py

- `host-board.svg`: `gdtui host` in tmux (a real terminal for its board), five students connected
  with the OpenSSH client, each doing something else (stepping, a run, a CSV that diverges,
  rewinding, the race); the board is captured with its colours and drawn as SVG by Rich.
- `serve-browser.png`: `gdtui serve` in headless Chromium, a tab after a few steps.

Needs tmux, ssh, ssh-keygen, /usr/bin/chromium and /usr/bin/chromedriver (and selenium).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.text import Text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "reach"))

from reach_helpers import (Browser, ServeProcess, Terminal, accepts, epoch, free_port, gdtui, ssh,  # noqa: E402
                           wait_until)

BOARD_SIZE = (128, 20)
STUDENTS = [  # (name, [(keys, what the screen shows once they took effect), ...])
    ("alice", [(b" " * 12, epoch(12))]),
    ("bob", [(b"o", rb"momentum"), (b"p", rb"done")]),
    ("carol", [(b"D", rb"path of a CSV"), (b"{csv}\r", rb"far-away\.csv \xc2\xb7"), (b"  ", rb"diverged")]),
    ("dave", [(b" " * 6, epoch(6)), (b"\x1b[D\x1b[D", rb"rewound")]),
    ("erin", [(b"   ", epoch(3)), (b"c", rb"race")]),
]
SHOWN = ("alice", "done", "diverged", "rewound", "race")
"""What the board shows once every status has reached it."""


def board(folder: Path) -> None:
    keys = folder / "keys"
    keys.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / "k")], check=True)
    data = folder / "data"
    data.mkdir()
    csv = data / "far-away.csv"
    shutil.copy(HERE.parent / "tests" / "data" / "huge.csv", csv)
    port = free_port()
    host = " ".join(gdtui("host", "--port", str(port), "--open", "--state-dir", str(folder / "state"),
                          "--data-dir", str(data), "--loss", "bce", "--seed", "0"))
    session = f"gdtui-board-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(BOARD_SIZE[0]), "-y", str(BOARD_SIZE[1]),
                    f"{host} 2>/dev/null"], check=True)
    terms = []
    try:
        wait_until(lambda: accepts(port), "the host to listen")
        for name, steps in STUDENTS:
            term = Terminal(ssh(port, keys / "k", name), 100, 30)
            terms.append(term)
            term.expect(epoch(0))
            for typed, shown in steps:
                term.send(typed.replace(b"{csv}", str(csv).encode()))
                term.expect(shown)

        def complete() -> str:
            """The board, once every student's status has reached it (else "")."""
            text = subprocess.run(["tmux", "capture-pane", "-p", "-e", "-t", session], check=True,
                                  capture_output=True, text=True).stdout
            return text if all(word in text for word in SHOWN) else ""

        shot = wait_until(complete, "every student's status on the board")
    finally:
        for term in terms:
            term.close()
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    console = Console(record=True, width=BOARD_SIZE[0], file=open(os.devnull, "w"), color_system="truecolor")
    console.print(Text.from_ansi(shot.rstrip("\n")))
    console.save_svg(str(HERE / "host-board.svg"), title="gdtui host")


def browser(folder: Path) -> None:
    server = ServeProcess(folder, gdtui("serve", "--port", "{port}", "--state-dir", "{state}", "--seed", "0",
                                        "--optimizer", "momentum"))
    (folder / "browser").mkdir()
    chromium = Browser(folder / "browser")
    try:
        chromium.driver.set_window_size(1200, 760)
        chromium.open(server.url)
        chromium.first_frame()
        folder_of_tab = wait_until(server.tab_folders, "the tab's folder")[0]
        chromium.type("        ")
        wait_until(lambda: '"epoch": 8' in _read(folder_of_tab / "status.json"), "epoch 8 in the tab")
        time.sleep(1.0)  # (the page paints what the socket brought)
        chromium.driver.save_screenshot(str(HERE / "serve-browser.png"))
    finally:
        chromium.quit()
        server.stop()


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_STATE_HOME"] = str(Path(folder) / "xdg")
        (Path(folder) / "host").mkdir()
        (Path(folder) / "serve").mkdir()
        board(Path(folder) / "host")
        browser(Path(folder) / "serve")
    print(f"wrote {HERE / 'host-board.svg'} and {HERE / 'serve-browser.png'}")


if __name__ == "__main__":
    main()
