"""``flowdeck backup PATH`` and ``flowdeck restore PATH``: a SQLite store's online copy, and back.

Neither opens the store through Flowdeck's own engine: ``backup`` reads it
with SQLite's backup API beside whoever is writing, and ``restore`` must be
the only one touching it. On a terminal both show a progress bar on
stderr; piped, they print only their result line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tui.cli import output as o
from tui.cli.context import ctx_of


def _with_progress(label: str, work):
    """Run ``work(progress)``, with a bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return work(None)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    columns = (TextColumn(label), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        return work(progress)


def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(
        metavar="PATH", help="A new file for the copy, or a directory to put a dated copy in.")],
) -> None:
    """Copy the SQLite store while others go on using it (PostgreSQL: use pg_dump)."""
    from store.backup import backup_store, human_size
    from store.connect import shown_url

    state = ctx_of(ctx)
    url = state.url
    if url.startswith("sqlite"):  # (a server store is pointed to pg_dump by backup_store)
        state.store()  # a store, its clock (--now on a real-clock store is refused) and its key
        state.close()
    result = _with_progress("backing up", lambda progress: backup_store(
        url, shown_url(url), path, state.clock().now(), progress))
    how = ", in one step (others kept writing)" if result.one_step else ""
    o.out(f"backed up {result.store} to {result.path} "
          f"({human_size(result.size)}, schema {result.schema}, checked{how})")
    if result.key_file is not None:
        o.out(f"copied the key file to {result.key_file}: it unlocks the secrets in the backup, "
              "so keep it with the backup and as private")
    else:
        o.out("the secrets in the backup are sealed with FLOWDECK_SECRET_KEY: keep that key to use them")


def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="PATH", help="A backup made by 'flowdeck backup'.")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the existing store.")] = False,
) -> None:
    """Put a backup in place of the SQLite store; refused while any process has the store open."""
    from store.backup import restore_store
    from store.connect import shown_url

    state = ctx_of(ctx)
    if state.readonly:
        from store.permissions import require_writable

        require_writable(True)
    url = state.url
    result = _with_progress("restoring", lambda progress: restore_store(
        url, shown_url(url), path, yes=yes, progress=progress))
    o.out(f"restored {result.source} (schema {result.schema}) into {result.path}")
    if result.key_file is not None:
        o.out(f"put the backup's key file in place: {result.key_file}")


def register(app: typer.Typer) -> None:
    app.command("backup", rich_help_panel="Backups")(backup)
    app.command("restore", rich_help_panel="Backups")(restore)
