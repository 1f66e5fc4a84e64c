"""Fixtures for the reach tests: SSH keys and `gdtui host` processes that are always stopped."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from reach_helpers import HostProcess, in_groups


@pytest.fixture(scope="session")
def keys(tmp_path_factory) -> dict[str, Path]:
    """Private keys for alice, bob and mallory; authorized_keys lets alice and bob in."""
    if shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        pytest.skip("the OpenSSH client is not installed (apt-get install openssh-client)")
    folder = tmp_path_factory.mktemp("keys")
    found = {}
    for name in ("alice", "bob", "mallory"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(folder / name)],
                       check=True)
        found[name] = folder / name
    allowed = folder / "authorized_keys"
    allowed.write_text("".join((folder / f"{n}.pub").read_text() for n in ("alice", "bob")))
    found["authorized_keys"] = allowed
    return found


@pytest.fixture
def start_host(tmp_path, keys):
    """`start_host(*args)` starts a host (default: alice's and bob's keys, seed 0); each one is
    stopped at the end, and no session's gdtui may be left."""
    started: list[HostProcess] = []

    def start(*args: str, authorized: bool = True) -> HostProcess:
        extra = ["--authorized-keys", str(keys["authorized_keys"])] if authorized else []
        host = HostProcess(tmp_path, [*extra, "--seed", "0", *args])
        started.append(host)
        return host

    yield start
    for host in started:
        if host.proc.poll() is None:
            host.proc.kill()
            host.proc.wait()
        left = in_groups(host.pids())
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"gdtui processes outlived the host: {left}"


@pytest.fixture
def browser(tmp_path):
    """A fresh headless Chromium (skipped, saying why, where there is none)."""
    pytest.importorskip("selenium", reason="selenium is not installed (pip install selenium)")
    from reach_helpers import CHROMEDRIVER, CHROMIUM, Browser

    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            pytest.skip(f"{path} is missing (apt-get install {package})")
    (tmp_path / "browser").mkdir()
    browser = Browser(tmp_path / "browser")
    yield browser
    browser.quit()


@pytest.fixture
def start_server(tmp_path):
    """`start_server(*argv)` starts a server ({port} and {state} in argv are filled in); each
    is stopped at the end, and none of its tabs may be left."""
    from reach_helpers import ServeProcess, alive

    started: list[ServeProcess] = []

    def start(*argv: str) -> ServeProcess:
        server = ServeProcess(tmp_path, argv)
        started.append(server)
        return server

    yield start
    for server in started:
        tabs = server.tabs()
        if server.proc.poll() is None:
            server.proc.send_signal(signal.SIGTERM)
            server.proc.wait(timeout=60)
        left = [pid for pid in tabs if alive(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"tabs outlived the server: {left}"
