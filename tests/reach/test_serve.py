"""`gdtui serve` in a real headless Chromium. The terminal is an xterm.js canvas, so what the
app does is checked from the server's side (its processes, their folders, their kept sessions)
and from the browser's downloads (`S` and `x`)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="textual_serve is not installed (pip install textual-serve)")

from gdtui.engine.session import load
from gdtui.serve import offline_template
from gdtui.spawn import kept_session

from reach_helpers import alive, gdtui, wait_until


def serve(start_server, *extra: str):
    return start_server(*gdtui("serve", "--port", "{port}", "--state-dir", "{state}", "--seed", "0", *extra))


def downloads(browser, *suffixes: str) -> list[Path] | None:
    """The finished downloads, once there is one ending in each of `suffixes` (in that order)."""
    found = browser.downloaded()
    picked = [next((f for f in found if f.name.endswith(suffix)), None) for suffix in suffixes]
    return None if None in picked else picked


def test_a_tab_shows_gdtui_keys_step_it_and_S_and_x_arrive_as_downloads(start_server, browser):
    server = serve(start_server)
    browser.open(server.url)
    browser.first_frame()
    fetched = [u for u in browser.requested() if u.startswith(("http:", "https:", "ws:", "wss:"))]
    assert fetched and all(u.startswith(server.url) for u in fetched), fetched  # (offline: nothing else)
    assert any(u.endswith(".ttf") for u in fetched)  # (the font comes from the server too)
    (tab,) = wait_until(server.tabs, "the tab's gdtui")
    (folder,) = server.tab_folders()
    browser.type("   S")
    (session,) = wait_until(lambda: downloads(browser, ".json"), "the session file's download")
    assert session.name.startswith("gdtui-session-") and load(session).epoch == 3
    browser.type("x")
    svg, history = wait_until(lambda: downloads(browser, ".svg", "-history.csv"), "the export's downloads")
    assert svg.read_text().lstrip().startswith("<svg")
    assert [int(row["epoch"]) for row in csv.DictReader(history.open())] == [0, 1, 2, 3]
    browser.type("q")  # q keeps the session in the tab's folder and ends the app: the page says so
    wait_until(browser.ended, "the page to say the session ended")
    wait_until(lambda: not alive(tab), "the tab's gdtui to exit")
    assert load(kept_session(folder)).epoch == 3
    assert list(server.cwd.iterdir()) == []  # nothing written where the server runs,
    assert sorted(p.name for p in folder.iterdir()) == ["sessions", "status.json"]  # nor S or x on its disk


def test_two_tabs_are_two_processes_each_in_its_own_folder(start_server, browser, monkeypatch):
    monkeypatch.setenv("GDTUI_TEST_SECRET", "the server's own")
    server = serve(start_server)
    browser.open(server.url)
    browser.first_frame()
    browser.open(server.url, new_tab=True)
    browser.first_frame()
    tabs = wait_until(lambda: len(server.tabs()) == 2 and server.tabs(), "two tabs' gdtui")
    folders = {Path(os.readlink(f"/proc/{pid}/cwd")) for pid in tabs}
    assert folders == set(server.tab_folders()) and len(folders) == 2
    for pid in tabs:
        env = dict(v.split("=", 1) for v in open(f"/proc/{pid}/environ").read().split("\0") if "=" in v)
        assert env["GDTUI_STATE_DIR"] == os.readlink(f"/proc/{pid}/cwd")
        assert env["GDTUI_DELIVER"] == "1" and env["GDTUI_DATA_DIR"] == env["GDTUI_STATE_DIR"]
        assert stat_mode(env["GDTUI_STATE_DIR"]) == 0o700
        assert "GDTUI_TEST_SECRET" not in env
        assert int(env["COLUMNS"]) > 80 and int(env["ROWS"]) > 24  # the page's size (1280x800 pixels)


def stat_mode(path: str) -> int:
    return os.stat(path).st_mode & 0o777


def test_the_offline_page_links_nothing_outside(tmp_path):
    assert offline_template(tmp_path) == []
    page = (tmp_path / "app_index.html").read_text()
    assert "googleapis" not in page and "gstatic" not in page
    assert page.count("{{ config.static.url }}fonts/RobotoMono") == 2


def test_sigterm_stops_the_server_and_every_tab_after_each_kept_its_session(start_server, browser):
    server = serve(start_server)
    browser.open(server.url)
    browser.first_frame()
    browser.open(server.url, new_tab=True)
    browser.first_frame()
    tabs = wait_until(lambda: len(server.tabs()) == 2 and server.tabs(), "two tabs' gdtui")
    for n, steps in ((0, "  "), (1, " ")):
        browser.switch(n)
        browser.type(steps)
    for n in (0, 1):  # keys are taken in order: once a tab's export is out, its steps were taken
        browser.switch(n)
        browser.type("x")
        for done in wait_until(lambda: downloads(browser, ".svg", ".csv"), f"tab {n}'s export"):
            done.unlink()  # (the next tab's may have the same name: the same second's)
    assert server.stop() == 0
    assert not [pid for pid in tabs if alive(pid)]
    assert sorted(load(kept_session(f)).epoch for f in server.tab_folders()) == [1, 2]
    assert "stopped 2 tab(s)" in server.out


def test_a_killed_server_leaves_no_tab_behind(start_server, browser):
    server = serve(start_server)
    browser.open(server.url)
    browser.first_frame()
    (tab,) = wait_until(server.tabs, "the tab's gdtui")
    server.proc.send_signal(signal.SIGKILL)  # no chance to clean up: the kernel hangs the tab up
    server.proc.wait()
    wait_until(lambda: not alive(tab), "the orphaned tab to exit")


def test_off_loopback_it_warns_in_one_line_and_a_busy_port_is_one_line(start_server):
    server = start_server(*gdtui("serve", "--host", "0.0.0.0", "--port", "{port}", "--state-dir", "{state}"))
    assert server.err_path.read_text() == (
        f"gdtui serve: warning: listening on 0.0.0.0: textual-serve has no authentication, anyone who can "
        f"reach port {server.port} gets a gdtui; give --public-url http://NAME:PORT, the address browsers use\n")
    busy = subprocess.run(gdtui("serve", "--port", str(server.port)), capture_output=True, text=True, timeout=60)
    assert busy.returncode == 1
    assert busy.stderr == f"gdtui serve: cannot listen on 127.0.0.1:{server.port}: Address already in use\n"
    assert server.stop() == 0


async def _open_tab(url: str, origin: str, keys: str = "", size=(80, 24)) -> int:
    """Open the app's websocket as a page from `origin` would (HTTP status when refused), press
    `keys`, then drop the connection at once, reading nothing more."""
    import aiohttp

    ws_url = url.replace("http://", "ws://") + f"ws?width={size[0]}&height={size[1]}"
    async with aiohttp.ClientSession() as client:
        try:
            socket = await client.ws_connect(ws_url, headers={"Origin": origin})
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status
        seen = 0
        while seen < 2000:  # (the app's first frame: it is ready for keys)
            message = await socket.receive()
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
            seen += len(message.data)
        for key in keys:
            await socket.send_json(["stdin", key])
        while keys and seen < 1_000_000:  # (the app answers them: frames after frames in run mode)
            seen += len((await socket.receive()).data)
        await socket.close()
    return 101


def test_a_page_of_another_site_cannot_open_a_tab(start_server):
    import asyncio

    server = serve(start_server)
    assert asyncio.run(_open_tab(server.url, "http://evil.example")) == 403
    assert server.tabs() == [] and server.tab_folders() == []
    assert asyncio.run(_open_tab(server.url, f"http://localhost:{server.port}")) == 101  # (loopback's other name)


def test_a_tab_dropped_while_its_app_floods_the_screen_leaves_no_process(start_server):
    """Run mode at the largest size the app draws, and the tab closed without reading: the tab's
    gdtui blocks writing to a pipe no one reads; the server must still end it."""
    import asyncio

    server = serve(start_server)
    assert asyncio.run(_open_tab(server.url, server.url.rstrip("/"), keys=" p", size=(500, 200))) == 101
    wait_until(lambda: not server.tabs(), "the dropped tab's gdtui to end")
    (folder,) = server.tab_folders()
    assert kept_session(folder) is not None  # (ended by a hangup: its session was kept)


def test_a_tab_trains_a_feature_map_model_and_keeps_it(start_server, browser):
    server = serve(start_server, "--dataset", "circles", "--features", "x1,x2,x1^2,x2^2", "--loss", "bce")
    browser.open(server.url)
    browser.first_frame()
    (tab,) = wait_until(server.tabs, "the tab's gdtui")
    (folder,) = server.tab_folders()
    browser.type("   q")
    wait_until(browser.ended, "the page to say the session ended")
    wait_until(lambda: not alive(tab), "the tab's gdtui to exit")
    kept = load(kept_session(folder))
    assert kept.epoch == 3 and kept.config.features == ("x1", "x2", "x1^2", "x2^2")
    assert kept.weights.shape == (5,)
