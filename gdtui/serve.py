"""`gdtui serve`: the TUI in web browsers through textual-serve, one gdtui process per tab.

textual-serve starts `command` through the shell for every browser websocket, with Textual's
web driver. Our command is the `gdtui.spawn` launcher, which gives each tab a new private
folder (`GDTUI_STATE_DIR`) and asks for downloads instead of files (`GDTUI_DELIVER=1`).

Three things are added to textual-serve here:

- **Offline page.** Its page template links the Roboto Mono web font from
  fonts.googleapis.com (which in turn loads the font files from fonts.gstatic.com); that is the
  only thing on the page outside the server. We serve the same template with that link replaced
  by `@font-face` rules on the copy of Roboto Mono that textual-serve ships in its static folder.
- **Stopping.** On SIGTERM or SIGINT every tab's gdtui gets SIGHUP (it keeps its session), then
  SIGKILL after a grace period, and any websocket left open is closed, so the server exits and
  no gdtui is left behind. Each tab also hangs up if the server dies (see `gdtui.spawn`).
- **Safety.** It has no authentication, so it listens on loopback unless told otherwise, and
  says so in one line when it is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import gc
import os
import re
import secrets
import shlex
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit
from typing import Callable, Sequence

import textual_serve
from aiohttp import web
from textual_serve.server import Server

from gdtui import reach_options
from gdtui.spawn import children_of, end_processes, launcher_command, running, tab_process

GRACE_SECONDS = 30.0
"""How long the tabs have to keep their sessions when the server stops (see the host's)."""

_REMOTE_FONT = re.compile(r'<link\b[^>]*href="https://fonts\.googleapis\.com/[^"]*"[^>]*>', re.S)
_LOCAL_FONT = """<style>
      @font-face { font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
      @font-face { font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
    </style>"""
_FETCHED = re.compile(r'\b(?:src|href)\s*=\s*"(?:https?:)?//', re.I)
"""An attribute that makes the browser fetch from another host (an `xmlns` only names)."""


def offline_template(folder: Path) -> list[str]:
    """Write textual-serve's page template, made to need no network, into `folder`. Returns
    what is still fetched from elsewhere (empty when all is well)."""
    original = Path(textual_serve.__file__).parent / "templates" / "app_index.html"
    page = _REMOTE_FONT.sub(lambda _: _LOCAL_FONT, original.read_text(encoding="utf-8"))
    (folder / "app_index.html").write_text(page, encoding="utf-8")
    return [page[m.start():page.find('"', m.end())] for m in _FETCHED.finditer(page)]


_TAB_TOKEN: contextvars.ContextVar[str] = contextvars.ContextVar("tab_token", default="")
"""The token of the websocket being served (each websocket is served in a task of its own)."""


class TabServer(Server):
    """textual-serve's server that refuses pages of other sites, names each tab's folder after
    a token of its own so that the tab's process can be found, hangs that process up when its
    websocket ends (one that blocks writing to a closed tab would never read textual-serve's
    quit), and ends every tab's process when it stops."""

    def __init__(self, launcher: Callable[[str], str], *, host: str, port: int, public_url: str | None,
                 templates: Path, grace: float = GRACE_SECONDS) -> None:
        self.launcher = launcher
        """The shell command that starts a tab, for its token."""
        super().__init__(launcher(""), host=host, port=port, title="gdtui", public_url=public_url,
                         templates_path=templates)
        self.grace = grace
        self._sockets: set[asyncio.Task] = set()
        """The tasks serving a browser's websocket, to be cancelled if one outlives its tab."""

    @property
    def command(self) -> str:
        """What textual-serve runs for the websocket being served: a tab with its own token."""
        return self.launcher(_TAB_TOKEN.get())

    @command.setter
    def command(self, value: str) -> None:  # (textual-serve's constructor sets it; the launcher decides)
        pass

    def allowed_origins(self) -> set[str]:
        """Where a page that may drive a tab comes from: the public address, and on loopback
        its other names."""
        url = urlsplit(self.public_url)
        origins = {f"{url.scheme}://{url.netloc}"}
        if reach_options.is_loopback(self.host):
            origins |= {f"{url.scheme}://{name}:{self.port}" for name in ("localhost", "127.0.0.1", "[::1]")}
        return origins

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin not in self.allowed_origins():
            return web.Response(status=403, text="gdtui serve: a page of another site may not open a tab\n")
        token = secrets.token_hex(8)
        _TAB_TOKEN.set(token)
        task = asyncio.current_task()
        self._sockets.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self._sockets.discard(task)
            left = tab_process(os.getpid(), token)
            if left is not None:  # (textual-serve's quit did not end it)
                await end_processes([left], self.grace)

    async def on_startup(self, app: web.Application) -> None:
        app.on_cleanup.append(self._collect)
        print(f"gdtui serve: {self.public_url} (one gdtui per browser tab; Ctrl+C or SIGTERM stops all)",
              flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        tabs = [pid for pid in children_of(os.getpid()) if running(pid)]  # (each child is a tab)
        killed = await end_processes(tabs, self.grace)
        print(f"gdtui serve: stopped {len(tabs)} tab(s)" + (f", {len(killed)} killed" if killed else ""),
              flush=True)
        for task in list(self._sockets):
            task.cancel()

    @staticmethod
    async def _collect(app: web.Application) -> None:
        """textual-serve never closes a finished tab's subprocess transport: collect them while
        the event loop still runs, or each one's finaliser fails after the loop has closed."""
        gc.collect()


def _add_own(parser: argparse.ArgumentParser) -> None:
    own = parser.add_argument_group("serving")
    own.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    own.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    own.add_argument("--public-url", default=None, metavar="URL",
                     help="the address browsers use to reach this server (default: http://HOST:PORT)")
    own.add_argument("--state-dir", type=Path, default=None, metavar="DIR",
                     help="where each tab's folder is made (default: $XDG_STATE_HOME/gdtui/serve)")
    reach_options.add_data_dir(own)


def _url(args: argparse.Namespace) -> str:
    """The address browsers use by default: this host and port (an IPv6 address in brackets)."""
    host = f"[{args.host}]" if ":" in args.host else args.host or "127.0.0.1"
    return f"http://{host}" + ("" if args.port == 80 else f":{args.port}")


def main(argv: Sequence[str] | None = None) -> int:
    args, options = reach_options.parse(
        "gdtui serve", "Serve the gdtui TUI to web browsers (textual-serve), one process per tab.",
        _add_own, sys.argv[1:] if argv is None else argv)
    if not reach_options.is_loopback(args.host):
        print(f"gdtui serve: warning: listening on {args.host}: textual-serve has no authentication, "
              f"anyone who can reach port {args.port} gets a gdtui"
              + ("; give --public-url http://NAME:PORT, the address browsers use"
                 if args.public_url is None and args.host in ("0.0.0.0", "::", "") else ""),
              file=sys.stderr, flush=True)
    root = args.state_dir or reach_options.state_root("serve")
    def launcher(token: str) -> str:
        return "exec " + shlex.join(launcher_command(
            options, tab_root=root.absolute(), data_dir=args.data_dir, deliver=True, tab_token=token))

    with tempfile.TemporaryDirectory(prefix="gdtui-serve-") as templates:
        for leftover in offline_template(Path(templates)):
            print(f"gdtui serve: warning: the page still fetches {leftover}", file=sys.stderr)
        server = TabServer(launcher, host=args.host, port=args.port, public_url=args.public_url or _url(args),
                           templates=Path(templates))
        try:
            server.serve()
        except OSError as exc:
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            print(f"gdtui serve: cannot listen on {args.host}:{args.port}: {reason}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
