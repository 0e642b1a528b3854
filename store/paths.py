"""Where stores live by default. Light on purpose: the command line asks before it opens
anything, and importing the engine (SQLAlchemy) would cost a start-up its time."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "FLOWDECK_DB"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("flowdeck", appauthor=False))


def default_url(filename: str = "flowdeck.db") -> str:
    return f"sqlite:///{default_data_dir() / filename}"


def resolve_url(url: str | None) -> str:
    return url or os.environ.get(DB_ENV) or default_url()
