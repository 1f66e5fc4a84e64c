"""What a session of `gdtui host` and a tab of `gdtui serve` cost: time to the first frame and
memory per session (RSS and PSS, the share of shared pages counted once).

    python tests/bench/reach_measure.py [--sessions 8]

Needs the OpenSSH client (ssh, ssh-keygen) and, for the browser part, /usr/bin/chromium,
/usr/bin/chromedriver and selenium. Prints one line per number; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reach"))

from reach_helpers import (CHROMEDRIVER, CHROMIUM, Browser, HostProcess, ServeProcess, Terminal,  # noqa: E402
                           children, epoch, gdtui, ssh, wait_until)


def memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of `pid` in MiB."""
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss"):
                values[name] = int(rest.split()[0]) / 1024
    return values["Rss"], values["Pss"]


def host_part(folder: Path, sessions: int) -> None:
    keys = folder / "keys"
    keys.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / "k")], check=True)
    (keys / "authorized_keys").write_text((keys / "k.pub").read_text())
    os.environ["XDG_STATE_HOME"] = str(folder / "state")
    host = HostProcess(folder, ["--authorized-keys", str(keys / "authorized_keys"), "--seed", "0"])
    terms, firsts = [], []
    try:
        for n in range(sessions):
            started = time.monotonic()
            term = Terminal(ssh(host.port, keys / "k", f"student{n}"), 80, 24)
            terms.append(term)
            term.expect(epoch(0))
            firsts.append(time.monotonic() - started)
        for term in terms:
            term.send(b"     ")
            term.expect(epoch(5))
        pids = wait_until(lambda: len(host.pids()) == sessions and host.pids(), "every session in the log")
        rss, pss = zip(*(memory(pid) for pid in pids))
        print(f"host: ssh to the first frame (80x24), median of {sessions}: {statistics.median(firsts):.2f} s "
              f"(first {firsts[0]:.2f} s, max {max(firsts):.2f} s)")
        print(f"host: per session after 5 epochs: RSS {statistics.median(rss):.0f} MiB, "
              f"PSS {statistics.median(pss):.0f} MiB; the host itself: RSS {memory(host.proc.pid)[0]:.0f} MiB")
        for term in terms:
            term.send(b"q")
            term.wait()
        started = time.monotonic()
        burst = [Terminal(ssh(host.port, keys / "k", f"burst{n}"), 80, 24) for n in range(sessions)]
        terms += burst
        for term in burst:
            term.expect(epoch(0), seconds=300)
        print(f"host: {sessions} students connecting at once: the last first frame after "
              f"{time.monotonic() - started:.2f} s ({os.cpu_count()} CPUs)")
        for term in burst:
            term.send(b"q")
            term.wait()
    finally:
        for term in terms:
            term.close()
        host.stop()


def browser_part(folder: Path) -> None:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        print(f"serve: skipped ({CHROMIUM} or {CHROMEDRIVER} missing)")
        return
    server = ServeProcess(folder, gdtui("serve", "--port", "{port}", "--state-dir", "{state}", "--seed", "0"))
    (folder / "browser").mkdir()
    browser = Browser(folder / "browser")
    try:
        firsts = []
        for n in range(3):
            started = time.monotonic()
            browser.open(server.url, new_tab=n > 0)
            browser.first_frame()
            firsts.append(time.monotonic() - started)
        tabs = wait_until(lambda: len(server.tabs()) == 3 and server.tabs(), "three tabs")
        rss, pss = zip(*(memory(pid) for pid in tabs))
        print(f"serve: page load to the first bytes of the app, median of 3 tabs: {statistics.median(firsts):.2f} s")
        print(f"serve: per tab: RSS {statistics.median(rss):.0f} MiB, PSS {statistics.median(pss):.0f} MiB; "
              f"the server itself: RSS {memory(server.proc.pid)[0]:.0f} MiB")
    finally:
        browser.quit()
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(timeout=60)
        assert not children(server.proc.pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "host").mkdir()
        (Path(folder) / "serve").mkdir()
        host_part(Path(folder) / "host", args.sessions)
        browser_part(Path(folder) / "serve")


if __name__ == "__main__":
    main()
