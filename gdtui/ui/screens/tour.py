"""The guided lesson on screen (`T`, `gdtui lesson`): the step's panel under the solo view's panels
(and under the race's, for the race step), and the keys that move through the steps.

Opening the lesson sets the learner's run aside; each step puts its own prepared run in the
session (`gdtui.ui.lesson`), and closing brings the run set aside back as it was.
"""

from __future__ import annotations

from textual.screen import Screen

from gdtui.engine import Trainer
from gdtui.engine.breakpoints import Breakpoints
from gdtui.engine.race import Race

from .. import lesson
from ..widgets.lines import Lines
from .race import RaceScreen
from .solo import SoloScreen


class Tour:
    """Which step of the lesson the app shows, if any."""

    def __init__(self, app) -> None:
        self.app = app
        self.index: int | None = None
        """The step shown; None while the lesson is closed."""
        self.set_aside: Trainer | None = None
        """The learner's run from before the lesson, brought back when it closes."""

    @property
    def on(self) -> bool:
        return self.index is not None

    def allows(self, action: str) -> bool:
        """T opens and closes the lesson, < and > act while it is open: in the solo view and in the
        race, never over a form, the help or the inspector."""
        return isinstance(self.app.screen, (SoloScreen, RaceScreen)) and (action == "lesson" or self.on)

    # ---- moving ----------------------------------------------------------------------------------

    def toggle(self) -> None:
        if self.on:
            self.close()
        else:
            self.open()

    def open(self) -> None:
        """Start the lesson at the step reached last time."""
        self.set_aside = self.app.session.trainer
        self.show(lesson.load_progress())

    def move(self, delta: int) -> None:
        target = self.index + delta
        if 0 <= target < len(lesson.STEPS):
            self.show(target)
        elif target < 0:
            self._say("this is the first step: > goes on, T closes the lesson")
        else:
            self._say("that was the last step: < goes back, T closes the lesson and brings your run back")

    def show(self, index: int) -> None:
        """Prepare step `index` and show it (the race on top, if the step races)."""
        step = lesson.STEPS[index]
        self._leave_race()
        self.index = index
        session, solo = self.app.session, self.app.solo
        session.switch_to(lesson.prepared(step))
        session.breakpoints = Breakpoints(**step.breakpoints)
        solo.took_run(step.left)
        lesson.save_progress(index)
        self.draw(solo)
        solo.say("")
        solo.redraw()
        if step.race:
            session.kept_race = Race.like(session.trainer, lesson.RACE_RULES)
            race = RaceScreen(session.kept_race)
            self.app.push_screen(race)  # (its panel is drawn once it is up: see `GDApp`)

    def close(self) -> None:
        """Leave the lesson: the learner's run comes back as it was."""
        self._leave_race()
        index, self.index = self.index, None
        session, solo = self.app.session, self.app.solo
        if self.set_aside is not None:
            session.switch_to(self.set_aside)
            self.set_aside = None
        solo.took_run("scatter")
        self.draw(solo)
        solo.redraw()
        solo.say(f"lesson closed at step {index + 1} of {len(lesson.STEPS)}: your run at epoch "
                 f"{session.trainer.epoch} is back; T reopens the lesson there")

    def _leave_race(self) -> None:
        if isinstance(self.app.screen, RaceScreen):
            self.app.screen.action_leave()

    def _say(self, words: str) -> None:
        screen = self.app.screen
        if isinstance(screen, (SoloScreen, RaceScreen)):
            screen.say(words)

    # ---- drawing ---------------------------------------------------------------------------------

    def draw(self, screen: Screen) -> None:
        """The step's panel on `screen` (hidden while the lesson is closed)."""
        found = screen.query("#lesson")
        if not (screen.is_mounted and found):  # (a view left before this was called)
            return
        panel = found.first(Lines)
        panel.display = self.on and not self.app.unfit
        if self.on:
            panel.set_titles(lesson.panel_title(self.index), lesson.PANEL_KEYS)
            panel.show(lesson.panel_lines(self.index, max(screen.size.width - 4, 20)))
