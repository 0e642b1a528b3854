"""Which Flowdeck the harness measures, and a non-editable install of it.

    python -m benchmarks.install [bench/venv]

makes (or refreshes) a virtualenv with ``pip install .`` of this checkout, as
users install it: its modules are compiled to bytecode once, at install. An
editable install (the development venv) without a bytecode cache compiles
Flowdeck's modules at every start, which is not what a user pays. Then:

    python -m benchmarks --venv bench/venv

The baseline apps run on the same interpreter and the same Textual.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Install:
    python: str
    flowdeck: str

    @staticmethod
    def of(venv: Path | None) -> Install:
        """The install in ``venv``, or (None) the one running the harness."""
        python = Path(venv).absolute() / "bin" / "python" if venv else Path(sys.executable)
        if not python.exists():
            raise SystemExit(f"no Python at {python}; make it with python -m benchmarks.install {venv}")
        return Install(str(python), str(python.with_name("flowdeck")))

    def flowdeck_argv(self, meta, *extra: str) -> list[str]:
        from .generate import OWNER

        return [self.flowdeck, "--db", meta.url, "--user", OWNER, "--now", meta.now,
                "--speed", "1", *extra]

    def baseline_argv(self, name: str) -> list[str]:
        """A baseline app (``benchmarks/<name>.py``) on this install's interpreter."""
        return [self.python, str(HERE / f"{name}.py")]

    def editable(self) -> bool:
        where = subprocess.run([self.python, "-c", "import tui; print(tui.__file__)"], cwd="/",
                               capture_output=True, text=True, check=True).stdout.strip()
        return "site-packages" not in Path(where).parts

    def run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        """``python ARGS`` on this install, away from the checkout (so ``-c`` code imports the
        installed Flowdeck, not the working tree's)."""
        return subprocess.run([self.python, *args], cwd="/", capture_output=True, text=True,
                              check=True, **kwargs)

    def describe(self) -> str:
        kind = "EDITABLE install (modules compiled at start unless cached)" if self.editable() \
            else "non-editable install (pip install .)"
        return f"{kind}: {self.flowdeck}"


def make(venv: Path) -> Install:
    """``venv`` with this checkout installed by ``pip install .`` (refreshed if it exists)."""
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], check=True)
    else:  # the dependencies are there: reinstall Flowdeck itself from the checkout
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps",
                        "--force-reinstall", str(ROOT)], check=True)
    return Install.of(venv)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.install", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("venv", nargs="?", type=Path, default=Path("bench/venv"))
    args = parser.parse_args(argv)
    install = make(args.venv)
    print(install.describe())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
