"""Helpers for the reach tests (imported by name: this folder is on sys.path): free ports, waiting on readiness (never a fixed sleep), a real
pseudo-terminal for the OpenSSH client, and a view of processes through /proc."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Callable, Sequence

EPOCH = rb"epoch (?:\x1b\[[0-9;:]*m)*%d\b"
"""The status line's `epoch N` (colour codes may sit between the word and the number)."""


def epoch(n: int) -> bytes:
    return EPOCH % n


def free_port() -> int:
    """A port nobody listens on now (the kernel's pick for port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(ready: Callable[[], object], what: str, seconds: float = 60.0) -> object:
    """Poll `ready` until it returns something true; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = ready()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


# ---- processes ------------------------------------------------------------------------------------


def _stat(pid: int) -> list[bytes] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in (b"Z", b"X")


def processes() -> dict[int, list[bytes]]:
    """pid -> the fields of /proc/pid/stat after the command name (state, ppid, pgrp, ...)."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (fields := _stat(int(name))) is not None:
            found[int(name)] = fields
    return found


def in_groups(groups: set[int]) -> list[int]:
    """Live processes whose process group is one of `groups`."""
    return [pid for pid, f in processes().items() if int(f[2]) in groups and f[0] not in (b"Z", b"X")]


def children(parent: int) -> list[int]:
    return sorted(pid for pid, f in processes().items() if int(f[1]) == parent and f[0] not in (b"Z", b"X"))


def gdtui(*argv: str) -> list[str]:
    return [sys.executable, "-m", "gdtui", *argv]


# ---- a real terminal -------------------------------------------------------------------------------


class Terminal:
    """A command (the OpenSSH client) on a pseudo-terminal of its own, as a student's."""

    def __init__(self, argv: Sequence[str], columns: int = 100, rows: int = 30) -> None:
        self.master, slave = os.openpty()
        self._size(columns, rows)
        env = {**os.environ, "TERM": "xterm-256color"}
        self.proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = b""
        self._mark = 0

    def _size(self, columns: int, rows: int) -> None:
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def _read(self, timeout: float) -> bool:
        if select.select([self.master], [], [], timeout)[0]:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return False
            self.output += data
            return bool(data)
        return True

    def expect(self, pattern: bytes, seconds: float = 60.0) -> re.Match:
        """Read until `pattern` shows in what came since the last `expect` (fail after `seconds`)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = regex.search(self.output, self._mark)
            if found:
                self._mark = found.end()
                return found
            if not self._read(0.2) and self.proc.poll() is not None:
                break
        raise AssertionError(f"never saw {pattern!r}; last output: {self.output[-600:]!r}")

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def resize(self, columns: int, rows: int) -> None:
        """What a terminal window does: a new size on the pseudo-terminal, SIGWINCH to ssh."""
        self._size(columns, rows)
        self.proc.send_signal(signal.SIGWINCH)

    def wait(self, seconds: float = 60.0) -> int:
        """The command's exit status, reading its last output meanwhile."""
        deadline = time.monotonic() + seconds
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        while self._read(0):  # (what it wrote just before leaving)
            pass
        return self.proc.wait(timeout=1)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


# ---- SSH ---------------------------------------------------------------------------------------------


def ssh(port: int, key: Path, name: str, *extra: str, tty: bool = True) -> list[str]:
    """The OpenSSH client as a student runs it (no agent, no known_hosts, never a prompt)."""
    return ["ssh", "-tt" if tty else "-T", "-p", str(port), "-i", str(key), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
            "-o", "BatchMode=yes", "-o", "ConnectTimeout=30", "-F", "/dev/null", *extra, f"{name}@127.0.0.1"]


class HostProcess:
    """`gdtui host` on a free loopback port, its log in a file."""

    def __init__(self, folder: Path, args: Sequence[str]) -> None:
        self.port = free_port()
        self.state = folder / "host-state"
        self.log_path = folder / f"host-{self.port}.log"
        self.err_path = folder / f"host-{self.port}.err"
        with open(self.log_path, "wb") as log, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(
                gdtui("host", "--port", str(self.port), "--state-dir", str(self.state), *args),
                stdout=log, stderr=err, stdin=subprocess.DEVNULL)
        wait_until(lambda: accepts(self.port) or self.proc.poll() is not None, "the host to listen")
        assert self.proc.poll() is None, self.err_path.read_text()

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def pids(self) -> set[int]:
        """Every session's gdtui the host has started (its log says `pid N`)."""
        return {int(p) for p in re.findall(r"\bpid (\d+)\)", self.log)}

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


# ---- browsers ----------------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,800")


class ServeProcess:
    """`gdtui serve` (or another server command) on a free loopback port, its output in files."""

    def __init__(self, folder: Path, argv: Sequence[str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.state = folder / f"serve-state-{self.port}"
        self.cwd = folder / f"serve-cwd-{self.port}"
        """The server's working directory (nothing of a tab may land there)."""
        self.cwd.mkdir()
        self.out_path = folder / f"serve-{self.port}.out"
        self.err_path = folder / f"serve-{self.port}.err"
        argv = [a.replace("{port}", str(self.port)).replace("{state}", str(self.state)) for a in argv]
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=self.cwd)
        wait_until(lambda: accepts(self.port) or self.proc.poll() is not None, "the server to listen")
        assert self.proc.poll() is None, self.err_path.read_text()

    @property
    def out(self) -> str:
        return self.out_path.read_text()

    def tabs(self) -> list[int]:
        """The server's children that are running: one gdtui per tab."""
        return children(self.proc.pid)

    def tab_folders(self) -> list[Path]:
        return sorted(self.state.glob("tab-*")) if self.state.exists() else []

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


class Browser:
    """Headless Chromium driven by selenium, with downloads allowed into `downloads`."""

    def __init__(self, folder: Path) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.downloads = folder / "downloads"
        self.downloads.mkdir(exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={folder / 'profile'}")
        options.add_experimental_option("prefs", {"download.default_directory": str(self.downloads),
                                                  "download.prompt_for_download": False})
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        self.driver.set_page_load_timeout(60)
        self._allow_downloads()

    def _allow_downloads(self) -> None:
        """Headless Chromium saves downloads only where DevTools allows it (for each tab)."""
        self.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": str(self.downloads)})

    def open(self, url: str, new_tab: bool = False) -> None:
        if new_tab:
            self.driver.switch_to.new_window("tab")
            self._allow_downloads()
        self.driver.get(url)

    def switch(self, tab: int) -> None:
        """Make the `tab`-th tab (from 0) the one typed into."""
        self.driver.switch_to.window(self.driver.window_handles[tab])

    def first_frame(self) -> None:
        """Wait until the page has had the app's first bytes (textual.js marks the body)."""
        wait_until(lambda: self.driver.execute_script("return document.body.classList.contains('-first-byte')"),
                   "the app's first frame in the page")

    def ended(self) -> bool:
        """The page says "Session ended" (its websocket closed)."""
        return self.driver.execute_script("return document.body.classList.contains('-closed')")

    def type(self, keys: str) -> None:
        """Keys into the terminal: the xterm.js textarea is hidden, so focus it and type into
        whatever has the focus."""
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By

        area = self.driver.find_element(By.CSS_SELECTOR, ".textual-terminal textarea, textarea")
        self.driver.execute_script("arguments[0].focus();", area)
        ActionChains(self.driver).send_keys(keys).perform()

    def requested(self) -> list[str]:
        """Every URL the pages asked for so far (from the DevTools performance log)."""
        import json

        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                urls.append(message["params"]["request"]["url"])
        return urls

    def downloaded(self) -> list[Path]:
        """Finished downloads."""
        files = list(self.downloads.iterdir())
        return [] if any(f.suffix == ".crdownload" for f in files) else files

    def quit(self) -> None:
        self.driver.quit()
