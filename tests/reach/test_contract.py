"""The contract between the servers and the app: the session environment, where a kept session
is found, and the status file."""

from __future__ import annotations

import json
import os
import time

from gdtui.spawn import child_env, kept_session
from gdtui.status_file import STATUS_NAME, Status, read_status, status_now, write_status


def test_the_status_file_round_trips_and_anything_odd_reads_as_no_status(tmp_path):
    status = status_now(epoch=12, loss=36.4077, rule="momentum", alpha=0.01, state="running")
    write_status(tmp_path, status)
    assert read_status(tmp_path) == status
    assert read_status(tmp_path, pid=os.getpid()) == status
    assert read_status(tmp_path, pid=os.getpid() + 1) is None  # left by another process
    assert [p.name for p in tmp_path.iterdir()] == [STATUS_NAME]  # (no temporary file left)
    write_status(tmp_path, Status(1, 2.0, 3, float("nan"), "gd", 0.1, "diverged"))
    assert json.loads((tmp_path / STATUS_NAME).read_text())["loss"] is None
    for text in ("", "{", "[]", '{"format": "gdtui-status", "version": 2}', "x" * 10000,
                 json.dumps({"format": "gdtui-status", "version": 1, "pid": 1, "updated": 1, "epoch": "12",
                             "loss": None, "rule": "gd", "alpha": 0.1, "state": "paused"})):
        (tmp_path / STATUS_NAME).write_text(text)
        assert read_status(tmp_path) is None, text


def test_a_session_environment_follows_the_contract_and_keeps_the_servers_secrets(tmp_path):
    server = {"PATH": "/bin", "LC_ALL": "C.UTF-8", "TEXTUAL_FPS": "20", "SSH_AUTH_SOCK": "/tmp/agent",
              "AWS_SECRET_ACCESS_KEY": "x", "COLORTERM": "truecolor", "GDTUI_DELIVER": "1", "COLUMNS": "80"}
    ssh = child_env(server, tmp_path, data_dir="/data", term="xterm-256color")
    assert ssh == {"PATH": "/bin", "LC_ALL": "C.UTF-8", "TEXTUAL_FPS": "20", "GDTUI_STATE_DIR": str(tmp_path),
                   "GDTUI_DATA_DIR": "/data", "TERM": "xterm-256color"}
    web = child_env({**server, "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "ROWS": "31"},
                    tmp_path, deliver=True)
    assert web["GDTUI_DELIVER"] == "1" and (web["COLUMNS"], web["ROWS"]) == ("80", "31")
    assert web["TEXTUAL_DRIVER"] == "textual.drivers.web_driver:WebDriver"
    assert "SSH_AUTH_SOCK" not in web and "AWS_SECRET_ACCESS_KEY" not in web and "GDTUI_DATA_DIR" not in web


def test_the_kept_session_is_the_newest_slot_as_resume_opens_it(tmp_path, monkeypatch):
    from gdtui.ui import slots

    assert kept_session(tmp_path) is None
    (tmp_path / "sessions").mkdir()
    assert kept_session(tmp_path) is None
    older, newer = tmp_path / "sessions" / "20260101-000000-1.json", tmp_path / "sessions" / "20250101-000000-2.json"
    for n, path in enumerate((older, newer)):
        path.write_text("{}")
        os.utime(path, ns=(time.time_ns() + n * 10**9,) * 2)
    (tmp_path / "sessions" / "x.json.lock").write_text("")  # (the slot's lock, a put-aside file, a temp file)
    (tmp_path / "sessions" / "y.json.unreadable-20260101-000000").write_text("")
    (tmp_path / "sessions" / ".z.json").write_text("")
    assert kept_session(tmp_path) == newer
    monkeypatch.setenv("GDTUI_STATE_DIR", str(tmp_path))
    assert slots.kept()[0].path == newer  # the one the app's --resume opens
