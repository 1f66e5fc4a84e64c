"""Write the README's screenshots from the real app: `python screenshots/make_screenshots.py`.

Each state is reached by pressing keys in a headless terminal, then saved as SVG here.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from gdtui.engine import TrainConfig
from gdtui.ui import lesson
from gdtui.ui.app import build_app, build_lesson

HERE = Path(__file__).parent
HUGE_CSV = HERE.parent / "tests" / "data" / "huge.csv"
SIZE = (120, 36)

STATES = [
    ("start", dict(), []),
    ("five-epochs", dict(), ["space"] * 5),
    ("converged", dict(tol=1.0), ["p"]),
    ("mini-batch", dict(batch_size=32, optimizer="momentum"), ["space", "space", "n", "n", "n"]),
    ("adam", dict(optimizer="adam", alpha=0.05), ["space"] * 8),
    ("help", dict(), ["question_mark"]),
    ("diverged", dict(dataset=str(HUGE_CSV), loss="bce"), ["space", "space"]),
    ("rewound", dict(), ["space"] * 8 + ["left"] * 4),
    ("landscape", dict(optimizer="momentum", alpha=0.002), ["space"] * 12 + ["l"]),
    ("inspector", dict(), ["space"] * 3 + ["g"]),
    ("preview", dict(), ["space", "space", "v"]),
    ("race", dict(alpha=0.02), ["c", "5"] + ["space"] * 25),
    ("evaluation", dict(dataset="moons", loss="bce", alpha=0.002), ["space"] * 10 + ["e"]),
    ("breakpoint", dict(), ["b", "4", "0", "enter"]),
    ("schedule", dict(schedule="exp", decay=0.8, alpha=0.05), ["space"] * 12),
    ("circles", dict(dataset="circles", loss="bce", alpha=0.001), ["space"] * 20),
    ("why", dict(), ["space", "y"]),
    ("points", dict(), ["space", "space", "i", "up", "up"]),
    ("models-features", dict(dataset="circles", features=("x1", "x2", "x1^2", "x2^2"), loss="bce", alpha=0.05,
                             epochs=300), ["p"]),
    ("models-standardize", dict(features=("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2"), standardize=True,
                                loss="bce", alpha=0.01, epochs=60), ["p", "g"]),
    ("models-penalty", dict(dataset="moons", features=("x1", "x2", "x1^2", "x2^2", "x1x2"), penalty="l1", lam=1.0,
                            loss="bce", alpha=0.01, epochs=100), ["p", "y"]),
    ("models-hinge", dict(dataset="moons", loss="hinge", alpha=0.001, epochs=100), ["p", "i"]),
    ("models-softmax", dict(classes=3, loss="softmax", alpha=0.001, epochs=200), ["p"]),
    ("models-svm", dict(classes=4, loss="svm", alpha=0.001, epochs=150), ["p", "e"]),
    ("models-classes", dict(classes=6, loss="softmax", alpha=0.0005, epochs=300), ["p", "l"]),
]


LESSON_SIZE = (80, 24)
LESSON_STATES = [
    ("lesson", "The loss is a landscape you cannot see", []),
    ("lesson-saturation", "Saturation", ["p", "f", "p"]),
    ("lesson-race", "Momentum and Nesterov", ["p"]),
]
"""The guided lesson at the size of an SSH terminal: a step as it opens, and two after their keys."""


async def shoot(name: str, options: dict, keys: list[str], app=None, size=SIZE) -> Path:
    app = app or build_app(TrainConfig(seed=0, **options))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()  # (the lesson opens once the solo view is up)
        for key in keys:
            await pilot.press(key)
            while app.session.running or getattr(app.screen, "running", False):  # a run goes to its end
                await pilot.pause(0.05)
        await pilot.pause()
        await pilot.pause()  # a view shown by the last key draws once the layout has sized it
        path = HERE / f"{name}.svg"
        app.save_screenshot(str(path))
    return path


async def main() -> None:
    for name, options, keys in STATES:
        print(await shoot(name, options, keys))
    with tempfile.TemporaryDirectory() as state:  # (the lesson's progress is not the user's)
        os.environ["GDTUI_STATE_DIR"] = state
        for name, title, keys in LESSON_STATES:
            lesson.save_progress(next(k for k, step in enumerate(lesson.STEPS) if step.title == title))
            print(await shoot(name, {}, keys, build_lesson(), LESSON_SIZE))


if __name__ == "__main__":
    asyncio.run(main())
