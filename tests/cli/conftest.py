"""Running the real ``flowdeck`` console script, each test against its own store.

``cli(*args)`` runs the script in a subprocess with ``FLOWDECK_DB`` pointing
at the test's store (``cli.url``: its SQLite file ``cli.db``, or with
``FLOWDECK_TEST_DB`` set a PostgreSQL database of its own), a fresh
simulated-clock store as ``flowdeck init --simulated-clock`` makes it
(``Cli(tmp_path, init=False)``: no store yet),
``FLOWDECK_CONFIG`` at a config file in the
test's directory, the data and config directories inside it too, and
``--now`` fixed at ``T0`` unless the test gives another instant. Every run
checks that no traceback reached stderr, and that a refusal is exactly one
line with the right prefix.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import backends
import pytest
from flowdeck_world import T0
from processes import FLOWDECK, env_for

from store.clock import iso

PREFIX = {1: "error: ", 2: "error: ", 3: "permission denied: "}


@dataclass
class Result:
    code: int
    out: str
    err: str
    args: tuple[str, ...]

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    def __repr__(self) -> str:  # what pytest shows when an assertion fails
        return f"flowdeck {' '.join(self.args)} -> {self.code}\nstdout: {self.out}\nstderr: {self.err}"


def check_shape(r: Result) -> None:
    assert "Traceback" not in r.err and "Traceback" not in r.out, r
    if r.code in (1, 3):
        assert r.err.endswith("\n") and r.err.count("\n") == 1, r
        assert r.err.startswith(PREFIX[r.code]), r
    if r.code == 2 and r.err:
        assert r.err.startswith("error: ") and r.err.count("\n") == 1, r


def _global_options(now: datetime | str | None, user: str | None, speed: str | None) -> list[str]:
    """``--now NOW --speed SPEED --user USER``, each only when given (speed only with now)."""
    argv = []
    if now is not None:
        argv += ["--now", now if isinstance(now, str) else iso(now)]
        if speed is not None:
            argv += ["--speed", speed]
    if user is not None:
        argv += ["--user", user]
    return argv


class Cli:
    """Runs ``flowdeck`` as a user would, in the test's own corner of the disk."""

    def __init__(self, tmp_path: Path, url: str | None = None, *, init: bool = True) -> None:
        self.tmp = tmp_path
        self.db = tmp_path / "flowdeck.db"
        self.url = url or backends.store_url(self.db, empty=not init)
        self.config = tmp_path / "config.toml"
        env = env_for(self.url, tmp_path)  # FLOWDECK_CONFIG is self.config
        env.update(LOGNAME="nobody-in-particular", USER="nobody-in-particular")
        env.pop("LNAME", None)
        env.pop("USERNAME", None)
        self.env = env

    def __call__(self, *args: str, now: datetime | str | None = T0, user: str | None = None,
                 env: dict[str, str] | None = None, expect: int | None = 0,
                 speed: str | None = "0", timeout: float = 60) -> Result:
        """Run ``flowdeck [--now NOW --speed 0] [--user USER] ARGS``.

        The clock is frozen at ``now`` (``--speed 0``) so times compare exactly;
        ``expect`` is the exit code the run must end with (None: any).
        """
        argv = [str(FLOWDECK), *_global_options(now, user, speed), *args]
        proc = subprocess.run(argv, capture_output=True, text=True, env={**self.env, **(env or {})},
                              timeout=timeout, stdin=subprocess.DEVNULL)
        r = Result(proc.returncode, proc.stdout, proc.stderr, tuple(argv[1:]))
        check_shape(r)
        if expect is not None:
            assert r.code == expect, r
        return r

    def in_process(self, *args: str, now: datetime | str | None = T0, user: str | None = None,
                   expect: int | None = None, speed: str | None = "0") -> Result:
        """The same command line as ``__call__``, run in this process (``tui.cli.main.run``) with
        this runner's environment: for tests with many examples, where a process each is slow."""
        from tui.cli.main import run

        argv = ["--db", self.url, *_global_options(now, user, speed), *args]
        out, err = io.StringIO(), io.StringIO()
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = run(argv)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        r = Result(code, out.getvalue(), err.getvalue(), tuple(argv))
        check_shape(r)
        if expect is not None:
            assert r.code == expect, r
        return r

    def popen(self, *args: str, now: datetime | None = T0) -> subprocess.Popen:
        argv = [str(FLOWDECK)] + (["--now", iso(now)] if now else []) + list(args)
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env, stdin=subprocess.DEVNULL)


@pytest.fixture
def cli(tmp_path: Path):
    runner = Cli(tmp_path)
    yield runner
    backends.drop(runner.url)


@pytest.fixture
def bare_cli(tmp_path: Path):
    """``cli`` on a place with no store yet (a path with no file, an empty database)."""
    runner = Cli(tmp_path, init=False)
    yield runner
    backends.drop(runner.url)


@pytest.fixture
def world_cli(world, tmp_path: Path) -> Cli:
    """``cli`` on the store the shared ``world`` fixture filled (same store, same T0)."""
    runner = Cli(tmp_path, url=world.store.url)
    assert world.store.db_file is None or Path(world.store.db_file) == runner.db
    return runner


@pytest.fixture(scope="session")
def make_cli():
    """``Cli`` itself, for a runner on a store the test made (``make_cli(tmp_path, url=…)``)."""
    return Cli
