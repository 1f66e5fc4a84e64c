"""Write the README's screenshots from the real app: `python screenshots/make_screenshots.py`.

Each state is reached by pressing keys in a headless terminal, then saved as SVG here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from gdtui.engine import TrainConfig
from gdtui.ui.app import build_app

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
]


async def shoot(name: str, options: dict, keys: list[str]) -> Path:
    app = build_app(TrainConfig(seed=0, **options))
    async with app.run_test(size=SIZE) as pilot:
        for key in keys:
            await pilot.press(key)
        while app.session.running or getattr(app.screen, "running", False):
            await pilot.pause(0.05)
        await pilot.pause()
        await pilot.pause()  # a view shown by the last key draws once the layout has sized it
        path = HERE / f"{name}.svg"
        app.save_screenshot(str(path))
    return path


async def main() -> None:
    for name, options, keys in STATES:
        print(await shoot(name, options, keys))


if __name__ == "__main__":
    asyncio.run(main())
