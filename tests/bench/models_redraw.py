"""CPU cost of one epoch step plus one full redraw in the app, for the lesson's model and the bigger
ones (500 training rows): `python tests/bench/models_redraw.py`. Prints one line per model with the
median (of 5 rounds of 30 frames) at 80x24 and at 120x40."""

from __future__ import annotations

import asyncio
import statistics
import time

from gdtui.engine import TrainConfig
from gdtui.ui.app import build_app

MODELS = {
    "the lesson's (sse, x1,x2)": {},
    "d = 7 (all seven features, standardized)": dict(features=("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2"),
                                                     standardize=True),
    "K = 3 softmax": dict(classes=3, loss="softmax", alpha=0.001),
    "K = 3 svm": dict(classes=3, loss="svm", alpha=0.001),
}


async def frame_cost(options: dict, size: tuple[int, int], rounds: int = 5, frames: int = 30) -> float:
    """Median CPU milliseconds of (step an epoch, redraw every panel, let the frame out)."""
    app = build_app(TrainConfig(seed=0, epochs=10**6, **options))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        costs = []
        for _ in range(rounds):
            started = time.process_time()
            for _ in range(frames):
                app.session.trainer.step_epoch()
                app.solo.redraw()
                await pilot.pause()
            costs.append((time.process_time() - started) / frames * 1e3)
        await pilot.press("q")
    return statistics.median(costs)


async def main() -> None:
    for name, options in MODELS.items():
        small, large = await frame_cost(options, (80, 24)), await frame_cost(options, (120, 40))
        print(f"{name}: 80x24 {small:.1f} ms, 120x40 {large:.1f} ms")


if __name__ == "__main__":
    asyncio.run(main())
