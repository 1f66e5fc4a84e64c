"""Atomic file writes: a crash leaves either the old file or the new one, never half of one.

`write_atomic` replaces (or creates) a file; `write_new` creates one that must not exist yet and
never writes through a symbolic link. Both write a temporary `.<name>.<12 hex digits>.tmp` next
to the target, hold a lock on it while it exists, and first sweep away the stale temporaries of
the same target that a killed save left behind (`sweep`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from typing import Iterable, Iterator

try:
    import fcntl
except ImportError:  # (not on Windows: there, nothing is swept)
    fcntl = None

STALE_SECONDS = 300
"""A temporary untouched for this long, and unlocked, is a killed save's."""
_HEX = re.compile(r"[0-9a-f]{12}")
_NO_LINKS = (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP)
"""What `link` says on a file system without hard links (FAT, some network and FUSE mounts)."""


def write_atomic(path: str | os.PathLike, chunks: Iterable[str | bytes]) -> None:
    """Write `chunks` (text as UTF-8) to `path` in one piece.

    The data goes to a temporary file in the same directory, is flushed and fsynced, then
    `os.replace` puts it over `path` and the directory is fsynced. If anything fails before the
    rename, the old `path` is untouched and the temporary file is removed; OSError propagates.
    A symbolic link is followed (its target is written); a path that exists but is not a regular
    file (a device, a pipe, a directory), a name that can only be a directory (`out/`, `.`) and a
    file that is read-only (the user protected it) are refused; an existing file keeps its permissions.
    """
    name = file_name(path)
    target = os.path.realpath(name)
    mode = existing_mode(target)
    if mode is not None and not writable(target, mode):
        raise PermissionError(errno.EACCES, "the file is read-only", name)
    directory, base = os.path.split(target)
    sweep(directory, base)
    fd, temp = _create_temp(directory, base)
    try:
        with _removed_on_failure(temp):
            if mode is not None:
                os.fchmod(fd, mode)
            _write_all(fd, chunks)
            os.replace(temp, target)  # (while the lock is held: a sweep cannot take the temporary)
    finally:
        os.close(fd)
    _fsync_directory(directory)


def write_new(path: str | os.PathLike, chunks: Iterable[str | bytes]) -> None:
    """Create `path` holding `chunks`, atomically; FileExistsError if the name exists in any form
    (a file, a directory, a link even if it dangles), so that nothing is overwritten and nothing
    is written through a link planted under the name.

    The temporary is created with O_EXCL (which never follows a link) and then hard-linked to
    `path`: `link` fails if the name exists and never follows a link there. On a file system
    without hard links, `path` itself is created with O_EXCL | O_NOFOLLOW and filled (not atomic,
    still exclusive; removed again if the writing fails).
    """
    name = file_name(path)
    directory, base = os.path.split(name)
    directory = directory or os.curdir
    if os.path.lexists(name):
        raise FileExistsError(errno.EEXIST, "exists already", name)
    sweep(directory, base)
    fd, temp = _create_temp(directory, base)
    try:
        _write_all(fd, chunks)
        try:
            os.link(temp, name)
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            _copy_exclusive(fd, name)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        os.close(fd)
    _fsync_directory(directory)


def file_name(path: str | os.PathLike) -> str:
    """`path` as a string, if it can name a file: IsADirectoryError for one that can only name a
    directory (empty, ending in a separator, `.` or `..`), FileNotFoundError if its directory is
    not one (`missing/../x` is refused as the system would, not resolved on paper)."""
    name = os.fspath(path)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    if "\0" in name:
        raise OSError(errno.EINVAL, "a file name cannot hold a NUL character", name.replace("\0", "\\0"))
    if os.path.basename(name) in ("", os.curdir, os.pardir):
        raise IsADirectoryError(errno.EISDIR, "names a directory, not a file", name)
    directory = os.path.dirname(name) or os.curdir
    if not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, "no such directory", directory)
    return name


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


def writable(path: str, mode: int) -> bool:
    """Whether the file at `path` (permission bits `mode`) may be replaced: the system lets us
    write it and someone may (root may write anything; a file with no write bit is protected)."""
    return os.access(path, os.W_OK) and bool(mode & 0o222)


def sweep(directory: str, base: str, now: float | None = None) -> list[str]:
    """Remove the temporaries a killed save of `base` left in `directory`; the names removed.

    Only what is provably one of ours goes: a name `.<base>.<12 hex digits>.tmp`, a regular file
    (not a link) with no other name, owned by this user, untouched for `STALE_SECONDS`, and not
    locked (a live writer holds a lock on its temporary from creation to rename). The file is
    locked before it is removed, and removed only if the name still leads to it.
    """
    if fcntl is None:
        return []
    now = time.time() if now is None else now
    prefix, removed = f".{base}.", []
    try:
        folder = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return []
    try:
        with os.scandir(folder) as entries:
            candidates = [e.name for e in entries if e.name.startswith(prefix) and e.name.endswith(".tmp")
                          and _HEX.fullmatch(e.name[len(prefix):-4])]
        removed = [name for name in candidates if _remove_if_stale(folder, name, now)]
    except OSError:
        pass
    finally:
        os.close(folder)
    return removed


def _remove_if_stale(folder: int, name: str, now: float) -> bool:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags, dir_fd=folder)
    except OSError:  # a link (ELOOP), gone, or not ours to read
        return False
    try:
        info = os.fstat(fd)
        if not (stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_uid == os.geteuid()
                and now - info.st_mtime > STALE_SECONDS):
            return False
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # OSError if a writer holds it
        again = os.stat(name, dir_fd=folder, follow_symlinks=False)
        if (again.st_dev, again.st_ino) != (info.st_dev, info.st_ino):
            return False
        os.unlink(name, dir_fd=folder)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _create_temp(directory: str, base: str) -> tuple[int, str]:
    """A new file `.<base>.<random>.tmp` next to the target, created with the umask's usual mode
    and locked (see `sweep`)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)  # (read back by _copy_exclusive)
    for _ in range(100):
        temp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        if fcntl is not None:
            with contextlib.suppress(OSError):  # (a file system without locks: the age alone protects it)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd, temp
    raise FileExistsError(f"no free temporary name next to {base}")


def _write_all(fd: int, chunks: Iterable[str | bytes]) -> None:
    """Write `chunks` through `fd` (left open) and make them durable."""
    with os.fdopen(fd, "wb", closefd=False) as handle:
        for chunk in chunks:
            handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        handle.flush()
    os.fsync(fd)


def _copy_exclusive(source: int, name: str) -> None:
    """Create `name` (never through a link, never over anything) as a copy of the file open at `source`."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    out = os.open(name, flags, 0o666)
    try:
        with _removed_on_failure(name):
            with os.fdopen(os.dup(source), "rb") as reader, os.fdopen(out, "wb", closefd=False) as writer:
                reader.seek(0)
                while block := reader.read(1 << 20):
                    writer.write(block)
            os.fsync(out)
    finally:
        os.close(out)


@contextlib.contextmanager
def _removed_on_failure(name: str) -> Iterator[None]:
    """Remove the file `name` if the block fails (then the failure goes on)."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


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
