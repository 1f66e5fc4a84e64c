"""The gdtui application: routes between the solo view and the race, keeps the session when it
ends (quit, hangup, termination), and shows a note instead of panels when the terminal is too small.
Under a server it also reports its status for the host's board and hands `S` and `x` files to the
browser. What is drawn and how keys act live in the screens (`screens.solo`, `screens.race`)."""

from __future__ import annotations

import asyncio
import io

from textual import events
from textual.app import App
from textual.screen import Screen

from gdtui import data_dir
from gdtui.engine import DataError, Trainer, TrainConfig, create_trainer
from gdtui.engine.race import Race

from . import exit_guard, sessions, status_report
from .keys import LESSON_KEYS, bindings
from .screens.race import RaceScreen
from .screens.solo import SoloScreen
from .screens.tour import Tour
from .solo import SoloSession

MIN_SIZE = (72, 22)
"""Below this many columns or rows the panels cannot be read: a note replaces them."""
MAX_SIZE = (500, 200)
"""Beyond this the panels are not drawn: a served terminal's size is the visitor's to choose, and a
screen of 4000x2000 cells would cost the server half a gigabyte."""


class GDApp(App[int]):
    """gdtui around one `SoloSession`."""

    CSS_PATH = "app.tcss"
    BINDINGS = bindings(LESSON_KEYS)
    TITLE = "gdtui"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: SoloSession, opening_note: str = "", slot: sessions.Slot | None = None,
                 lesson: bool = False) -> None:
        super().__init__()
        self.tour = Tour(self)
        """The guided lesson (T); `lesson` opens it at start, as `gdtui lesson` does."""
        self.lesson_at_start = lesson
        self.slot = slot or sessions.Slot()
        """Where this process keeps its session (its own file: see `gdtui.ui.slots`)."""
        self.guard: exit_guard.ExitGuard | None = None
        """Keeps the session and ends the process when the link drops (`gdtui`'s own run sets it)."""
        self.keep = exit_guard.Once(self.keep_session)
        """The autosave on leaving, done once whatever asks for it first (q, a hangup, the end)."""
        self.session = session
        self.opening_note = opening_note
        """Shown under the status line at start (e.g. which session was resumed)."""
        self.autosaved = ""
        """What the autosave on leaving did, in one line (printed after the terminal is restored)."""
        self.leaving = False
        """Quitting: the session is being written, no key may change it meanwhile."""
        self.keep_failed = False
        """The last autosave failed (then gdtui ends with status 2)."""
        self.unfit = False
        """The terminal is below MIN_SIZE (or beyond MAX_SIZE): a note replaces the panels."""
        self.status = status_report.StatusReport.from_environment()
        """The status file for `gdtui host`'s board (written only under a server)."""

    def get_default_screen(self) -> Screen:
        return SoloScreen(self.session, self.opening_note)  # (it says the note: the app mounts first)

    @property
    def solo(self) -> SoloScreen:
        return self.screen_stack[0]

    def on_mount(self) -> None:
        if self.guard is not None:
            loop = asyncio.get_running_loop()
            self.guard.protect(self.keep, lambda: loop.call_soon_threadsafe(self._hang_up))
        self.screen_change_signal.subscribe(self, self._screen_changed)
        if self.lesson_at_start:
            self.call_after_refresh(self.tour.open)  # (once the solo view is up)
        if self.status.folder is not None:
            self.report_status()
            self.set_interval(1.0, self.report_status)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("lesson", "lesson_step") and not self.tour.allows(action):
            return False
        return action == "quit" or not (self.unfit or self.leaving)

    def action_lesson(self) -> None:
        self.tour.toggle()

    def action_lesson_step(self, delta: int) -> None:
        self.tour.move(delta)

    # ---- the terminal's size -------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.fit(*event.size)
        self.call_after_refresh(self._redraw_views)

    def _screen_changed(self, screen) -> None:
        """Back on the solo view from a view on top: the terminal may have changed size meanwhile.
        A view shown (the solo view or a race) gets the lesson's panel, if the lesson is open."""
        if screen is self.screen_stack[0]:
            self.call_after_refresh(self._refit)
        if isinstance(screen, (SoloScreen, RaceScreen)):
            self.call_after_refresh(self.tour.draw, screen)

    def _refit(self) -> None:
        self.fit(*self.size)
        self._redraw_views()

    def fit(self, width: int, height: int) -> None:
        """Show the panels, or the note that the terminal is too small for them. The class is set
        on the app, so that a view on top hides its panels too and shows its `.too-small-note`."""
        was_unfit, self.unfit = self.unfit, not (MIN_SIZE[0] <= width <= MAX_SIZE[0]
                                                         and MIN_SIZE[1] <= height <= MAX_SIZE[1])
        self.set_class(self.unfit, "-too-small")
        if was_unfit != self.unfit:
            self.refresh_bindings()  # (the footer shows what acts now)
        if self.unfit:
            while len(self.screen_stack) > 1 and not isinstance(self.screen, RaceScreen):
                self.pop_screen()  # a form, the help or the inspector would cover the note and take keys

    def _redraw_views(self) -> None:
        """The views draw again at the new size (the race, a view on top, has panels of its own), or
        show the too-small note."""
        width, height = self.size
        if width > MAX_SIZE[0] or height > MAX_SIZE[1]:
            note = (f"gdtui draws in a terminal of at most {MAX_SIZE[0]}×{MAX_SIZE[1]}; this one is "
                    f"{width}×{height}.\nMake it smaller, or press q to quit. Nothing is lost.")
        else:
            note = (f"gdtui needs a terminal of at least {MIN_SIZE[0]}×{MIN_SIZE[1]}; this one is "
                    f"{width}×{height}.\nEnlarge it, or press q to quit. Nothing is lost.")
        lines = tuple(((line, ""),) for line in note.split("\n")) if self.unfit else ()
        for screen in self.screen_stack:
            if isinstance(screen, (SoloScreen, RaceScreen)) and screen.is_mounted:
                for widget in screen.query(".too-small-note"):
                    widget.show(lines)
                if self.unfit:
                    screen.say("")
                else:
                    screen.redraw()
                self.tour.draw(screen)

    # ---- under a server ------------------------------------------------------------------------

    def _status_values(self) -> status_report.Values:
        """What the solo view shows now (as last drawn), for the status file."""
        stack = self.screen_stack  # (empty once the app has ended)
        view = (stack[0].shown if stack else None) or self.session.view()
        return status_report.values(view, any(isinstance(s, RaceScreen) for s in self.screen_stack))

    def report_status(self) -> None:
        """The status file, if what the solo view shows changed (called once a second)."""
        if not self.leaving:
            self.status.update(self._status_values())

    @property
    def delivers(self) -> bool:
        """`S` and `x` hand their files to the browser: asked for by `gdtui serve`, and under
        Textual's web driver (else they write them into the output folder)."""
        return sessions.delivering() and self.is_web

    def send_file(self, name: str, text: str, mime_type: str) -> None:
        self.deliver_text(io.StringIO(text), save_filename=name, mime_type=mime_type, name=name)

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        screen = self.screen if isinstance(self.screen, (SoloScreen, RaceScreen)) else self.solo
        screen.say(f"the download of {event.name} failed: {event.exception}")

    def save_saying(self, session: Trainer | Race) -> str:
        """`S`: save the session (or the race), and the line that says where it went."""
        if self.delivers:
            return sessions.deliver_saying(session, self.send_file)
        return sessions.save_here_saying(session)

    def export_saying(self) -> str:
        """`x`: export the screen and the solo run's history, and the line that says where."""
        if self.delivers:
            return sessions.deliver_export_saying(self.session.trainer, self.export_screenshot(), self.send_file)
        return sessions.export_here_saying(self.session.trainer, self.export_screenshot())

    # ---- keeping the work ----------------------------------------------------------------------

    def keep_session(self) -> None:
        """Autosave (see `gdtui.ui.sessions`); the outcome goes to `autosaved`. A run not yet
        stepped is not kept (unless it replaced a trained one: `SoloSession.untouched`): it would
        replace the last kept session with nothing to resume. Any
        thread may call it (the exit guard's does when the loop is stuck): the session's lock
        keeps it from reading a trainer in the middle of a step. While the lesson is open, the
        learner's own run (set aside) is kept, not the step's prepared one."""
        with self.session.lock:
            if self.status.folder is not None:
                self.status.leave(self._status_values())
            aside = self.tour.set_aside
            trainer = aside or self.session.trainer
            if (self.session.untouched if aside is None else aside.epoch == aside.batch == 0):
                self.autosaved = "gdtui: nothing trained, so the last kept session stays as it was"
                return
            try:
                path = sessions.autosave(trainer, self.slot)
            except sessions.SessionError as exc:  # (it names the file)
                self.autosaved = f"gdtui: the session could not be kept: {exc}"
                self.keep_failed = True
                if self.guard is not None:
                    self.guard.status = 2
            else:
                self.autosaved = sessions.kept_words(path)

    async def action_quit(self) -> None:
        self.session.pause()
        self.leaving = True
        self.solo.say("keeping the session…")
        if isinstance(self.screen, RaceScreen):
            self.screen.say("keeping the solo session…")
        await asyncio.to_thread(self.keep)  # (a long history takes seconds: the screen stays drawn)
        self.exit(return_code=2 if self.keep_failed else 0)

    def _hang_up(self) -> None:
        """SIGHUP or SIGTERM (asked by the exit guard): keep the session, then leave (the terminal
        may be gone already; the guard ends the process if leaving takes too long)."""
        self.session.pause()
        self.leaving = True
        self.keep()
        self.exit(return_code=2 if self.keep_failed else 0)


def build_app(config: TrainConfig) -> GDApp:
    """The one factory the CLI, the tests and the screenshot script use."""
    return GDApp(SoloSession(create_trainer(config)))


def build_lesson() -> GDApp:
    """The app of `gdtui lesson`: the guided lesson open at the step reached last time."""
    return GDApp(SoloSession(create_trainer(TrainConfig(seed=0))), lesson=True)


def run_lesson() -> int:
    return _run(build_lesson())


def run_app(config: TrainConfig) -> int:
    """`gdtui [options]` (DataError for a CSV outside $GDTUI_DATA_DIR, see `gdtui.data_dir`)."""
    problem = data_dir.refusal(config.dataset)
    if problem:
        raise DataError(problem)
    return _run(build_app(config))


def resume_app(path: str | None, changes: dict) -> int:
    """`gdtui --resume [PATH]`: reopen a saved session (default: the newest kept one) at its
    epoch, with `changes` to its settings."""
    return _run(build_resumed(path, changes))


def build_resumed(path: str | None, changes: dict) -> GDApp:
    """The app of `gdtui --resume` (SessionError if the session cannot be reopened)."""
    trainer, slot, where = sessions.open_session(path)
    if changes:
        trainer.configure(**changes)
    note = f"resumed {sessions.describe(where)} at epoch {trainer.epoch}"
    if path is None and sessions.slots.held_elsewhere(where):
        note += " (open in another gdtui: this one keeps its work in a slot of its own)"
    return GDApp(SoloSession(trainer), note, slot)


def _run(app: GDApp) -> int:
    """Run the app under an exit guard (a hang-up signal before the app is mounted ends the process
    at once: nothing is trained yet), keep the session, say where it went."""
    app.guard = exit_guard.ExitGuard()
    app.guard.install()
    try:
        app.run()
    finally:
        app.keep()  # (left some other way, e.g. the app failed: keep the work anyway; no-op if kept)
        app.slot.release()
        exit_guard.say(app.autosaved)
        app.guard.leave()
    return 2 if app.keep_failed else (app.return_code or 0)
