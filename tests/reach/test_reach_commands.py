"""The real ``flowdeck ssh-serve`` and ``flowdeck serve`` commands, as processes.

Each test starts the command on 127.0.0.1 (an ephemeral or free port),
waits until it answers, and stops it with SIGTERM or SIGINT: it must exit 0,
saying so, with no traceback. Refusals are one line ``error: …`` and exit 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import re
import select
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import asyncssh
import pytest
from flowdeck_world import EMAILS, T0
from reach_helpers import Screen, authorized_line, free_port, new_key, strip_ansi

from store.clock import Clock, FrozenClock, iso
from tui.serve.web import served_argv

FLOWDECK = Path(sys.executable).parent / "flowdeck"
IVAN = EMAILS["integrator"]


@pytest.fixture
def env(tmp_path: Path, world) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items()
         if not k.startswith("FLOWDECK_") or k == "FLOWDECK_SECRET_KEY"}  # a server store's key
    e.update(FLOWDECK_DB=world.store.url, XDG_DATA_HOME=str(tmp_path / "data"),
             XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path / "home"),
             NO_COLOR="1", TEXTUAL_ANIMATIONS="none")
    return e


async def start(env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(FLOWDECK), "--now", iso(T0), "--speed", "0", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def stop(process: asyncio.subprocess.Process, sig: int) -> tuple[int, str, str]:
    if process.returncode is None:
        process.send_signal(sig)
    try:
        out, err = await asyncio.wait_for(process.communicate(), 20)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode, out.decode(), err.decode()


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(FLOWDECK), *args], env=env, capture_output=True, text=True,
                          timeout=60)


# -- ssh-serve ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_ssh_serve_serves_and_stops_cleanly(env, tmp_path, sig):
    key = new_key()
    keys = tmp_path / "authorized_keys"
    keys.write_text(authorized_line(key, IVAN) + "\n")
    server = await start(env, "ssh-serve", "--authorized-keys", str(keys), "--port", "0")
    try:
        first = (await asyncio.wait_for(server.stdout.readline(), 30)).decode()
        port = int(re.search(r"listening on 127\.0\.0\.1:(\d+) ", first).group(1))
        host_key = tmp_path / "data" / "flowdeck" / "ssh_host_ed25519_key"
        assert stat.S_IMODE(host_key.stat().st_mode) == 0o600
        conn = await asyncio.wait_for(asyncssh.connect(
            "127.0.0.1", port, known_hosts=None, client_keys=[key], agent_path=None,
            config=None, username="whoever"), 15)
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24),
                                            stderr=asyncssh.STDOUT)
        screen = Screen(process)
        await screen.wait_for("Acme", IVAN, timeout=20)
    finally:
        code, out, err = await stop(server, sig)
    await asyncio.wait_for(process.wait_closed(), 10)  # the session was ended, not dropped
    assert "shutting down" in screen.text
    await screen.close()
    conn.close()
    assert code == 0, err
    assert f"stopped by {sig.name}" in out
    assert f"session opened for {IVAN}" in out
    assert "Traceback" not in err + out


def test_ssh_serve_refuses_a_missing_keys_file_in_one_line(env, tmp_path):
    r = run(env, "ssh-serve", "--authorized-keys", str(tmp_path / "nope"), "--port", "0")
    assert r.returncode == 1
    assert r.stderr.startswith("error: no authorized-keys file at ") and r.stderr.count("\n") == 1


def test_ssh_serve_refuses_a_busy_port_in_one_line(env, tmp_path):
    keys = tmp_path / "authorized_keys"
    keys.write_text(authorized_line(new_key(), IVAN) + "\n")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run(env, "ssh-serve", "--authorized-keys", str(keys), "--port", str(port))
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert r.stderr.count("\n") == 1


# -- serve ------------------------------------------------------------------------------------------


async def test_serve_answers_with_the_app_page_and_runs_the_app(env, tmp_path):
    port = free_port()
    server = await start(env, "--user", IVAN, "serve", "--port", str(port))
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            page = await _get_when_up(http, f"http://127.0.0.1:{port}/", server)
            assert "<div>Flowdeck</div>" in page  # the application's name on the start dialog
            assert "textual.js" in page and f"ws://127.0.0.1:{port}/ws" in page
            # a page's websocket starts the TUI (the served flowdeck command) as the user
            async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as ws:
                seen = await _screen_until(ws, b"Acme", 30)
                assert IVAN.encode() in seen
    finally:
        code, out, err = await stop(server, signal.SIGTERM)
    assert code == 0, err
    assert f"serving Flowdeck on http://127.0.0.1:{port} as {IVAN}" in out
    assert "trusted network" in out and "serve stopped" in out
    assert "Traceback" not in err + out
    await _no_app_left(env["FLOWDECK_DB"])


async def _get_when_up(http: aiohttp.ClientSession, url: str, server) -> str:
    deadline = time.monotonic() + 30
    while True:
        assert server.returncode is None, "serve exited early"
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return await response.text()
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} never answered")
        await asyncio.sleep(0.2)


async def _screen_until(ws, needle: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"never saw {needle!r}: {seen[-400:]!r}"
        try:
            msg = await asyncio.wait_for(ws.receive(), min(left, 1.0))
        except TimeoutError:
            continue
        if msg.type == aiohttp.WSMsgType.BINARY:
            seen += msg.data
        elif msg.type == aiohttp.WSMsgType.TEXT:
            seen += msg.data.encode()
        else:
            raise AssertionError(f"websocket closed: {msg.type}")
    return seen


async def _no_app_left(db_url: str) -> None:
    """Every flowdeck the server started for a page has ended too."""
    deadline = time.monotonic() + 10
    while True:
        left = []
        for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
            if pid.isdigit():
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                if "tui.cli" in cmd and db_url in cmd:
                    left.append(pid)
        if not left:
            return
        assert time.monotonic() < deadline, f"still running: {left}"
        await asyncio.sleep(0.2)


def test_serve_refuses_an_unknown_user_in_one_line(env):
    r = run(env, "--user", "nobody@nowhere.example", "serve", "--port", str(free_port()))
    assert r.returncode == 1
    assert r.stderr.startswith("error: ") and r.stderr.count("\n") == 1


def test_the_served_command_is_flowdeck_with_the_same_options():
    clock = FrozenClock(T0)
    argv = served_argv(url="sqlite:///x.db", user=IVAN, clock=clock, readonly=True)
    assert argv[:3] == [sys.executable, "-m", "tui.cli"]
    assert argv[3:] == ["--db", "sqlite:///x.db", "--user", IVAN, "--now", iso(T0),
                        "--speed", "0", "--readonly"]
    assert served_argv(url="u", user=IVAN, clock=Clock(), readonly=False)[3:] == \
        ["--db", "u", "--user", IVAN]


# -- demo --tour ------------------------------------------------------------------------------------


def test_demo_tour_opens_the_tui_with_the_tour_on_a_terminal(env, tmp_path):
    env = {**env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    master, slave = pty.openpty()
    demo = subprocess.Popen([str(FLOWDECK), "--db", str(tmp_path / "demo.db"), "demo", "--tour"],
                            stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = ""

    def read_until(needle: str, timeout: float) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while needle not in strip_ansi(seen):
            assert time.monotonic() < deadline, f"never saw {needle!r}: {strip_ansi(seen)[-600:]!r}"
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(master, 65536).decode("utf-8", "replace")
                except OSError:
                    break

    try:
        read_until("Tour 1/8", 60)
        os.write(master, b"]")
        read_until("Tour 2/8", 20)
        os.write(master, b"q")
        # keep reading while it leaves: a process whose terminal is not read blocks on
        # writing its last frames and never exits
        deadline = time.monotonic() + 30
        while demo.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                with contextlib.suppress(OSError):
                    os.read(master, 65536)
        assert demo.wait(timeout=1) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        os.close(master)
    assert "Traceback" not in strip_ansi(seen)
