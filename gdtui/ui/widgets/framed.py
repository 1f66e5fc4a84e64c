"""A bordered container whose titles follow the run (see `Titled`)."""

from __future__ import annotations

from textual.containers import Vertical

from .titled import Titled


class Framed(Titled, Vertical):
    """The picture area: a picture with its axes, under one border and its titles."""
