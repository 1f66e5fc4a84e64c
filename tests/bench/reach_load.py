"""A classroom's load on `gdtui host`, and a browser tab of `gdtui serve` (issue 13's numbers).

    python tests/bench/reach_load.py [--sessions 30] [--seconds 60] [--rate 2] [--tabs 3]

Host: SESSIONS real OpenSSH clients (80x24, each on a pseudo-terminal of its own) connect to one
`gdtui host` on loopback; once every one shows its first frame, each presses `space` RATE times a
second (open loop, with random phases) for SECONDS. For every key: the time from writing it to the
client's terminal until that terminal shows the status line's new `epoch N` (the whole path: ssh,
the host's pumps, the app, its redraw, and back). Then: resident memory per session (RSS, and PSS
counting shared pages once), the CPU the host and the sessions used meanwhile, and the clients'
own (they would run on the students' machines).

Browser: TABS tabs of headless Chromium load the page of one `gdtui serve`, one after another; for
each, the time from asking for the page until the app's first frame reaches it (textual.js marks
the page's body `-first-byte` when the app's first bytes arrive), the tab's process start
included.

Needs ssh and ssh-keygen; the browser part /usr/bin/chromium, /usr/bin/chromedriver and selenium.
Prints the numbers; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reach"))

from reach_helpers import (CHROMEDRIVER, CHROMIUM, Browser, HostProcess, ServeProcess, Terminal,  # noqa: E402
                           EPOCH, children, gdtui, ssh, wait_until)

TICK = os.sysconf("SC_CLK_TCK")
PATTERNS = [re.compile(EPOCH % n) for n in range(2000)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of `pid` in MiB."""
    values = {}
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss"):
                values[name] = int(rest.split()[0]) / 1024
    return values["Rss"], values["Pss"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Student:
    """One client's terminal: the keys sent, waiting for their epochs to show."""

    def __init__(self, term: Terminal) -> None:
        self.term = term
        self.epoch = 0
        """The epoch the last key sent should bring."""
        self.waiting: list[tuple[int, float]] = []
        """(epoch, when its key was sent), oldest first."""
        self.unread = b""
        """What came since the last epoch seen (the measuring side must stay cheap: it shares the CPUs)."""

    def send(self, now: float) -> None:
        self.epoch += 1
        self.waiting.append((self.epoch, now))
        self.term.send(b" ")

    def read(self, now: float, latencies: list[float]) -> None:
        """Take what arrived; each awaited epoch that now shows counts (and any before it)."""
        try:
            data = os.read(self.term.master, 65536)
        except OSError:
            return
        self.unread += data
        while self.waiting:
            target, sent = self.waiting[0]
            found = PATTERNS[target].search(self.unread) if target < len(PATTERNS) else None
            if not found:
                break
            self.unread = self.unread[found.end():]
            self.waiting.pop(0)
            latencies.append(now - sent)


def host_part(folder: Path, sessions: int, seconds: float, rate: float) -> None:
    keys = folder / "keys"
    keys.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / "k")], check=True)
    (keys / "authorized_keys").write_text((keys / "k.pub").read_text())
    host = HostProcess(folder, ["--authorized-keys", str(keys / "authorized_keys"), "--max-sessions",
                                str(sessions), "--rate-limit", str(max(60, 2 * sessions)), "--seed", "0"])
    students: list[Student] = []
    try:
        started = time.monotonic()
        for n in range(sessions):
            students.append(Student(Terminal(ssh(host.port, keys / "k", f"student{n}"), 80, 24)))
        for student in students:
            student.term.expect(EPOCH % 0, seconds=600)
        print(f"host: {sessions} students connecting at once: every first frame after "
              f"{time.monotonic() - started:.1f} s")
        pids = wait_until(lambda: len(host.pids()) == sessions and host.pids(), "every session in the log")
        clients = [s.term.proc.pid for s in students]
        selector = selectors.DefaultSelector()
        for student in students:
            selector.register(student.term.master, selectors.EVENT_READ, student)
        period = 1 / rate
        begin = time.monotonic()
        due = [begin + random.random() * period for _ in students]
        cpu_before = {pid: cpu_seconds(pid) for pid in (host.proc.pid, *pids, *clients, os.getpid())}
        latencies: list[float] = []
        end = begin + seconds
        while True:
            now = time.monotonic()
            if now >= end and not any(s.waiting for s in students):
                break
            if now >= end + 30:
                break
            for n, student in enumerate(students):
                if now < end and now >= due[n]:
                    student.send(now)
                    due[n] += period
            wait = max(0.0, min(due) - time.monotonic()) if now < end else 0.05
            for key, _ in selector.select(timeout=min(wait, 0.05)):
                key.data.read(time.monotonic(), latencies)
        spent = time.monotonic() - begin
        cpu = {pid: cpu_seconds(pid) - before for pid, before in cpu_before.items()}
        lost = sum(len(s.waiting) for s in students)
        sent = sum(s.epoch for s in students)
        rss, pss = zip(*(memory(pid) for pid in pids))
        host_rss = memory(host.proc.pid)[0]
        ms = [1000 * v for v in latencies]
        print(f"host: {sessions} sessions x {rate:g} keys/s for {seconds:.0f} s: {sent} keys, {len(ms)} screens seen"
              + (f", {lost} never seen" if lost else ""))
        print(f"host: key to screen: median {statistics.median(ms):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, "
              f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms")
        print(f"host: memory per session: RSS median {statistics.median(rss):.0f} MiB (max {max(rss):.0f}), "
              f"PSS median {statistics.median(pss):.0f} MiB; all {sessions}: PSS {sum(pss):.0f} MiB; "
              f"the host process: RSS {host_rss:.0f} MiB")
        share = lambda pids_: 100 * sum(cpu[p] for p in pids_) / spent  # noqa: E731 (% of one CPU)
        print(f"host: CPU during the load, in % of one CPU ({os.cpu_count()} here): the host process "
              f"{share([host.proc.pid]):.0f}%, the {sessions} sessions {share(pids):.0f}% "
              f"(each {share(pids) / sessions:.1f}%), the ssh clients {share(clients):.0f}%, this measuring "
              f"process {share([os.getpid()]):.0f}%")
        for student in students:
            student.term.send(b"q")
        for student in students:
            student.term.wait(seconds=120)
    finally:
        for student in students:
            student.term.close()
        host.stop()


def browser_part(folder: Path, tabs: int) -> None:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        print(f"serve: skipped ({CHROMIUM} or {CHROMEDRIVER} missing)")
        return
    server = ServeProcess(folder, gdtui("serve", "--port", "{port}", "--state-dir", "{state}", "--seed", "0"))
    (folder / "browser").mkdir()
    browser = Browser(folder / "browser")
    try:
        browser.open("about:blank")
        firsts = []
        for n in range(tabs):
            started = time.monotonic()
            browser.open(server.url, new_tab=n > 0)
            browser.first_frame()
            firsts.append(time.monotonic() - started)
        wait_until(lambda: len(server.tabs()) == tabs, "every tab's gdtui")
        rss = [memory(pid)[0] for pid in server.tabs()]
        print(f"serve: page load to the app's first frame, {tabs} tabs one after another: median "
              f"{statistics.median(firsts):.2f} s (min {min(firsts):.2f}, max {max(firsts):.2f}); "
              f"RSS per tab {statistics.median(rss):.0f} MiB")
    finally:
        browser.quit()
        server.stop()
        assert not children(server.proc.pid)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            return next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=2.0, help="keys per second per session")
    parser.add_argument("--tabs", type=int, default=3)
    args = parser.parse_args()
    print(f"{cpu_model()}, {os.cpu_count()} CPUs; Linux {platform.release()}; Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_STATE_HOME"] = str(Path(folder) / "state")
        for part in ("host", "serve"):
            (Path(folder) / part).mkdir()
        if args.sessions:
            host_part(Path(folder) / "host", args.sessions, args.seconds, args.rate)
        if args.tabs:
            browser_part(Path(folder) / "serve", args.tabs)


if __name__ == "__main__":
    main()
