"""The host's parts without a network: student folders, the rate limit, the key list and the
board."""

from __future__ import annotations

import os
import re
import time

import pytest

asyncssh = pytest.importorskip("asyncssh", reason="asyncssh is not installed (pip install asyncssh)")

from gdtui.host_access import Admission, Gate, KeyList, RateLimit, Student
from gdtui.host_board import Board, row
from gdtui.engine import TrainConfig, create_trainer
from gdtui.engine.session import save
from gdtui.host_session import LARGEST, StudentSession, _reopens, set_size
from gdtui.status_file import Status, write_status

SAFE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,23}-[0-9a-f]{16}")


@pytest.mark.parametrize("name", ["alice", "", ".", "..", "../../etc/passwd", "a/b", "a_b", "ALICE", "é" * 40,
                                  "\x1b[31mred", "con", "-rf", " " * 5, "x" * 300])
def test_a_student_folder_is_one_safe_name(name):
    folder = Student("SHA256:abc", name).folder
    assert SAFE.fullmatch(folder), folder
    assert "/" not in folder and not folder.startswith(".")
    assert all(0x20 <= ord(c) < 0x7f for c in Student("SHA256:abc", name).shown)


def test_names_or_keys_that_read_alike_get_different_folders():
    folders = {Student("SHA256:abc", "a/b").folder, Student("SHA256:abc", "a_b").folder,
               Student("SHA256:xyz", "a_b").folder, Student("SHA256:abc", "a?b").folder}
    assert len(folders) == 4
    assert Student("SHA256:abc", "alice").folder == Student("SHA256:abc", "alice").folder


def test_the_rate_limit_allows_a_burst_then_one_per_interval_per_address():
    limit = RateLimit(per_minute=6, burst=2)
    assert [limit.allow("a", now=0.0) for _ in range(2)] == [0.0, 0.0]
    assert limit.allow("a", now=0.0) == pytest.approx(10.0)
    assert limit.allow("b", now=0.0) == 0.0  # another address has its own bucket
    assert limit.allow("a", now=9.0) == pytest.approx(1.0)
    assert limit.allow("a", now=10.5) == 0.0


def test_the_key_list_is_read_again_when_the_file_changes(tmp_path):
    alice, bob = (asyncssh.generate_private_key("ssh-ed25519").convert_to_public() for _ in range(2))
    path = tmp_path / "authorized_keys"
    path.write_bytes(alice.export_public_key())
    keys = KeyList(path)
    assert keys.allows(alice, "127.0.0.1", "127.0.0.1") and not keys.allows(bob, "127.0.0.1", "127.0.0.1")
    path.write_bytes(alice.export_public_key() + bob.export_public_key())
    os.utime(path, ns=(time.time_ns() + 10**9,) * 2)
    assert keys.allows(bob, "127.0.0.1", "127.0.0.1")
    path.write_text('from="10.0.0.0/8" ' + bob.export_public_key().decode())
    os.utime(path, ns=(time.time_ns() + 2 * 10**9,) * 2)
    assert not keys.allows(bob, "127.0.0.1", "127.0.0.1") and keys.allows(bob, "10.1.2.3", "10.1.2.3")


@pytest.mark.parametrize("emptied", ["", "# every key removed\n", None])
def test_a_key_list_emptied_or_removed_while_the_host_runs_lets_no_one_in(tmp_path, emptied):
    alice = asyncssh.generate_private_key("ssh-ed25519").convert_to_public()
    path = tmp_path / "authorized_keys"
    path.write_bytes(alice.export_public_key())
    keys = KeyList(path)
    assert keys.allows(alice, "127.0.0.1", "127.0.0.1")
    if emptied is None:
        path.unlink()
    else:
        path.write_text(emptied)
        os.utime(path, ns=(time.time_ns() + 10**9,) * 2)
    assert not keys.allows(alice, "127.0.0.1", "127.0.0.1")
    path.write_bytes(alice.export_public_key())  # (and the door opens again with the file)
    os.utime(path, ns=(time.time_ns() + 2 * 10**9,) * 2)
    assert keys.allows(alice, "127.0.0.1", "127.0.0.1")


class FakeConnection:
    """What a Gate asks of asyncssh's connection: its peer, and to be closed."""

    def __init__(self, address: str) -> None:
        self.address, self.aborted, self.said = address, False, None

    def get_extra_info(self, name, default=None):
        return {"peername": (self.address, 50000), "username": "alice"}.get(name, default)

    def set_extra_info(self, **info):
        self.info = info

    def abort(self):
        self.aborted = True

    def disconnect(self, code, reason):
        self.said = reason


def test_sockets_that_never_log_in_cannot_lock_the_class_out():
    admission = Admission(max_logged_in=2, pending_per_address=3)
    limit = RateLimit(per_minute=1000, burst=1000)
    idle = [FakeConnection("10.0.0.9") for _ in range(5)]
    for conn in idle:
        Gate(None, limit, admission).connection_made(conn)
    assert [c.aborted for c in idle] == [False] * 3 + [True] * 2  # (more than 3 from one address: dropped)
    student = FakeConnection("10.0.0.7")
    gate = Gate(None, limit, admission)
    gate.connection_made(student)
    gate.begin_auth("alice")
    assert not student.aborted and student.said is None  # (idle sockets elsewhere do not count against her)
    assert gate.validate_public_key("alice", asyncssh.generate_private_key("ssh-ed25519").convert_to_public())
    gate.auth_completed()
    assert admission.logged_in == {student} and admission.pending == {"10.0.0.9": 3}
    gate.connection_lost(None)
    assert admission.logged_in == set() and student not in admission.open


def test_the_logged_in_limit_counts_only_connections_that_logged_in():
    admission = Admission(max_logged_in=1)
    limit = RateLimit(per_minute=1000, burst=1000)
    first, second = (FakeConnection(f"10.0.0.{n}") for n in (1, 2))
    gate = Gate(None, limit, admission)
    gate.connection_made(first)
    gate.begin_auth("alice")
    assert first.said is None
    gate.validate_public_key("alice", asyncssh.generate_private_key("ssh-ed25519").convert_to_public())
    gate.auth_completed()
    late = Gate(None, limit, admission)
    late.connection_made(second)
    late.begin_auth("bob")
    assert second.said == "gdtui host: too many connections (1 open); try again later"


def test_a_client_cannot_ask_for_a_terminal_larger_than_the_host_gives():
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    try:
        set_size(master, 70000, 70000)  # (more than a size field holds)
        rows, columns = struct.unpack("HHHH", fcntl.ioctl(slave, termios.TIOCGWINSZ, b"\0" * 8))[:2]
        assert (columns, rows) == LARGEST
        set_size(master, 0, 0)
        rows, columns = struct.unpack("HHHH", fcntl.ioctl(slave, termios.TIOCGWINSZ, b"\0" * 8))[:2]
        assert (columns, rows) == (80, 24)
    finally:
        os.close(master)
        os.close(slave)


def test_a_missing_key_list_is_an_error_at_start(tmp_path):
    with pytest.raises(OSError):
        KeyList(tmp_path / "nothing")


def session_in(folder, name="alice") -> StudentSession:
    session = StudentSession(Student("SHA256:abc", name), folder, "127.0.0.1", options=[], data_dir=None,
                             idle_timeout=60, environ={})
    session.pid, session.state, session.since = 4242, "live", 1000.0
    return session


def test_a_board_row_shows_the_status_the_app_wrote(tmp_path):
    session = session_in(tmp_path)
    assert row(session, now=1075.0) == ("alice", "1m15s", "-", "-", "-", "-", "live")
    write_status(tmp_path, Status(4242, 1074.0, 12, 36.40771234, "momentum", 0.01, "running"))
    assert row(session, now=1075.0) == ("alice", "1m15s", "12", "36.4077", "momentum", "0.01", "running")
    session.state = "closing"
    shown = row(session, now=4600.0)
    assert (shown[1], shown[6]) == ("1h00m", "closing")


def test_a_diverged_student_stands_out_on_the_board(tmp_path):
    calm, lost = session_in(tmp_path / "calm", "calm"), session_in(tmp_path / "lost", "lost")
    for session, state in ((calm, "running"), (lost, "diverged")):
        session.folder.mkdir()
        write_status(session.folder, Status(4242, 1074.0, 12, None, "gd", 10.0, state))
    table = Board([calm, lost], out=open(os.devnull, "w")).table(now=1075.0)
    assert [r.style for r in table.rows] == [None, "bold white on red"]


def test_without_a_terminal_the_board_logs_one_line_per_connect_and_disconnect(tmp_path):
    log = tmp_path / "log"
    with open(log, "w") as out:
        board = Board(out=out)
        session = session_in(tmp_path, "bob\x1b[2J")
        board.connected(session)
        board.disconnected(session, 0, "gdtui quit")
    lines = log.read_text().splitlines()
    assert len(lines) == 2 and not board.live and not board.sessions
    assert "connect bob?[2J SHA256:abc from 127.0.0.1 (new session, pid 4242)" in lines[0]
    assert lines[1].endswith("disconnect bob?[2J after " + lines[1].split(" after ")[1])
    assert lines[1].endswith(": gdtui quit (status 0)")


async def test_reopens_tells_a_readable_session_from_a_broken_one(tmp_path):
    """gdtui ends with status 2 both when it refuses the session it was to resume and when its
    autosave failed; `_reopens` tells the two apart, so that only a broken session is put aside
    (the putting aside itself: tests/reach/test_host.py, over OpenSSH)."""
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    trainer = create_trainer(TrainConfig(seed=0))
    trainer.run(2)
    save(trainer, good)
    bad.write_text('{"format": "gdtui-session", "ver')
    assert await _reopens(good) and not await _reopens(bad)
