"""``flowdeck ssh-serve``: who gets in, what they see and do, and what is refused.

Each test runs the front door in its own event loop on 127.0.0.1 and an
ephemeral port, over the small world of ``flowdeck_world`` (frozen clock),
and talks to it with an asyncssh client. The server is closed at the end of
every test, sessions and all.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
from pathlib import Path

import asyncssh
import pytest
from flowdeck_world import EMAILS
from reach_helpers import Screen, authorized_line, connect, eventually, log_of, new_key, serving

from store.errors import FlowdeckError
from store.services import Flowdeck
from tui.serve.ssh_keys import load_host_key, parse_authorized_keys

IVAN = EMAILS["integrator"]  # integrator in Acme/Staging; not a member of Globex
OTTO = EMAILS["outsider"]
DOWN, ENTER = "\x1b[B", "\r"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, asyncssh.SSHKey]:
    return {"ivan": new_key(), "otto": new_key(), "ghost": new_key(), "stranger": new_key()}


@pytest.fixture
def authorized(tmp_path: Path, keys) -> Path:
    path = tmp_path / "authorized_keys"
    path.write_text("\n".join([
        "# support staff and integrators",
        authorized_line(keys["ivan"], IVAN.upper()),  # case does not matter
        authorized_line(keys["otto"], OTTO),
        authorized_line(keys["ghost"], "ghost@nowhere.example"),  # not a registered user
        "",
    ]))
    return path


async def open_tui(conn: asyncssh.SSHClientConnection, size=(80, 24)) -> Screen:
    process = await conn.create_process(term_type="xterm-256color", term_size=size)
    return Screen(process)


# -- who gets in, and as whom -------------------------------------------------------------------


async def test_an_authorized_key_reaches_its_own_contracts_and_acts_as_its_user(
        world, authorized, keys, tmp_path):
    async with serving(world.store, authorized, tmp_path / "host_key") as door, \
            await connect(door, keys["ivan"], username="maria") as conn:
        screen = await open_tui(conn)
        seen = await screen.wait_for("Contracts", "Acme", IVAN)
        assert "Globex" not in seen  # only what ivan may see
        [session] = door.sessions
        assert session.email == IVAN  # the key decides, not the user name sent

        await screen.keys(ENTER, "Staging", "Production")  # the contract Acme
        await screen.keys(DOWN)
        await screen.keys(ENTER, "Idle", "Orders")  # the workspace Staging
        screen.mark()
        # Idle is highlighted first; start it. Until the workspace's own view has arrived the
        # key answers "still reading from the store; try again in a moment": so try again.
        for _ in range(40):
            screen.process.stdin.write("s")
            with contextlib.suppress(AssertionError):
                await screen.wait_for("Idle started", timeout=0.5)
                break
        else:
            raise AssertionError("Idle never started")

        svc = Flowdeck(world.store, IVAN)
        events = await eventually(lambda: [
            e for e in svc.list_events("Acme/Staging/Idle") if e.kind == "flow.started"])
        assert [e.actor for e in events] == [IVAN]
        assert svc.get_flow("Acme/Staging/Idle").status == "active"

        process = screen.process
        process.stdin.write("q")
        await asyncio.wait_for(process.wait_closed(), 10)
        assert process.exit_status == 0
        await screen.close()
    assert any(f"session opened for {IVAN}" in line for line in log_of(door))


async def test_the_terminal_follows_window_resizes(world, authorized, keys, tmp_path):
    async with serving(world.store, authorized, tmp_path / "host_key") as door, \
            await connect(door, keys["otto"]) as conn:
        screen = await open_tui(conn, (80, 24))
        await screen.wait_for("Globex")
        [session] = door.sessions
        assert tuple(session.app.size) == (80, 24)
        screen.mark()
        screen.process.change_terminal_size(120, 40)
        await eventually(lambda: tuple(session.app.size) == (120, 40))
        await screen.wait_for("Globex")  # drawn again at the new size
        screen.process.stdin.write("q")
        await asyncio.wait_for(screen.process.wait_closed(), 10)
        await screen.close()


async def test_two_sessions_are_two_people(world, authorized, keys, tmp_path):
    async with serving(world.store, authorized, tmp_path / "host_key") as door, \
            await connect(door, keys["ivan"]) as a, await connect(door, keys["otto"]) as b:
        ivan, otto = await open_tui(a), await open_tui(b)
        assert "Globex" not in await ivan.wait_for("Acme")
        assert "Acme" not in await otto.wait_for("Globex")
        assert sorted(s.email for s in door.sessions) == sorted([IVAN, OTTO])
        for screen in (ivan, otto):
            screen.process.stdin.write("q")
            await asyncio.wait_for(screen.process.wait_closed(), 10)
            await screen.close()


@pytest.mark.parametrize("who", ["stranger", "ghost"])
async def test_an_unknown_key_is_refused(world, authorized, keys, tmp_path, who):
    """A key not in the file, and a listed key whose email names no registered user."""
    async with serving(world.store, authorized, tmp_path / "host_key") as door:
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(door, keys[who])
        assert not door.sessions
    assert any("refused key" in line for line in log_of(door))


async def test_password_and_keyboard_interactive_logins_are_refused(world, authorized, tmp_path):
    async with serving(world.store, authorized, tmp_path / "host_key") as door:
        for method in ("password", "keyboard-interactive"):
            with pytest.raises(asyncssh.PermissionDenied):
                await connect(door, None, username=IVAN, password="any password",
                              preferred_auth=method)
        assert not door.sessions


async def test_a_key_added_to_the_file_later_gets_in_without_a_restart(world, authorized, tmp_path):
    late = new_key()
    async with serving(world.store, authorized, tmp_path / "host_key") as door:
        with pytest.raises(asyncssh.PermissionDenied):
            await connect(door, late)
        with authorized.open("a") as f:
            f.write(authorized_line(late, EMAILS["guest"]) + "\n")
        async with await connect(door, late) as conn:
            screen = await open_tui(conn)
            await screen.wait_for("Acme", EMAILS["guest"])
            screen.process.stdin.write("q")
            await asyncio.wait_for(screen.process.wait_closed(), 10)
            await screen.close()


# -- what is refused once in --------------------------------------------------------------------------


async def test_commands_subsystems_and_shells_without_a_terminal_are_refused(
        world, authorized, keys, tmp_path):
    marker = tmp_path / "touched"
    async with serving(world.store, authorized, tmp_path / "host_key") as door:
        async with await connect(door, keys["ivan"]) as conn:
            result = await asyncio.wait_for(conn.run(f"touch {marker}"), 10)
            assert result.exit_status == 1
            assert result.stderr.startswith("error: Flowdeck runs no commands over SSH")
            assert not marker.exists()

            result = await asyncio.wait_for(conn.run(term_type=None), 10)  # a shell, no pty
            assert result.exit_status == 1
            assert "needs a terminal" in result.stderr

            with pytest.raises((asyncssh.ChannelOpenError, asyncssh.SFTPError)):
                await asyncio.wait_for(conn.start_sftp_client(), 10)
        assert not door.sessions
    log = "\n".join(log_of(door))
    assert "refused command" in log and "refused subsystem 'sftp'" in log


async def test_port_and_socket_forwarding_are_refused(world, authorized, keys, tmp_path):
    reached: list[int] = []

    async def on_client(reader, writer):
        reached.append(1)
        writer.close()

    target = await asyncio.start_server(on_client, "127.0.0.1", 0)
    port = target.sockets[0].getsockname()[1]
    try:
        async with serving(world.store, authorized, tmp_path / "host_key") as door, \
                await connect(door, keys["ivan"]) as conn:
            with pytest.raises(asyncssh.ChannelOpenError):  # ssh -L / -D
                await conn.create_connection(asyncssh.SSHTCPSession, "127.0.0.1", port)
            with pytest.raises(asyncssh.ChannelListenError):  # ssh -R
                await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", port)
            with pytest.raises(asyncssh.ChannelOpenError):  # ssh -L to a UNIX socket
                await conn.create_unix_connection(asyncssh.SSHUNIXSession,
                                                  str(tmp_path / "sock"))
            with pytest.raises(asyncssh.ChannelListenError):  # ssh -R from a UNIX socket
                await conn.forward_remote_path(str(tmp_path / "remote.sock"),
                                               str(tmp_path / "sock"))
    finally:
        target.close()
        await target.wait_closed()
    assert not reached


# -- the host key, idle sessions, shutting down ------------------------------------------------------------


async def test_the_host_key_is_created_private_and_reused(world, authorized, keys, tmp_path):
    host_key = tmp_path / "data" / "flowdeck" / "ssh_host_ed25519_key"
    prints = []
    for _ in range(2):
        async with serving(world.store, authorized, host_key) as door:
            assert stat.S_IMODE(host_key.stat().st_mode) == 0o600
            async with await connect(door, keys["ivan"]) as conn:
                prints.append(conn.get_server_host_key().get_fingerprint())
    assert prints[0] == prints[1]


def test_a_host_key_others_may_read_is_refused(tmp_path):
    path = tmp_path / "host_key"
    load_host_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(FlowdeckError, match="chmod 600"):
        load_host_key(path)


async def test_an_idle_session_ends(world, authorized, keys, tmp_path):
    # 3 s: the console's first paint counts against it, and this machine may be busy
    async with serving(world.store, authorized, tmp_path / "host_key", idle_timeout=3.0) as door:
        async with await connect(door, keys["ivan"]) as conn:
            process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24),
                                                stderr=asyncssh.STDOUT)
            screen = Screen(process)
            await screen.wait_for("Acme")
            for _ in range(8):  # typing keeps it alive past the timeout
                await asyncio.sleep(0.5)
                process.stdin.write("\x1b[B")
            assert door.sessions
            await asyncio.wait_for(process.wait_closed(), 15)
            assert "ended after 3 s without input" in screen.text
            await screen.close()
        assert not door.sessions
    assert any("(idle)" in line for line in log_of(door))


async def test_closing_the_server_ends_open_sessions(world, authorized, keys, tmp_path):
    async with serving(world.store, authorized, tmp_path / "host_key") as door:
        conn = await connect(door, keys["ivan"])
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24),
                                            stderr=asyncssh.STDOUT)
        screen = Screen(process)
        await screen.wait_for("Acme")
    # the door is closed: the session was told and its channel closed
    await asyncio.wait_for(process.wait_closed(), 10)
    assert "shutting down" in screen.text
    await screen.close()
    conn.close()


# -- the authorized-keys file ------------------------------------------------------------------------------


def test_authorized_keys_lines_that_are_not_one_key_and_one_email_are_skipped():
    a, b = new_key(), new_key()
    text = "\n".join([
        "# comment", "",
        authorized_line(a, "Priya@Flowdeck.Example"),
        f"{authorized_line(b, 'x@example.com')} extra words",
        'from="10.0.0.1" ' + authorized_line(b, "x@example.com"),
        authorized_line(b, "not-an-email"),
        "ssh-ed25519 AAAAnotakey y@example.com",
        "garbage",
        authorized_line(b, "one@example.com"),
        authorized_line(b, "two@example.com"),  # one key, two people: refused for both
    ])
    keys = parse_authorized_keys(text)
    assert keys.user_for(a) == "priya@flowdeck.example"
    assert keys.user_for(b) is None
    assert [p.split(":")[0] for p in keys.problems] == [
        "line 4", "line 5", "line 6", "line 7", "line 8", "line 10"]
