"""Written files: names that can only be directories, protected files, the temporaries a killed
save leaves, and `write_new`, which creates a file exclusively and never through a link.

The links, directories and stale temporaries are planted here, as a hostile neighbour would.
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from gdtui.engine import atomic
from gdtui.engine.atomic import STALE_SECONDS, sweep, write_atomic, write_new

fcntl = pytest.importorskip("fcntl")
LATER = time.time() + STALE_SECONDS + 60
"""A moment at which every temporary planted now is stale by its age."""


def entries(folder):
    return sorted(os.listdir(folder))


def temp_name(base, digits="0123456789ab"):
    return f".{base}.{digits}.tmp"


# ---- names and protected files ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["newdir/", "newdir//", "newdir/.", "newdir/..", ".", "..", ""])
@pytest.mark.parametrize("write", [write_atomic, write_new])
def test_a_name_that_can_only_be_a_directory_is_refused(tmp_path, monkeypatch, name, write):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IsADirectoryError):
        write(name, ["x"])
    assert entries(tmp_path) == []  # and no file `newdir` was made


@pytest.mark.parametrize("write", [write_atomic, write_new])
def test_a_file_named_as_a_directory_is_not_written(tmp_path, write):
    data = tmp_path / "s.json"
    data.write_text("kept")
    with pytest.raises(OSError):
        write(f"{data}/", ["x"])
    assert data.read_text() == "kept" and entries(tmp_path) == ["s.json"]


@pytest.mark.parametrize("write", [write_atomic, write_new])
def test_a_missing_directory_is_not_resolved_on_paper(tmp_path, write):
    with pytest.raises(FileNotFoundError):
        write(tmp_path / "missing" / ".." / "out.json", ["x"])  # the system refuses missing/..: so do we
    assert entries(tmp_path) == []


def test_a_nul_in_the_name_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        write_atomic(f"{tmp_path}/a\0b", ["x"])
    with pytest.raises(OSError):
        write_new(f"{tmp_path}/a\0b", ["x"])


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o000])
@pytest.mark.parametrize("through_link", [False, True])
def test_a_read_only_file_is_never_replaced(tmp_path, mode, through_link):
    protected = tmp_path / "s.json"
    protected.write_text("protected")
    protected.chmod(mode)
    target = protected
    if through_link:
        target = tmp_path / "link.json"
        target.symlink_to(protected)
    with pytest.raises(PermissionError, match="read-only"):
        write_atomic(target, ["new"])
    protected.chmod(0o600)
    assert protected.read_text() == "protected"
    assert sorted(entries(tmp_path)) == sorted({"s.json", target.name})


def test_a_writable_file_is_replaced_and_keeps_its_mode(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("old")
    path.chmod(0o640)
    write_atomic(path, ["new", b"!"])
    assert path.read_text() == "new!" and stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert entries(tmp_path) == ["s.json"]


# ---- stale temporaries -------------------------------------------------------------------------------


def plant(folder, name, age=STALE_SECONDS * 10, text="half a session"):
    path = folder / name
    path.write_text(text)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_a_stale_temporary_of_the_same_target_is_swept_by_the_next_save(tmp_path):
    plant(tmp_path, temp_name("s.json"))
    plant(tmp_path, temp_name("s.json", "ffffffffffff"))
    write_atomic(tmp_path / "s.json", ["new"])
    assert entries(tmp_path) == ["s.json"]


def test_write_new_sweeps_too(tmp_path):
    plant(tmp_path, temp_name("n.svg"))
    write_new(tmp_path / "n.svg", ["<svg/>"])
    assert entries(tmp_path) == ["n.svg"]


def test_what_is_not_provably_ours_stays(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    keep = [
        plant(tmp_path, temp_name("other.json")).name,                     # another target's
        plant(tmp_path, ".s.json.0123456789AB.tmp").name,                  # not our digits
        plant(tmp_path, ".s.json.0123456789a.tmp").name,
        plant(tmp_path, ".s.json.0123456789abc.tmp").name,
        plant(tmp_path, "s.json.0123456789ab.tmp").name,                   # no leading dot
        plant(tmp_path, ".s.json.0123456789ab.tmp.bak").name,
    ]
    link = tmp_path / temp_name("s.json", "aaaaaaaaaaaa")                   # a link named like ours
    link.symlink_to(victim)
    os.utime(link, (LATER - 10**6, LATER - 10**6), follow_symlinks=False)
    hard = tmp_path / temp_name("s.json", "bbbbbbbbbbbb")                   # a second name of another file
    os.link(victim, hard)
    os.utime(victim, (1, 1))
    folder = tmp_path / temp_name("s.json", "cccccccccccc")
    folder.mkdir()
    os.mkfifo(tmp_path / temp_name("s.json", "dddddddddddd"))
    foreign = plant(tmp_path, temp_name("s.json", "eeeeeeeeeeee"))        # someone else's
    os.chown(foreign, 65534, 65534) if os.geteuid() == 0 else None
    before = entries(tmp_path)
    removed = sweep(str(tmp_path), "s.json", now=LATER)
    expected_gone = set() if os.geteuid() == 0 else {foreign.name}  # (without root, a file is always ours)
    assert set(removed) == expected_gone
    assert set(entries(tmp_path)) == set(before) - expected_gone
    assert victim.read_text() == "precious" and set(keep) <= set(entries(tmp_path))


def test_a_fresh_temporary_stays_even_unlocked(tmp_path):
    # (a writer that has just created it, or a gdtui from before the locks)
    fresh = plant(tmp_path, temp_name("s.json"), age=5)
    write_atomic(tmp_path / "s.json", ["new"])
    assert fresh.exists()
    assert sweep(str(tmp_path), "s.json", now=fresh.stat().st_mtime + STALE_SECONDS + 1) == [fresh.name]


def test_a_locked_temporary_is_never_swept(tmp_path):
    path = plant(tmp_path, temp_name("s.json"))
    with open(path, "rb") as holder:  # another open file: its lock is not the sweeper's
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert sweep(str(tmp_path), "s.json", now=LATER) == []
        assert path.exists()
    assert sweep(str(tmp_path), "s.json", now=LATER) == [path.name]


WRITER = """
import sys, time
from gdtui.engine.atomic import write_atomic

def chunks():
    yield "half"
    print("writing", flush=True)
    time.sleep(60)
    yield "rest"

write_atomic(sys.argv[1], chunks())
"""


def test_a_live_writer_keeps_its_temporary_and_a_killed_ones_is_swept(tmp_path):
    target = tmp_path / "s.json"
    target.write_text("old")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "writing\n"
        (temp,) = [name for name in entries(tmp_path) if name != "s.json"]
        assert sweep(str(tmp_path), "s.json", now=LATER) == []  # however old it looks: it is locked
        assert temp in entries(tmp_path)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
        assert sweep(str(tmp_path), "s.json", now=time.time()) == []  # killed, but only just
        assert sweep(str(tmp_path), "s.json", now=LATER) == [temp]
        assert entries(tmp_path) == ["s.json"] and target.read_text() == "old"
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()


def test_a_failed_save_leaves_no_temporary(tmp_path):
    def chunks():
        yield "half"
        raise RuntimeError("the disk left")

    with pytest.raises(RuntimeError):
        write_atomic(tmp_path / "s.json", chunks())
    with pytest.raises(RuntimeError):
        write_new(tmp_path / "n.json", chunks())
    assert entries(tmp_path) == []


# ---- write_new ---------------------------------------------------------------------------------------


def test_write_new_creates_the_file(tmp_path, monkeypatch):
    write_new(tmp_path / "a.svg", ["<svg>", b"</svg>"])
    assert (tmp_path / "a.svg").read_text() == "<svg></svg>"
    assert entries(tmp_path) == ["a.svg"]
    monkeypatch.chdir(tmp_path)
    write_new("b.csv", ["x\n"])  # a bare name: the current directory
    assert (tmp_path / "b.csv").read_text() == "x\n"
    mode = stat.S_IMODE(os.stat(tmp_path / "b.csv").st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def planted(tmp_path, kind):
    """Something already under the name `new.json`, and what must stay as it was."""
    name, victim = tmp_path / "new.json", tmp_path / "victim.txt"
    victim.write_text("precious")
    if kind == "file":
        name.write_text("mine")
    elif kind == "directory":
        name.mkdir()
    elif kind == "link to a file":
        name.symlink_to(victim)
    elif kind == "dangling link":
        name.symlink_to(tmp_path / "elsewhere.json")
    elif kind == "link to a directory":
        (tmp_path / "sub").mkdir()
        name.symlink_to(tmp_path / "sub")
    return name, victim


KINDS = ["file", "directory", "link to a file", "dangling link", "link to a directory"]


def assert_untouched(tmp_path, name, victim, kind, before):
    assert entries(tmp_path) == before
    assert victim.read_text() == "precious"
    assert not (tmp_path / "elsewhere.json").exists()
    if kind == "file":
        assert name.read_text() == "mine"
    if kind == "link to a directory":
        assert entries(tmp_path / "sub") == []


@pytest.mark.parametrize("kind", KINDS)
def test_write_new_refuses_a_name_that_exists_in_any_form(tmp_path, kind):
    name, victim = planted(tmp_path, kind)
    before = entries(tmp_path)
    with pytest.raises(FileExistsError):
        write_new(name, ["new"])
    assert_untouched(tmp_path, name, victim, kind, before)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("hard_links", [True, False])
def test_write_new_refuses_a_link_planted_after_the_name_was_checked(tmp_path, monkeypatch, kind, hard_links):
    # the check by name comes first and is only a courtesy: the planting happens just after it
    name, victim = planted(tmp_path, kind)
    before = entries(tmp_path)
    monkeypatch.setattr(atomic.os.path, "lexists", lambda path: False)
    if not hard_links:  # a file system without hard links: the exclusive create decides
        def no_link(*args, **kwargs):
            raise OSError(errno.EPERM, "Operation not permitted")
        monkeypatch.setattr(atomic.os, "link", no_link)
    with pytest.raises(FileExistsError):
        write_new(name, ["new"])
    assert_untouched(tmp_path, name, victim, kind, before)


def test_write_new_without_hard_links_still_writes(tmp_path, monkeypatch):
    def no_link(*args, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(atomic.os, "link", no_link)
    write_new(tmp_path / "a.csv", ["x" * 3_000_000, "y"])
    assert (tmp_path / "a.csv").read_text() == "x" * 3_000_000 + "y"
    assert entries(tmp_path) == ["a.csv"]
