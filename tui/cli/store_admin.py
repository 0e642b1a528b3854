"""``flowdeck init``, ``flowdeck info`` and ``flowdeck key rotate|generate``: making a store,
saying what it is, and changing its secret key (see ``store.keyring`` and ``store.storemeta``)."""

from __future__ import annotations

from typing import Annotated

import typer

from tui.cli import output as o
from tui.cli.context import JsonFlag, ctx_of, sub_app

key_app = sub_app("The store's secret key: rotate it, or make one for a new server store.")


def init(
    ctx: typer.Context,
    simulated_clock: Annotated[bool, typer.Option(
        "--simulated-clock",
        help="Make a store whose clock each process may set with --now and --speed "
             "(tests, demos, training). Without it the store keeps real time.")] = False,
) -> None:
    """Make a new store at --db, with its secret key (refused where a store exists)."""
    from store.connect import place_of
    from store.engine import init_store

    state = ctx_of(ctx)
    if state.readonly:
        from store.permissions import require_writable

        require_writable(True)
    url = state.url
    store = init_store(url, state.clock(), simulated_clock=simulated_clock)
    try:
        where = store.db_file
        kind = "a simulated clock" if simulated_clock else "real time"
        o.out(f"made a Flowdeck store at {place_of(url)} ({kind})")
        if where is not None and store.key and not _env_key():
            from store.secrets import key_file_for

            o.out(f"its secret key is in {key_file_for(where)}: back it up with the store; "
                  "without it the store's secrets cannot be read")
        o.out("next: flowdeck user add EMAIL --name NAME (the first user is support staff)")
    finally:
        store.close()


def _env_key() -> bool:
    import os

    from store.secrets import KEY_ENV

    return bool(os.environ.get(KEY_ENV))


def info(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """What the store at --db is: place, schema, clock, key check and counts."""
    from store.engine import open_store
    from store.keyring import store_info

    state = ctx_of(ctx)
    store = open_store(state.url, state.clock(), check_key=False)
    try:
        found = store_info(store)
    finally:
        store.close()
    if as_json:
        o.print_json(found.as_json())
        return
    o.fields([
        ("store", found.place),
        ("backend", found.backend),
        ("schema", found.schema),
        ("clock", found.clock),
        ("secret key", "matches" if found.key_matches else "does not match"),
        ("contracts", found.contracts),
        ("workspaces", found.workspaces),
        ("flows", found.flows),
        ("queued messages", found.queued_messages),
    ])


@key_app.command("rotate")
def rotate(ctx: typer.Context) -> None:
    """Re-encrypt every secret under a new key, in one transaction; the old key is refused
    afterwards. Where the key is in FLOWDECK_SECRET_KEY, give the new one in
    FLOWDECK_NEW_SECRET_KEY (make it with 'flowdeck key generate')."""
    from store.keyring import NEW_KEY_ENV, rotate_key
    from store.permissions import require_writable
    from store.secrets import KEY_ENV

    state = ctx_of(ctx)
    require_writable(state.readonly)
    done = rotate_key(state.store())
    count = o.plural(done.credentials, "credential")
    if done.key_file is not None:
        o.out(f"re-encrypted {count}; the new key is in {done.key_file} (back it up; "
              "the old key no longer opens this store)")
        return
    o.out(f"re-encrypted {count} under the key in {NEW_KEY_ENV}; set {KEY_ENV} to that key "
          "for every Flowdeck process using this store and restart them: the old key is "
          "refused from now on")


@key_app.command("generate")
def generate() -> None:
    """Print a new secret key (for FLOWDECK_SECRET_KEY or FLOWDECK_NEW_SECRET_KEY)."""
    from store.keyring import generated_key

    o.out(generated_key())


def register(app: typer.Typer) -> None:
    app.command("init", rich_help_panel="The store")(init)
    app.command("info", rich_help_panel="The store")(info)
    app.add_typer(key_app, name="key", rich_help_panel="The store")
