"""Atomic file writes: a crash leaves either the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from typing import Iterable


def write_atomic(path: str | os.PathLike, chunks: Iterable[str | bytes]) -> None:
    """Write `chunks` (text as UTF-8) to `path` in one piece.

    The data goes to a temporary file in the same directory, is flushed and fsynced, then
    `os.replace` puts it over `path` and the directory is fsynced. If anything fails before the
    rename, the old `path` is untouched and the temporary file is removed; OSError propagates.
    A symbolic link is followed (its target is written); a path that exists but is not a regular
    file (a device, a pipe, a directory) is refused; an existing file keeps its permissions.
    """
    target = os.path.realpath(os.fspath(path))
    mode = existing_mode(target)
    directory, base = os.path.split(target)
    fd, temp = _create_temp(directory, base)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(directory)


def existing_mode(path: str) -> int | None:
    """The permission bits of the regular file at `path`, None if there is none; OSError if
    something else (a device, a pipe, a directory) is there, which a rename would replace."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise IsADirectoryError(21, "is a directory", path) if stat.S_ISDIR(info.st_mode) else \
            OSError(f"{path} is not a regular file")
    return stat.S_IMODE(info.st_mode)


def _create_temp(directory: str, base: str) -> tuple[int, str]:
    """A new file `.<base>.<random>.tmp` next to the target, created with the umask's usual mode."""
    for _ in range(100):
        temp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name next to {base}")


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (not possible on every platform; then skipped)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
