"""Turn a grid of small integer codes into Rich text, one run of equal codes at a time."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from rich.text import Text


def grid_text(codes: np.ndarray, glyphs: Sequence[str], styles: Sequence[str]) -> Text:
    """(height, width) codes -> text where cell code c shows glyphs[c] in styles[c]."""
    text = Text(no_wrap=True, overflow="crop")
    for r, row in enumerate(codes):
        starts = np.flatnonzero(np.diff(row, prepend=-1))
        ends = np.append(starts[1:], len(row))
        for start, end in zip(starts.tolist(), ends.tolist()):
            code = int(row[start])
            text.append(glyphs[code] * (end - start), styles[code])
        if r < len(codes) - 1:
            text.append("\n")
    return text
