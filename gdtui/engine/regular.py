"""Reading files that must be regular files, without ever blocking on one that is not.

Opening a FIFO for reading blocks until some process opens it for writing, and reading a device
may never end (/dev/zero) or wait for input (a terminal): a path given as `--dataset`, `--resume`
or in the data form must not freeze the program. A check by name before opening (`os.stat`)
leaves a moment in which the name can be swapped for a FIFO; so the file is opened with O_NONBLOCK
(which never blocks, whatever it is) and checked with `fstat` on what was actually opened.
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from typing import BinaryIO, Iterator

_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class NotRegularFile(OSError):
    """The path names something else than a regular file or a directory; `kind` says what."""

    def __init__(self, path: str, kind: str) -> None:
        super().__init__(f"not a regular file ({kind})")
        self.filename = path
        self.kind = kind


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((words for test, words in _KINDS if test(mode)), "not a file")


@contextmanager
def open_regular(path: str | os.PathLike) -> Iterator[tuple[BinaryIO, os.stat_result]]:
    """The regular file at `path`, opened for reading in binary, and its status (as opened).
    IsADirectoryError for a directory, NotRegularFile for anything else, other OSErrors as `open`."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "is a directory", os.fspath(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(os.fspath(path), kind_of(info.st_mode))
        os.set_blocking(fd, True)  # (a regular file never blocks; the flag is dropped for tidiness)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle, info


def read_regular(path: str | os.PathLike, limit: int) -> bytes:
    """At most `limit` + 1 bytes of the regular file at `path` (one more than `limit` says the file
    is too large, even if it grew after its size was read). Errors as `open_regular`."""
    with open_regular(path) as (handle, _):
        return handle.read(limit + 1)
