"""Stress the exit path: start gdtui in a real pty, bring it to a moment, drop the link, and count
the tries where the process outlived the drop by more than the bound (or lost the autosave).

    python tests/bench/drops_stress.py                       # every moment x every drop, 50 tries each
    python tests/bench/drops_stress.py -n 10 --moments run --drops close,SIGHUP --load 2

A hung try is reported with py-spy's dump of every thread (pip install py-spy), then killed.
Prints one line per (moment, drop) and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
from pty_app import DROPS, MOMENTS, RUN_ARGS, Hung, PtyApp, reach  # noqa: E402

from gdtui.engine.session import load  # noqa: E402


def one_try(moment: str, how: str, seed: int, bound: float, env: dict) -> dict:
    """One start, moment and drop; what happened."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as home:
        args = ["--seed", "0", *(RUN_ARGS if moment == "run" else [])]
        with PtyApp(args, state_home=home, env=env, cwd=home) as app:  # (not here: `-m` would find ./gdtui)
            try:
                wanted = reach(app, moment, rng)
            except Hung as exc:
                return {"outcome": "never-reached", "detail": str(exc)[-3000:]}
            app.drop(how)
            try:
                gone = app.wait_gone(bound)
            except Hung as exc:
                return {"outcome": "hung", "detail": str(exc)[-6000:]}
            status = app.proc.returncode
        kept = sorted(Path(home, "gdtui", "sessions").glob("*.json"))
        kept_file = kept[-1] if kept else Path(home, "gdtui", "sessions", "none.json")
        kept = load(kept_file).epoch if kept_file.exists() else 0  # (nothing trained: nothing kept)
        lost = kept < wanted if moment == "run" else kept != wanted
        return {"outcome": "lost-autosave" if lost else "ok", "gone": gone, "status": status,
                "detail": "" if not lost else app.text[-400:]}


def burn(seconds: float) -> None:
    """Keep one core busy (the `--load` option)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=50, help="tries per moment and drop (default 50)")
    parser.add_argument("--moments", default=",".join(MOMENTS))
    parser.add_argument("--drops", default=",".join(DROPS))
    parser.add_argument("--bound", type=float, default=2.0, help="seconds a process may outlive the drop")
    parser.add_argument("--jobs", type=int, default=2, help="tries at once")
    parser.add_argument("--load", type=int, default=0, help="busy processes beside the tries")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--code", type=Path, default=None,
                        help="run the gdtui package found in this folder (e.g. an older checkout)")
    parser.add_argument("--details", type=Path, default=None, help="write every failed try's dump here")
    options = parser.parse_args()
    burners = [multiprocessing.Process(target=burn, args=(36000,), daemon=True) for _ in range(options.load)]
    for b in burners:
        b.start()
    env = {"PYTHONPATH": str(options.code.resolve())} if options.code else {}
    summary, failures = {}, []
    try:
        with ThreadPoolExecutor(options.jobs) as pool:
            for moment in options.moments.split(","):
                for how in options.drops.split(","):
                    if how.startswith("stalled+") and moment != "run":  # (only run mode fills the pty)
                        continue
                    seeds = [hash((options.seed, moment, how, k)) & 0xFFFFFFFF for k in range(options.n)]
                    results = list(pool.map(lambda s: one_try(moment, how, s, options.bound, env), seeds))
                    counts = {}
                    for r in results:
                        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
                        if r["outcome"] != "ok":
                            failures.append({"moment": moment, "drop": how, **r})
                    times = sorted(r["gone"] for r in results if "gone" in r)
                    worst = f"{times[-1]:.2f}" if times else "-"
                    print(f"{moment:12} {how:15} {counts}  slowest exit {worst} s", flush=True)
                    summary[f"{moment} {how}"] = {**counts, "slowest": times[-1] if times else None}
    finally:
        for b in burners:
            b.terminate()
    if options.details:
        options.details.write_text("\n\n".join(f"## {f['moment']} {f['drop']}: {f['outcome']}\n{f['detail']}"
                                               for f in failures))
    print(json.dumps({"tries": options.n, "bound": options.bound, "load": options.load, "results": summary}))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
