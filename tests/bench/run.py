"""gdtui's benchmark: every speed target of issue 6, measured, with the ratio and PASS/FAIL.

    python tests/bench/run.py            # the full run (about five minutes on 2 cores)
    python tests/bench/run.py --quick    # fewer epochs and repeats, for a first look

Each number is the median of several runs; the two sides of every ratio are measured in the same
invocation, alternating, so that a noisy machine shifts both. Processes are started as a user
starts them: the environment minus PYTHONUNBUFFERED (unbuffered output would make the lesson's
60,000 log lines cost a system call each) and minus PYTHONDONTWRITEBYTECODE (an installed
program has its bytecode cached; a warm-up run writes it).

Targets (issue 6):
  a. `gdtui train --json`, whole process, vs the lesson's loop transcribed (tests/bench/tutorial_loop.py),
     both generating the same data with NumPy (neither imports scikit-learn):
     >= 1.3x faster at 500 training rows (300k epochs), >= 4x at 1e6 rows with the lesson's alpha
  b. launching `gdtui` to its first frame showing the data and `epoch 0`, in a real terminal (tmux),
     vs the smallest Textual app showing one line (tests/bench/minimal_app.py): <= 2.0x
  c. run mode at 500 rows: engine epochs/s in the app >= 50% of headless, at >= 20 frames/s
  d. `space` to the updated screen at 1e5 training rows (Pilot): p95 <= 50 ms
  e. 1e6 training rows in the TUI: an epoch step <= 30 ms, a full redraw <= 40 ms, peak RSS <= 400 MB
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent.parent
PY = sys.executable
TERMINAL = (80, 24)


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def gdtui_command() -> list[str]:
    script = Path(PY).with_name("gdtui")
    return [str(script)] if script.exists() else [PY, "-m", "gdtui"]


def timed(command: list[str]) -> tuple[float, str]:
    """Wall seconds of one whole process, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def lesson_start(seed: int) -> tuple[float, float, float]:
    """The lesson's `W = np.random.randn(3, 1)` after `np.random.seed(seed)`, as gdtui's
    --init-weights (bias first): both processes then run the same computation."""
    np.random.seed(seed)
    w = np.random.randn(3, 1)[:, 0]
    return float(w[2]), float(w[0]), float(w[1])


def headless(samples: int, epochs: int, repeats: int) -> dict:
    """Target a: both whole processes, alternating; their final losses compared."""
    seed = 0
    start = ",".join(repr(v) for v in lesson_start(seed))
    ours = gdtui_command() + ["train", "--json", "--samples", str(samples), "--epochs", str(epochs),
                              "--alpha", "0.01", f"--init-weights={start}", "--seed", "0"]
    lesson = [PY, str(BENCH / "tutorial_loop.py"), "--samples", str(samples), "--epochs", str(epochs),
              "--alpha", "0.01", "--seed", str(seed)]
    timed(ours)  # warm-up: caches bytecode and data files, both sides
    timed(lesson)
    ours_s, lesson_s = [], []
    for k in range(repeats):
        for side in (("lesson", "ours") if k % 2 == 0 else ("ours", "lesson")):  # ABBA: drift cancels
            if side == "lesson":
                elapsed, out = timed(lesson)
                lesson_s.append(elapsed)
                lesson_loss = float([line for line in out.splitlines() if line.startswith("[INFO] epoch=")][-1]
                                    .split("loss=")[1])
            else:
                elapsed, out = timed(ours)
                ours_s.append(elapsed)
                our_loss = json.loads(out)["losses"][-1]
    gap = abs(our_loss - lesson_loss) / max(abs(lesson_loss), 1e-300)
    return {"gdtui_s": statistics.median(ours_s), "lesson_s": statistics.median(lesson_s),
            "ratio": statistics.median(lesson_s) / statistics.median(ours_s), "loss_gap": gap,
            "rows": samples // 2, "epochs": epochs}


def loops_only(samples: int, epochs: int, repeats: int) -> dict:
    """The two training loops alone, each timed inside its own process (no start-up, no data):
    what the whole-process ratio tends to as the epochs grow."""
    start = ",".join(repr(v) for v in lesson_start(0))
    ours = [PY, str(BENCH / "engine_loop.py"), str(samples), str(epochs), start]
    lesson = [PY, str(BENCH / "tutorial_loop.py"), "--samples", str(samples), "--epochs", str(epochs),
              "--alpha", "0.01", "--seed", "0", "--quiet", "--time-loop"]
    ours_s, lesson_s = [], []
    for k in range(repeats):
        for side in (("lesson", "ours") if k % 2 == 0 else ("ours", "lesson")):
            if side == "lesson":
                _, out = timed(lesson)
                lesson_s.append(float(out.strip().splitlines()[-1].split("loop_seconds=")[1].split()[0]))
            else:
                _, out = timed(ours)
                ours_s.append(json.loads(out)["seconds"])
    per_epoch = statistics.median(lesson_s) / epochs, statistics.median(ours_s) / epochs
    return {"lesson_ms": 1e3 * per_epoch[0], "gdtui_ms": 1e3 * per_epoch[1], "ratio": per_epoch[0] / per_epoch[1]}


# ---- b: start-up in a real terminal ---------------------------------------------------------


class Tmux:
    """A private tmux server (its own socket), so that nothing else is touched."""

    def __init__(self) -> None:
        self.socket = f"gdtui-bench-{os.getpid()}"
        self.run("new-session", "-d", "-s", "idle", "-x", str(TERMINAL[0]), "-y", str(TERMINAL[1]), "sleep 86400")

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False).stdout

    def time_to(self, command: str, ready) -> float:
        """Seconds from launching `command` in a fresh window to `ready(screen text)` being true."""
        name = f"w{time.monotonic_ns()}"
        env = " ".join(f"-u {k}" for k in ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"))
        started = time.perf_counter()
        self.run("new-session", "-d", "-s", name, "-x", str(TERMINAL[0]), "-y", str(TERMINAL[1]),
                 f"cd {ROOT} && exec env {env} {command}")
        try:
            while True:
                screen = self.run("capture-pane", "-p", "-t", name)
                if ready(screen):
                    return time.perf_counter() - started
                if time.perf_counter() - started > 60:
                    raise SystemExit(f"no first frame after 60 s: {command}\n{screen}")
                time.sleep(0.002)
        finally:
            self.run("kill-session", "-t", name)

    def close(self) -> None:
        self.run("kill-server")


def gdtui_ready(screen: str) -> bool:
    """The first frame: the status line at epoch 0 and the scatter with both classes drawn."""
    return "epoch 0 " in screen and "train (" in screen and screen.count("o") > 20 and screen.count("x") > 20


def startup(repeats: int) -> dict:
    if shutil.which("tmux") is None:
        return {"skipped": "tmux not found"}
    tmux = Tmux()
    try:
        ours_cmd = " ".join(gdtui_command() + ["--seed", "0"])
        minimal_cmd = f"{PY} {BENCH / 'minimal_app.py'}"
        tmux.time_to(ours_cmd, gdtui_ready)  # warm-up
        tmux.time_to(minimal_cmd, lambda s: "minimal textual app: ready" in s)
        ours, minimal = [], []
        for k in range(repeats):
            for side in (("minimal", "ours") if k % 2 == 0 else ("ours", "minimal")):
                if side == "minimal":
                    minimal.append(tmux.time_to(minimal_cmd, lambda s: "minimal textual app: ready" in s))
                else:
                    ours.append(tmux.time_to(ours_cmd, gdtui_ready))
    finally:
        tmux.close()
    return {"gdtui_s": statistics.median(ours), "minimal_s": statistics.median(minimal),
            "ratio": statistics.median(ours) / statistics.median(minimal)}


# ---- c, d, e: inside the TUI, driven by Pilot -------------------------------------------------


def probe(name: str, argument: str, repeats: int) -> list[dict]:
    results = []
    for _ in range(repeats):
        _, out = timed([PY, str(BENCH / "tui_probe.py"), name, argument])
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def median_of(results: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in results)


# ---- the table ------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # older NumPy: no dict form
        blas = "unknown"
    return (f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, NumPy {np.__version__} ({blas}), "
            f"Textual {importlib.metadata.version('textual')}")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repeats")
    parser.add_argument("--repeats", type=int, default=None, help="runs per measurement (default 5, quick 2)")
    args = parser.parse_args()
    repeats = args.repeats or (2 if args.quick else 5)
    small_epochs = 30_000 if args.quick else 300_000
    large_epochs = 20 if args.quick else 50
    rows = []

    print(f"# gdtui benchmark, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", flush=True)
    print(f"machine: {machine()}", flush=True)
    print(f"medians of {repeats} runs; terminal {TERMINAL[0]}x{TERMINAL[1]}\n", flush=True)

    a1 = headless(1000, small_epochs, repeats)
    rows.append((f"a. `gdtui train --json` vs the lesson's loop, 500 rows, {small_epochs:,} epochs (whole process)",
                 f"{a1['lesson_s']:.2f} s / {a1['gdtui_s']:.2f} s", f"{a1['ratio']:.2f}x faster", ">= 1.3x",
                 verdict(a1["ratio"] >= 1.3)))
    a2 = headless(2_000_000, large_epochs, max(2, repeats - 2))
    rows.append((f"a. the same, 1e6 rows, alpha 0.01, {large_epochs} epochs (whole process, data generation included)",
                 f"{a2['lesson_s']:.2f} s / {a2['gdtui_s']:.2f} s", f"{a2['ratio']:.2f}x faster", ">= 4x",
                 verdict(a2["ratio"] >= 4.0)))
    for samples, epochs in ((1000, small_epochs // 10), (2_000_000, 20)):
        loop = loops_only(samples, epochs, repeats)
        rows.append((f"(for comparison) the training loops alone, {samples // 2:,} rows, per epoch",
                     f"{loop['lesson_ms']:.3f} ms / {loop['gdtui_ms']:.3f} ms", f"{loop['ratio']:.2f}x faster",
                     "-", "-"))
    b = startup(max(5, repeats + 2))
    if "skipped" in b:
        rows.append(("b. launch to first frame vs a one-line Textual app", b["skipped"], "-", "<= 2.0x", "-"))
    else:
        rows.append(("b. launch `gdtui` to its first frame (data, `epoch 0`) vs a one-line Textual app, in tmux",
                     f"{1e3 * b['gdtui_s']:.0f} ms / {1e3 * b['minimal_s']:.0f} ms", f"{b['ratio']:.2f}x",
                     "<= 2.0x", verdict(b["ratio"] <= 2.0)))
    c = probe("run", "5" if not args.quick else "3", max(3, repeats - 2))
    share, fps = median_of(c, "share"), median_of(c, "fps")
    rows.append(("c. run mode at 500 rows: engine epochs/s in the app vs headless; frames/s",
                 f"{median_of(c, 'app_eps'):,.0f} / {median_of(c, 'headless_eps'):,.0f} epochs/s; {fps:.1f} fps",
                 f"{100 * share:.0f}%", ">= 50% at >= 20 fps", verdict(share >= 0.5 and fps >= 20)))
    d = probe("keys", "40" if not args.quick else "20", max(2, repeats - 3))
    p95 = median_of(d, "p95_ms")
    rows.append(("d. `space` to the updated screen, 1e5 rows (Pilot)",
                 f"median {median_of(d, 'median_ms'):.1f} ms, p95 {p95:.1f} ms", "-", "p95 <= 50 ms",
                 verdict(p95 <= 50)))
    e = probe("large", "7" if not args.quick else "3", max(2, repeats - 3))
    step, redraw, rss = median_of(e, "step_ms"), median_of(e, "redraw_ms"), max(r["peak_rss_mb"] for r in e)
    rows.append(("e. 1e6 rows in the TUI: one epoch step", f"{step:.1f} ms", "-", "<= 30 ms", verdict(step <= 30)))
    rows.append(("e. 1e6 rows in the TUI: one full redraw", f"{redraw:.1f} ms", "-", "<= 40 ms", verdict(redraw <= 40)))
    rows.append(("e. 1e6 rows in the TUI: peak RSS", f"{rss:.0f} MB", "-", "<= 400 MB", verdict(rss <= 400)))
    f = probe("frames", "", max(3, repeats - 2))
    small, large_ = median_of(f, "80x24_ms"), median_of(f, "120x40_ms")
    rows.append(("f. redraw cost per frame, 500 rows, after one epoch (CPU ms, 80x24 / 120x40)",
                 f"{small:.1f} ms / {large_:.1f} ms", "-", "-", "-"))

    print("| target | measured | ratio | goal | result |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nfinal losses, gdtui vs the lesson's loop from the same start: relative gap {a1['loss_gap']:.1e} "
          f"(500 rows), {a2['loss_gap']:.1e} (1e6 rows)")


if __name__ == "__main__":
    main()
