"""What a message may repeat of what the user typed or a file held, and the numbers it accepts.

Anything echoed is cut to a few dozen characters and has its control (and other unprintable)
characters escaped, so that a hostile value can neither flood a terminal nor drive it. Numbers
are read in ASCII only: `int("١٢")` and `float("１.５")` are Python's, not a command line's.
"""

from __future__ import annotations

import math
from typing import Any

LIMIT = 60
"""Characters of a value a message quotes."""
NAME_LIMIT = 100
"""Characters of a file name a message quotes (paths run longer than values)."""
LINE_LIMIT = 186
"""Characters of a one-line error message (with `gdtui: error: ` in front, 200)."""

_SPACE = " \t\r\n\f\v"
_SHORTEST = 24
"""`one_line` cuts no word shorter than this to fit the line."""


def escaped(text: str) -> str:
    """`text` with every unprintable character written as its escape (`\\x1b`, `\\u202e`)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def cut(text: str, limit: int = LIMIT) -> str:
    """At most `limit` characters: the head and the tail (where a name's distinctive part
    usually is) around an ellipsis."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 3
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def show(value: Any, limit: int = LIMIT) -> str:
    """A value as a message quotes it: strings in quotes, escaped, at most `limit` characters."""
    try:
        text = repr(value) if isinstance(value, str) else str(value)
    except ValueError:  # an integer with more digits than str() converts
        text = "a huge integer"
    return cut(escaped(text), limit)


def show_name(text: str, limit: int | None = NAME_LIMIT) -> str:
    """A file name or a label as a message quotes it: no quotes, escaped, at most `limit`
    characters (None: not cut, for a name on a line that reports success)."""
    text = escaped(str(text))
    return text if limit is None else cut(text, limit)


def one_line(message: str, limit: int = LINE_LIMIT, word_limit: int = NAME_LIMIT) -> str:
    """A message fit for one line, whatever it quotes: whitespace runs -> one space, each word
    escaped and cut to `word_limit` characters; if the whole is still over `limit`, the longest
    words are cut further (the short ones carry the meaning), then the line itself."""
    words = [cut(escaped(word), word_limit) for word in message.split()]
    excess = sum(map(len, words)) + len(words) - 1 - limit
    while excess > 0:
        longest = max(range(len(words)), key=lambda k: len(words[k]))
        keep = max(_SHORTEST, len(words[longest]) - excess)
        if keep >= len(words[longest]):
            break
        excess -= len(words[longest]) - keep
        words[longest] = cut(words[longest], keep)
    return cut(" ".join(words), limit)


def _ascii(text: str) -> str:
    """`text` without surrounding blanks if what is left is printable ASCII without `_` (the set
    in which `int` and `float` read only what a command line means); ValueError otherwise."""
    text = text.strip(_SPACE)
    if not (text.isascii() and text.isprintable()) or "_" in text:
        raise ValueError(f"not written in ASCII digits: {show(text)}")
    return text


def parse_int(text: str) -> int:
    """An integer written in ASCII digits (surrounding blanks allowed); ValueError otherwise."""
    return int(_ascii(text))


def ascii_float(text: str) -> float:
    """A number written in ASCII (digits, point, exponent; nan and inf as words); ValueError
    otherwise. Digits beyond the largest float read as inf, as `float` reads them."""
    return float(_ascii(text))


def parse_float(text: str) -> float:
    """`ascii_float`, but digits beyond the largest float are a ValueError (`1e400` is not `inf`)."""
    value = ascii_float(text)
    if math.isinf(value) and text.strip(_SPACE).lstrip("+-").lower() not in ("inf", "infinity"):
        raise ValueError(f"too large: {show(text)}")
    return value
