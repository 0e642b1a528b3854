"""Where the tests' stores live: SQLite files (the default) or PostgreSQL databases.

One switch: ``FLOWDECK_TEST_DB`` set to a PostgreSQL server's URL (for example
``postgresql+psycopg://flowdeck@127.0.0.1:5433/postgres``; the database named
in it is only used to create and drop others) makes every store the tests
create a fresh database on that server instead of a SQLite file:

- ``store_url(path)`` is the URL of a new simulated-clock store (the tests drive a
  frozen clock) made from a template at the head schema revision: the SQLite file
  ``path`` (with its key file beside it), or a new database cloned from the template
  (``empty=True``: no store at all, a path with no file or a database with no tables,
  as a first ``flowdeck init`` sees).
- ``clone_url(url, path)`` copies a store someone built once (a session's template
  world or demo): the file and its key file, or ``CREATE DATABASE … TEMPLATE``.
- ``drop(url)`` lets go of a database early; whatever is left is dropped when the
  session ends (``drop_all``, called from ``tests/conftest.py``).

On PostgreSQL the secret key comes from ``FLOWDECK_SECRET_KEY``, which
``tests/conftest.py`` sets for the whole run (subprocesses inherit it).

No pytest at import, so a worker process started by a test can import this too.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

TEST_DB_ENV = "FLOWDECK_TEST_DB"
SERVER: str | None = os.environ.get(TEST_DB_ENV) or None
ON_POSTGRES = bool(SERVER)
BACKEND = "postgresql" if ON_POSTGRES else "sqlite"

#: The secret key of every PostgreSQL store the tests make (a server store has no key file).
TEST_SECRET_KEY = "Zmxvd2RlY2stdGVzdHMtb25seS1ub3QtYS1yZWFsLWs="

_PREFIX = f"fdtest_{os.getpid()}_"
_counter = itertools.count(1)
_made: list[str] = []
_lock = threading.Lock()
_admin = None
_head: str | None = None
_sqlite_head: Path | None = None


def sqlite_only(why: str):
    """Skip a test on PostgreSQL, saying why it only makes sense on a SQLite file."""
    import pytest

    return pytest.mark.skipif(ON_POSTGRES, reason=f"SQLite only: {why}")


# -- PostgreSQL plumbing ------------------------------------------------------------
def _url_for(database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(SERVER).set(database=database).render_as_string(hide_password=False)


def _database_of(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database or ""


def _conn():
    """One autocommit connection to the server's maintenance database, for CREATE/DROP."""
    global _admin
    if _admin is None or _admin.closed:
        import psycopg
        from sqlalchemy.engine import make_url

        conninfo = make_url(SERVER).set(drivername="postgresql").render_as_string(hide_password=False)
        _admin = psycopg.connect(conninfo, autocommit=True)
    return _admin


def _create(template: str | None) -> str:
    name = f"{_PREFIX}{next(_counter)}"
    sql = f'CREATE DATABASE "{name}"'
    if template:
        sql += f' TEMPLATE "{template}"'
    with _lock:
        _conn().execute(sql)
        _made.append(name)
    return name


def _head_template() -> str:
    """A database at the head schema revision, made once per session, to clone from."""
    global _head
    if _head is None:
        from store.clock import FrozenClock
        from store.engine import init_store

        name = _create(None)
        init_store(_url_for(name), FrozenClock(datetime(2026, 1, 1, tzinfo=UTC)),
                   simulated_clock=True).close()
        _head = name
    return _head


def _sqlite_head_template() -> Path:
    """A SQLite simulated-clock store at the head revision (and its key), made once per process."""
    global _sqlite_head
    if _sqlite_head is None:
        import atexit
        import tempfile

        from store.clock import FrozenClock
        from store.engine import init_store

        folder = Path(tempfile.mkdtemp(prefix="fdtest-head-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "head.db"
        init_store(f"sqlite:///{path}", FrozenClock(datetime(2026, 1, 1, tzinfo=UTC)),
                   simulated_clock=True).close()
        _sqlite_head = path
    return _sqlite_head


# -- what tests use --------------------------------------------------------------------
def store_url(path: Path, *, empty: bool = False) -> str:
    """The URL of a new simulated-clock store (``empty``: of a place with no store yet):
    the SQLite file ``path`` or a new PostgreSQL database."""
    if not ON_POSTGRES:
        if not empty:
            return clone_url(f"sqlite:///{_sqlite_head_template()}", path)
        return f"sqlite:///{path}"
    return _url_for(_create(None if empty else _head_template()))


def clone_url(url: str, path: Path) -> str:
    """A copy of the store at ``url`` (closed: no connection may be open on it)."""
    if not url.startswith("postgresql"):
        source = Path(url.removeprefix("sqlite:///"))
        shutil.copyfile(source, path)
        key = source.with_name(source.name + ".key")
        if key.exists():
            shutil.copy(key, path.with_name(path.name + ".key"))  # keeps its mode 0600
        return f"sqlite:///{path}"
    return _url_for(_create(_database_of(url)))


def drop(url: str) -> None:
    """Drop a test database now (a SQLite file goes with the test's temporary directory)."""
    if not url.startswith("postgresql"):
        return
    name = _database_of(url)
    with _lock:
        if name not in _made:
            return
        _made.remove(name)
        _conn().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_all() -> None:
    """Drop every database this session made (the end of the run)."""
    global _admin, _head
    if not ON_POSTGRES or _admin is None:
        return
    with _lock:
        for name in reversed(_made):
            with contextlib.suppress(Exception):  # best effort: the server goes away too
                _conn().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _made.clear()
        _head = None
        _admin.close()
        _admin = None
