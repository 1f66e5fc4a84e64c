"""`gdtui host` against the real OpenSSH client, each in a real pseudo-terminal, on loopback."""

from __future__ import annotations

import os
import signal
import stat

import pytest

pytest.importorskip("asyncssh", reason="asyncssh is not installed (pip install asyncssh)")

from gdtui.engine.session import load
from gdtui.spawn import kept_session

from reach_helpers import Terminal, alive, epoch, free_port, gdtui, in_groups, ssh, wait_until


def folder_of(host, name: str):
    folders = [f for f in (host.state / "students").iterdir() if f.name.startswith(f"{name}-")]
    assert len(folders) == 1, folders
    return folders[0]


def kept_epoch(host, name: str) -> int:
    """The epoch of the session kept in `name`'s folder on the host (the newest slot)."""
    return load(kept_session(folder_of(host, name))).epoch


def step_and_quit(host, key, name: str, steps: int, **size) -> None:
    """`name` connects with `key`, steps `steps` epochs one key at a time and quits with q (status 0)."""
    term = Terminal(ssh(host.port, key, name), **size)
    try:
        term.expect(epoch(0))
        for n in range(1, steps + 1):
            term.send(b" ")
            term.expect(epoch(n))
        term.send(b"q")
        assert term.wait() == 0
    finally:
        term.close()


def test_a_student_sees_gdtui_steps_it_resizes_it_and_q_ends_ssh_with_status_0(start_host, keys):
    host = start_host()
    term = Terminal(ssh(host.port, keys["alice"], "alice"))
    try:
        term.expect(epoch(0))
        term.send(b" ")
        term.expect(epoch(1))
        term.resize(70, 24)  # below the app's 72x22: it says so, with the size it was given
        term.expect(rb"this one is (?:\x1b\[[0-9;:?]*[A-Za-z])*70\xc3\x9724")
        term.resize(100, 30)
        term.expect(epoch(1))
        term.send(b"q")
        assert term.wait() == 0
        assert b"gdtui: your work is kept: connect again to go on" in term.output
        assert b"--resume" not in term.output
    finally:
        term.close()
    assert kept_epoch(host, "alice") == 1
    assert "connect alice SHA256:" in host.log and "disconnect alice" in host.log
    assert host.stop() == 0


def test_a_key_not_in_authorized_keys_is_refused_as_openssh_refuses_it(start_host, keys):
    host = start_host()
    term = Terminal(ssh(host.port, keys["mallory"], "mallory"))
    try:
        assert term.wait() == 255
        assert b"Permission denied (publickey)" in term.output
    finally:
        term.close()
    assert "connect mallory" not in host.log
    assert host.stop() == 0


def test_two_students_at_once_stay_independent(start_host, keys, monkeypatch):
    monkeypatch.setenv("GDTUI_TEST_SECRET", "the host's own")
    host = start_host()
    alice = Terminal(ssh(host.port, keys["alice"], "alice"))
    bob = Terminal(ssh(host.port, keys["bob"], "bob"))
    try:
        alice.expect(epoch(0))
        bob.expect(epoch(0))
        alice.send(b" ")
        alice.expect(epoch(1))
        alice.send(b" ")
        alice.expect(epoch(2))
        bob.send(b" ")
        bob.expect(epoch(1))
        for pid in host.pids():
            env = open(f"/proc/{pid}/environ").read().split("\0")
            assert "TERM=xterm-256color" in env and not any(v.startswith("GDTUI_TEST_SECRET=") for v in env)
        for term in (alice, bob):
            term.send(b"q")
            assert term.wait() == 0
    finally:
        alice.close()
        bob.close()
    assert (kept_epoch(host, "alice"), kept_epoch(host, "bob")) == (2, 1)
    assert len(host.pids()) == 2
    assert host.stop() == 0


def test_the_same_key_under_another_name_is_another_student(start_host, keys):
    host = start_host()
    for name, steps in (("alice", 2), ("alice2", 1)):
        step_and_quit(host, keys["alice"], name, steps)
    assert (kept_epoch(host, "alice"), kept_epoch(host, "alice2")) == (2, 1)
    assert host.stop() == 0


def test_a_dropped_link_leaves_no_process_and_reconnecting_resumes_at_the_same_epoch(start_host, keys):
    host = start_host()
    term = Terminal(ssh(host.port, keys["alice"], "alice"))
    try:
        term.expect(epoch(0))
        term.send(b"   ")  # (keys come in bursts over SSH)
        term.expect(epoch(3))
        (first,) = host.pids()
        term.proc.send_signal(signal.SIGKILL)  # the client vanishes without a word
        term.wait()
    finally:
        term.close()
    wait_until(lambda: "disconnect alice" in host.log, "the host to notice the dropped link")
    assert not alive(first) and not in_groups({first})
    assert kept_epoch(host, "alice") == 3
    again = Terminal(ssh(host.port, keys["alice"], "alice"))
    try:
        again.expect(rb"resumed")
        again.expect(epoch(3))
        again.send(b" ")
        again.expect(epoch(4))
        again.send(b"q")
        assert again.wait() == 0
    finally:
        again.close()
    assert kept_epoch(host, "alice") == 4
    assert f"(resumed {kept_session(folder_of(host, 'alice')).name}" in host.log
    assert len(list((folder_of(host, "alice") / "sessions").glob("*.json"))) == 1  # (it went on in its slot)
    assert host.stop() == 0


def test_a_kept_session_that_cannot_be_reopened_is_put_aside_and_the_next_connection_starts_afresh(
        start_host, keys):
    host = start_host()
    step_and_quit(host, keys["alice"], "alice", 1)
    (folder,) = (host.state / "students").iterdir()
    damaged = kept_session(folder)
    damaged.write_text('{"format": "gdtui-session", "version": 1, "kind": "tr')  # (cut short)
    again = Terminal(ssh(host.port, keys["alice"], "alice"))
    try:
        assert again.wait() == 2
        assert f"the kept session could not be reopened (moved to {damaged.name}.unreadable-".encode() in again.output
    finally:
        again.close()
    assert kept_session(folder) is None
    fresh = Terminal(ssh(host.port, keys["alice"], "alice"))
    try:
        fresh.expect(epoch(0))
        fresh.send(b"q")
        assert fresh.wait() == 0
    finally:
        fresh.close()
    assert host.stop() == 0


def test_no_session_without_a_terminal(start_host, keys):
    host = start_host()
    term = Terminal(ssh(host.port, keys["alice"], "alice", tty=False))
    try:
        assert term.wait() == 1
        assert term.output.endswith(b"\ngdtui host: gdtui needs a terminal: connect with ssh -t\r\n")
    finally:
        term.close()
    assert not host.pids()
    assert host.stop() == 0


def test_a_full_class_refuses_in_one_line(start_host, keys):
    host = start_host("--max-sessions", "1")
    alice = Terminal(ssh(host.port, keys["alice"], "alice"))
    try:
        alice.expect(epoch(0))
        bob = Terminal(ssh(host.port, keys["bob"], "bob"))
        try:
            assert bob.wait() == 1
            assert b"gdtui host: the class is full (1 sessions); try again later" in bob.output
        finally:
            bob.close()
        alice.send(b"q")
        assert alice.wait() == 0
    finally:
        alice.close()
    assert host.stop() == 0


def test_connections_over_the_rate_limit_are_refused_in_one_line(start_host, keys):
    host = start_host("--rate-limit", "2")
    outputs = []
    for _ in range(3):
        term = Terminal(ssh(host.port, keys["alice"], "alice", tty=False))
        try:
            outputs.append((term.wait(), term.output))
        finally:
            term.close()
    assert [status for status, _ in outputs] == [1, 1, 255]
    assert b"gdtui host: too many connections from 127.0.0.1; try again in" in outputs[2][1]
    assert host.stop() == 0


def test_an_idle_session_is_kept_and_closed(start_host, keys):
    host = start_host("--idle-timeout", "3")
    term = Terminal(ssh(host.port, keys["alice"], "alice"))
    try:
        term.expect(epoch(0))
        term.send(b" ")
        term.expect(epoch(1))
        term.expect(rb"gdtui host: closed after 3 s without a key; your work is kept")
        assert term.wait() == 0
    finally:
        term.close()
    assert kept_epoch(host, "alice") == 1
    assert host.stop() == 0


def test_sigterm_keeps_every_session_and_exits_0(start_host, keys):
    host = start_host()
    terms = [Terminal(ssh(host.port, keys[name], name)) for name in ("alice", "bob")]
    try:
        for term in terms:
            term.expect(epoch(0))
            term.send(b" ")
            term.expect(epoch(1))
        wait_until(lambda: len(host.pids()) == 2, "both sessions in the log")
        host.proc.send_signal(signal.SIGTERM)
        for term in terms:  # (read on meanwhile, as a terminal does: a full one would hold the host)
            assert term.wait() == 0
            assert b"gdtui host: the host is shutting down; your work is kept" in term.output
        assert host.proc.wait(timeout=60) == 0
    finally:
        for term in terms:
            term.close()
    assert (kept_epoch(host, "alice"), kept_epoch(host, "bob")) == (1, 1)
    assert not in_groups(host.pids())


def test_open_mode_lets_any_key_in_and_says_so_loudly(start_host, keys):
    host = start_host("--open", authorized=False)
    assert "WARNING: --open: ANY public key gets in" in host.err_path.read_text()
    term = Terminal(ssh(host.port, keys["mallory"], "mallory"))
    try:
        term.expect(epoch(0))
        term.send(b"q")
        assert term.wait() == 0
    finally:
        term.close()
    assert host.stop() == 0


def test_the_host_key_is_made_once_and_kept_private(start_host):
    first = start_host()
    assert first.stop() == 0
    key = first.state / "ssh_host_ed25519_key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(first.state).st_mode) == 0o700
    before = key.read_bytes()
    second = start_host()
    assert second.stop() == 0
    assert key.read_bytes() == before
    fingerprint = first.log.split("host key ")[1].split(")")[0]
    assert f"host key {fingerprint})" in second.log


def test_on_a_terminal_the_host_shows_the_board(tmp_path, keys):
    port = free_port()
    board = Terminal(gdtui("host", "--port", str(port), "--state-dir", str(tmp_path / "state"),
                           "--authorized-keys", str(keys["authorized_keys"]), "--seed", "0"))
    try:
        board.expect(rb"gdtui host: 0 session\(s\)")
        board.expect(rb"student.+since.+epoch.+loss.+rule.+alpha.+state")
        alice = Terminal(ssh(port, keys["alice"], "alice"))
        try:
            alice.expect(epoch(0))
            board.expect(rb"gdtui host: 1 session\(s\)")
            alice.send(b" ")
            alice.expect(epoch(1))  # the app's status file reaches the board within a second or two
            board.expect(rb"alice\W+\d+m\d\ds\W+1\W+[0-9.e+-]+\W+gd\W+0\.01\W+paused")
            alice.send(b"q")
            assert alice.wait() == 0
        finally:
            alice.close()
        board.expect(rb"disconnect alice")
        board.proc.send_signal(signal.SIGTERM)
        assert board.wait() == 0
    finally:
        board.close()


def test_connecting_again_while_still_connected_takes_the_session_over(start_host, keys):
    host = start_host()
    first = Terminal(ssh(host.port, keys["alice"], "alice"))
    try:
        first.expect(epoch(0))
        first.send(b"  ")
        first.expect(epoch(2))
        second = Terminal(ssh(host.port, keys["alice"], "alice"))
        try:
            assert first.wait() == 0
            assert b"gdtui host: you connected again from elsewhere; your work is kept" in first.output
            second.expect(epoch(2))
            second.send(b"q")
            assert second.wait() == 0
        finally:
            second.close()
    finally:
        first.close()
    assert kept_epoch(host, "alice") == 2 and len(host.pids()) == 2
    assert host.stop() == 0


def test_a_softmax_class_of_three_is_hosted_and_kept_with_its_shape(start_host, keys):
    host = start_host("--classes", "3", "--loss", "softmax", "--alpha", "0.001")
    step_and_quit(host, keys["alice"], "alice", 2, columns=80, rows=24)
    kept = load(kept_session(folder_of(host, "alice")))
    assert kept.epoch == 2 and (kept.config.loss, kept.config.classes) == ("softmax", 3)
    assert kept.weights.shape == (3, 3)
    assert host.stop() == 0
