"""Border titles set only when they change: each assignment redraws the widget, even of the same text."""

from __future__ import annotations


class Titled:
    """A mixin for widgets whose titles follow the run (set on every frame)."""

    _titles: tuple[str | None, str | None] = (None, None)

    def set_titles(self, title: str | None = None, subtitle: str | None = None) -> None:
        """The border's title and subtitle (markup); None leaves one as it is."""
        title = self._titles[0] if title is None else title
        subtitle = self._titles[1] if subtitle is None else subtitle
        if (title, subtitle) == self._titles:
            return
        self._titles = (title, subtitle)
        self.border_title, self.border_subtitle = title, subtitle
