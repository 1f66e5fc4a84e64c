"""Measurements of the TUI from inside one process, driven by Textual's Pilot (headless).

Run by bench/run.py in a fresh interpreter per probe; prints one JSON object. The app is built
through the same factory as `gdtui` itself (`build_app`). Nothing is added to the app: frames are
counted by wrapping, on this one app object, the method through which Textual hands a finished
screen update to the terminal driver (`App._display`).

  python tests/bench/tui_probe.py run      run mode at 500 rows: engine epochs/s in the app vs headless, frames/s
  python tests/bench/tui_probe.py keys     `space` to the updated screen at 1e5 training rows: latencies
  python tests/bench/tui_probe.py large    1e6 training rows: one epoch step, one full redraw, peak RSS
  python tests/bench/tui_probe.py frames   redraw cost per frame at 80x24 and 120x40 (CPU ms)
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
import time

from gdtui.engine import TrainConfig, create_trainer
from gdtui.ui.app import build_app

SIZE = (80, 24)


def count_frames(app) -> list[float]:
    """Times at which the app passed a screen update to its driver (one per frame drawn)."""
    stamps: list[float] = []
    original = app._display

    def display(screen, renderable):
        if renderable is not None:
            stamps.append(time.perf_counter())
        return original(screen, renderable)

    app._display = display
    return stamps


def headless_rate(config: TrainConfig, seconds: float) -> float:
    """Epochs per second of `Trainer.run` without the UI, over about `seconds`."""
    trainer = create_trainer(config)
    count, elapsed = 1000, 0.0
    while elapsed < seconds:
        started = time.perf_counter()
        trainer.run(count)
        elapsed = time.perf_counter() - started
        count *= 2
    return count / 2 / elapsed


async def run_mode(seconds: float) -> dict:
    config = TrainConfig(seed=0, epochs=100_000_000)  # a run that does not stop inside the window
    before = headless_rate(config, seconds / 2)  # headless before and after the app: a machine whose
    app = build_app(config)                      # speed drifts shifts both sides alike
    async with app.run_test(size=SIZE) as pilot:
        frames = count_frames(app)
        await pilot.pause()
        first_epoch = app.session.trainer.epoch
        started = time.perf_counter()
        await pilot.press("p")
        await asyncio.sleep(seconds)
        await pilot.press("p")
        elapsed = time.perf_counter() - started
        epochs = app.session.trainer.epoch - first_epoch
        drawn = [t for t in frames if started <= t <= started + elapsed]
        await pilot.press("q")
    headless = (before + headless_rate(config, seconds / 2)) / 2
    in_app = epochs / elapsed
    return {"headless_eps": headless, "app_eps": in_app, "share": in_app / headless,
            "fps": len(drawn) / elapsed, "seconds": elapsed}


async def key_latency(presses: int) -> dict:
    app = build_app(TrainConfig(seed=0, samples=200_000, epochs=100_000))
    async with app.run_test(size=SIZE) as pilot:
        frames = count_frames(app)
        await pilot.pause()
        latencies = []
        for _ in range(presses):
            before = app.session.trainer.epoch
            started = time.perf_counter()
            await pilot.press("space")
            while not (app.session.trainer.epoch > before and frames and frames[-1] > started):
                await asyncio.sleep(0.0005)
            stepped = app.session.trainer.epoch
            # the first frame drawn after the step: wait for one that follows the step's redraw
            while frames[-1] <= started:
                await asyncio.sleep(0.0005)
            latencies.append(frames[-1] - started)
            assert stepped == before + 1
            await pilot.pause(0.02)
        await pilot.press("q")
    ordered = sorted(latencies)
    return {"median_ms": 1e3 * statistics.median(ordered),
            "p95_ms": 1e3 * ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))],
            "max_ms": 1e3 * ordered[-1], "presses": presses}


async def large(repeats: int) -> dict:
    """After each epoch step (timed on its own): `redraw()`, i.e. every panel from a fresh snapshot
    (accuracies over all rows, scatter, weights, gradient, loss, status), timed until the frame
    reaches the driver."""
    app = build_app(TrainConfig(seed=0, samples=2_000_000, epochs=100_000))
    async with app.run_test(size=SIZE) as pilot:
        frames = count_frames(app)
        await pilot.pause()
        steps, redraws = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            app.session.trainer.step_epoch()
            steps.append(time.perf_counter() - started)
            count = len(frames)
            started = time.perf_counter()
            app.solo.redraw()
            while len(frames) == count:
                await asyncio.sleep(0)
            redraws.append(frames[-1] - started)
            await pilot.pause()
        await pilot.press("q")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {"step_ms": 1e3 * statistics.median(steps), "redraw_ms": 1e3 * statistics.median(redraws),
            "peak_rss_mb": peak, "rows": len(app.session.trainer.data.y_train)}


async def frame_cost(size: tuple[int, int], frames: int = 150, rounds: int = 5) -> float:
    """CPU milliseconds a redraw adds to a frame: rounds of (step + redraw + settle) against rounds
    of (step + settle), alternating, medians compared. Process time, so that a busy machine's
    waiting does not count."""
    app = build_app(TrainConfig(seed=0, epochs=10**7))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        with_draw, without = [], []
        for _ in range(rounds):
            for draw in (True, False):
                started = time.process_time()
                for _ in range(frames):
                    app.session.trainer.step_epoch()
                    if draw:
                        app.solo.redraw()
                    await pilot.pause()
                (with_draw if draw else without).append((time.process_time() - started) / frames)
        await pilot.press("q")
    return 1e3 * (statistics.median(with_draw) - statistics.median(without))


async def frame_costs() -> dict:
    return {f"{w}x{h}_ms": await frame_cost((w, h)) for w, h in ((80, 24), (120, 40))}


def main() -> None:
    probe = sys.argv[1]
    if probe == "run":
        result = asyncio.run(run_mode(float(sys.argv[2]) if len(sys.argv) > 2 else 3.0))
    elif probe == "keys":
        result = asyncio.run(key_latency(int(sys.argv[2]) if len(sys.argv) > 2 else 40))
    elif probe == "large":
        result = asyncio.run(large(int(sys.argv[2]) if len(sys.argv) > 2 else 7))
    elif probe == "frames":
        result = asyncio.run(frame_costs())
    else:
        raise SystemExit(f"unknown probe {probe!r}: run, keys, large or frames")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
