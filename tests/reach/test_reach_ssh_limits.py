"""``flowdeck ssh-serve``'s limits, tried with OpenSSH's own clients (ssh, sftp, scp).

The login grace, the idle timeout applied to every connection (``ssh -N``
included), the session limits (``--max-sessions``, 3 per key), and the
forwarding and file-transfer refusals as an OpenSSH user sees them. Each
client runs with a temporary key, no configuration, no agent, no known
hosts, in batch mode, against a front door on 127.0.0.1 and a free port
(see ``reach_helpers.serving``); everything it started is stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from pathlib import Path

import asyncssh
import pytest
from flowdeck_world import EMAILS
from reach_helpers import authorized_line, eventually, free_port, log_of, new_key, serving

from store.policy import SSH_SESSIONS_PER_KEY
from tui.serve.ssh_limits import Seats

SSH, SFTP, SCP = shutil.which("ssh"), shutil.which("sftp"), shutil.which("scp")
pytestmark = pytest.mark.skipif(
    SSH is None, reason="OpenSSH's ssh client is not installed: these tests drive the server "
                        "with the real client (the asyncssh-driven tests cover the rest)")

IVAN, OTTO = EMAILS["integrator"], EMAILS["outsider"]


class Clients:
    """Temporary keys on disk for OpenSSH, and the clients started with them."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.keys: dict[str, asyncssh.SSHKey] = {}
        self.files: dict[str, Path] = {}
        self.running: list[asyncio.subprocess.Process] = []

    def add(self, who: str) -> asyncssh.SSHKey:
        key = self.keys[who] = new_key()
        path = self.files[who] = self.home / f"id_{who}"
        path.write_bytes(key.export_private_key())
        path.chmod(0o600)
        return key

    def options(self, who: str) -> list[str]:
        return ["-F", "/dev/null", "-i", str(self.files[who]), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
                "-o", "ConnectTimeout=10"]

    async def start(self, program: str, who: str, *args: str) -> asyncio.subprocess.Process:
        env = {"HOME": str(self.home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "TERM": "xterm-256color", "LANG": "C.UTF-8"}
        proc = await asyncio.create_subprocess_exec(
            program, *self.options(who), *args, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env)
        self.running.append(proc)
        return proc

    async def ssh(self, door, who: str, *args: str) -> asyncio.subprocess.Process:
        return await self.start(SSH, who, "-p", str(door.port), *args, "anyone@127.0.0.1")

    async def stop(self) -> None:
        for proc in self.running:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(proc.communicate(), 10)


async def finished(proc: asyncio.subprocess.Process, timeout: float = 15.0) -> tuple[int, str]:
    """Wait for a client to exit: its exit status and what it printed on stderr."""
    _, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode, err.decode(errors="replace")


@pytest.fixture
def people(tmp_path: Path):
    """Keys for ivan and otto, and the authorized-keys file naming them."""
    made = Clients(tmp_path / "home")
    made.home.mkdir(mode=0o700)
    made.add("ivan")
    made.add("otto")
    path = tmp_path / "authorized_keys"
    path.write_text(authorized_line(made.keys["ivan"], IVAN) + "\n"
                    + authorized_line(made.keys["otto"], OTTO) + "\n")
    return made, path


# -- connections that open no console ------------------------------------------------------------


async def closed_ssh_N(world, people, tmp_path, *ssh_options: str, **limits) -> tuple[str, list[str]]:
    """``ssh -N`` as Ivan to a server with these ``limits``, until the server closes it (exit
    255): what the client printed, and the server's log."""
    who, authorized = people
    try:
        async with serving(world.store, authorized, tmp_path / "host_key", **limits) as door:
            proc = await who.ssh(door, "ivan", "-N", *ssh_options)
            code, err = await finished(proc)
            assert code == 255
        return err, log_of(door)
    finally:
        await who.stop()


async def test_ssh_N_is_closed_at_the_idle_timeout_with_a_reason(world, people, tmp_path):
    # the client's keepalives are not input; the 30 s grace would come later
    err, log = await closed_ssh_N(world, people, tmp_path, "-o", "ServerAliveInterval=1",
                                  idle_timeout=2.0)
    assert "Flowdeck: the connection was closed after 2 s without input" in err
    assert any(f"for {IVAN} (idle)" in line for line in log)


async def test_a_connection_that_opens_no_console_is_closed_at_the_grace(world, people, tmp_path):
    # idle time is off: only the grace acts
    err, log = await closed_ssh_N(world, people, tmp_path, idle_timeout=0, login_grace=1.0)
    assert "Flowdeck: no console was opened within 1 s" in err
    assert any(f"for {IVAN} (no console)" in line for line in log)


async def test_a_client_that_never_logs_in_is_closed_at_the_grace(world, people, tmp_path):
    _, authorized = people
    async with serving(world.store, authorized, tmp_path / "host_key", idle_timeout=0,
                       login_grace=1.0) as door:
        reader, writer = await asyncio.open_connection("127.0.0.1", door.port)
        try:
            banner = await asyncio.wait_for(reader.readline(), 10)
            assert banner.startswith(b"SSH-2.0-")
            # we say nothing; the server closes the connection (EOF) at the grace
            await asyncio.wait_for(reader.read(), 10)
            assert reader.at_eof()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def test_a_client_whose_input_ends_is_let_go_at_once(world, people, tmp_path):
    """The console ends on EOF and the channel closes: the client does not hang."""
    who, authorized = people
    try:
        async with serving(world.store, authorized, tmp_path / "host_key", idle_timeout=0) as door:
            proc = await who.ssh(door, "ivan", "-tt")
            await eventually(lambda: len(door.sessions) == 1, timeout=20)
            proc.stdin.close()
            code, _ = await finished(proc)  # before the 30 s grace: nothing else would end it
            assert code == 0
            await eventually(lambda: len(door.seats) == 0)
        assert any(f"session closed for {IVAN}" in line and "(disconnected)" in line
                   for line in log_of(door))
    finally:
        await who.stop()


# -- how many sessions -----------------------------------------------------------------------------


async def test_the_fourth_session_of_one_key_is_refused_with_a_message(world, people, tmp_path):
    who, authorized = people
    try:
        async with serving(world.store, authorized, tmp_path / "host_key") as door:
            consoles = [await who.ssh(door, "ivan", "-tt") for _ in range(SSH_SESSIONS_PER_KEY)]
            await eventually(lambda: len(door.sessions) == SSH_SESSIONS_PER_KEY, timeout=30)
            assert all(p.returncode is None for p in consoles)

            code, err = await finished(await who.ssh(door, "ivan", "-tt"))
            assert code == 1
            assert (f"error: your key already has {SSH_SESSIONS_PER_KEY} Flowdeck sessions open "
                    f"(at most {SSH_SESSIONS_PER_KEY} per key)") in err
            assert len(door.sessions) == SSH_SESSIONS_PER_KEY  # the three are untouched
            assert all(p.returncode is None for p in consoles)
        assert any(f"refused a session for {IVAN}" in line and "already holds 3" in line
                   for line in log_of(door))
    finally:
        await who.stop()


async def test_max_sessions_refuses_more_with_a_message_and_frees_the_seat(
        world, people, tmp_path):
    who, authorized = people
    try:
        async with serving(world.store, authorized, tmp_path / "host_key",
                           max_sessions=1) as door:
            ivan = await who.ssh(door, "ivan", "-tt")
            await eventually(lambda: len(door.sessions) == 1, timeout=20)

            code, err = await finished(await who.ssh(door, "otto", "-tt"))
            assert code == 1
            assert "error: Flowdeck is serving as many sessions as it may (1); try again later" \
                in err
            assert [s.email for s in door.sessions] == [IVAN]

            ivan.stdin.write(b"q")  # ivan quits; his seat is free again
            assert (await finished(ivan))[0] == 0
            await eventually(lambda: len(door.seats) == 0)
            otto = await who.ssh(door, "otto", "-tt")
            await eventually(lambda: [s.email for s in door.sessions] == [OTTO], timeout=20)
            assert otto.returncode is None
        assert any("all 1 sessions are in use" in line for line in log_of(door))
    finally:
        await who.stop()


# -- forwarding and file transfer, as OpenSSH shows the refusals -----------------------------------------


async def test_local_forwarding_is_refused_and_the_connection_still_idles_out(
        world, people, tmp_path):
    who, authorized = people
    reached: list[int] = []

    async def on_client(reader, writer):
        reached.append(1)
        writer.close()

    target = await asyncio.start_server(on_client, "127.0.0.1", 0)
    local = free_port()
    forward = f"{local}:127.0.0.1:{target.sockets[0].getsockname()[1]}"
    try:
        async with serving(world.store, authorized, tmp_path / "host_key",
                           idle_timeout=5.0) as door:
            proc = await who.ssh(door, "ivan", "-N", "-L", forward)

            async def attempt() -> bool:
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", local)
                except OSError:
                    return False  # ssh is not listening yet
                await asyncio.wait_for(reader.read(), 10)  # the refused channel: EOF
                writer.close()
                return True

            for _ in range(100):
                if await attempt():
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("ssh -L never listened")
            code, err = await finished(proc)
            assert code == 255
            assert "administratively prohibited: Flowdeck allows no port forwarding" in err
            assert "closed after 5 s without input" in err
    finally:
        target.close()
        await target.wait_closed()
        await who.stop()
    assert not reached


async def test_remote_forwarding_is_refused(world, people, tmp_path):
    who, authorized = people
    try:
        async with serving(world.store, authorized, tmp_path / "host_key") as door:
            proc = await who.ssh(door, "ivan", "-N", "-o", "ExitOnForwardFailure=yes",
                                 "-R", f"{free_port()}:127.0.0.1:9")
            code, err = await finished(proc)
            assert code == 255
            assert "remote port forwarding failed" in err
        assert any("refused remote forwarding" in line for line in log_of(door))
    finally:
        await who.stop()


@pytest.mark.parametrize("how", ["sftp", "scp", "scp -O"])
async def test_file_transfer_is_refused_with_a_message(world, people, tmp_path, how):
    program = SFTP if how == "sftp" else SCP
    if program is None:
        pytest.skip(f"OpenSSH's {how.split()[0]} is not installed")
    who, authorized = people
    local = tmp_path / "local.txt"
    local.write_text("hello\n")
    try:
        async with serving(world.store, authorized, tmp_path / "host_key") as door:
            port = ["-P", str(door.port)]
            if how == "sftp":
                proc = await who.start(program, "ivan", *port, "-b", "-", "anyone@127.0.0.1")
                proc.stdin.write(b"ls\n")
            else:
                legacy = ["-O"] if how == "scp -O" else []
                proc = await who.start(program, "ivan", *port, *legacy, str(local),
                                       f"anyone@127.0.0.1:{tmp_path / 'copied.txt'}")
            code, err = await finished(proc)
            assert code != 0
            assert "error: Flowdeck offers no file transfer (sftp, scp) over SSH" in err
            assert not door.sessions
            await eventually(lambda: len(door.seats) == 0)
    finally:
        await who.stop()
    assert not (tmp_path / "copied.txt").exists()


# -- the seats, counted -----------------------------------------------------------------------------------


def test_seats_hold_at_most_the_maximum_and_the_per_key_limit_and_free_on_release():
    seats = Seats(max_sessions=4, per_key=2)
    assert seats.take("a1", "key-a") is None and seats.take("a2", "key-a") is None
    why, told = seats.take("a3", "key-a")
    assert why == "key key-a already holds 2 sessions" and "at most 2 per key" in told
    assert seats.take("b1", "key-b") is None and seats.take("b2", "key-b") is None
    why, told = seats.take("c1", "key-c")
    assert why == "all 4 sessions are in use" and "(4)" in told
    seats.release("a1")
    seats.release("a1")  # twice is harmless
    assert len(seats) == 3 and seats.of_key("key-a") == 1
    assert seats.take("c1", "key-c") is None
