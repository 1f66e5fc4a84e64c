"""Session files at length (issue 12): save and load time, file size, and the peak memory of a
long headless run that saves.

    python tests/bench/sessions.py                    # 300k and 3M epochs, then the 2M-epoch headless run
    python tests/bench/sessions.py --epochs 300000    # only these lengths (no headless run)

Targets: a 3M-epoch full-batch session saves in < 2 s (the TUI's q must finish within 2 s at any
length); `gdtui train --epochs 2000000 --save F` peaks under 1 GB RSS.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.session import SessionError, load, save


def saving(epochs: int, folder: str) -> None:
    trainer = create_trainer(TrainConfig(seed=0, epochs=epochs))
    began = time.perf_counter()
    trainer.run()
    trained = time.perf_counter() - began
    path = os.path.join(folder, f"s{epochs}.json")
    began = time.perf_counter()
    try:
        save(trainer, path)
    except SessionError as exc:
        print(f"{epochs:>9} epochs: trained in {trained:.1f} s; save refused after "
              f"{time.perf_counter() - began:.2f} s: {exc}")
        return
    saved = time.perf_counter() - began
    size = os.path.getsize(path)
    began = time.perf_counter()
    load(path)
    loaded = time.perf_counter() - began
    print(f"{epochs:>9} epochs: trained in {trained:.1f} s; saved in {saved:.2f} s, {size / 1e6:.1f} MB; "
          f"loaded in {loaded:.2f} s")
    os.unlink(path)


def headless(epochs: int, folder: str) -> None:
    path = os.path.join(folder, "headless.json")
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "gdtui", "train", "--epochs", str(epochs),
               "--seed", "0", "--save", path]
    done = subprocess.run(command, capture_output=True, text=True)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", done.stderr)
    last = (done.stdout.strip().splitlines() or [""])[-1]
    size = os.path.getsize(path) / 1e6 if os.path.exists(path) else 0.0
    print(f"gdtui train --epochs {epochs} --save F: exit {done.returncode}, peak RSS "
          f"{int(peak.group(1)) / 1024:.0f} MB, wall {wall.group(1) if wall else '?'}, file {size:.1f} MB; {last[:100]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, nargs="*", default=None)
    parser.add_argument("--headless", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for epochs in args.epochs or (300_000, 3_000_000):
            saving(epochs, folder)
        if args.epochs is None:
            headless(args.headless, folder)


if __name__ == "__main__":
    main()
