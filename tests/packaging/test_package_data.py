"""What a non-editable install (``pip install .``, the README's first command) carries.

Textual reads each screen's ``.tcss`` from beside its module at run time, so a style
sheet that pyproject's package-data does not name is missing from the wheel and the
screen fails to open for every user of a real install (the editable install used by
the tests would never notice). Likewise the migrations.
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {"tui": (".tcss",), "store": (".mako", ".py")}


def _package_data() -> dict[str, list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["setuptools"]["package-data"]


def test_every_style_sheet_is_in_the_package_data():
    globs = _package_data()["tui"]
    sheets = [p.relative_to(ROOT / "tui").as_posix() for p in (ROOT / "tui").rglob("*.tcss")]
    assert sheets, "no style sheet found: the test looks in the wrong place"
    missing = [s for s in sheets if not any(fnmatch(s, g) and s.count("/") == g.count("/")
                                            for g in globs)]
    assert not missing, f"add these to [tool.setuptools.package-data] tui: {missing}"


def test_every_migration_is_in_the_package_data():
    globs = _package_data()["store"]
    base = ROOT / "store" / "migrations"
    files = [p.relative_to(ROOT / "store").as_posix() for p in base.rglob("*")
             if p.suffix in (".py", ".mako") and "__pycache__" not in p.parts]
    missing = [f for f in files if not any(fnmatch(f, g) and f.count("/") == g.count("/")
                                           for g in globs)]
    assert not missing, f"add these to [tool.setuptools.package-data] store: {missing}"
