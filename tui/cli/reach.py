"""``flowdeck ssh-serve`` and ``flowdeck serve``: the TUI over SSH, and in a browser.

``ssh-serve`` takes each client's user from its key (see ``tui.serve.ssh``);
``serve`` runs the TUI as the one caller of this command line, for demos
on a trusted network (see ``tui.serve.web``). Both listen on the loopback
interface unless ``--host`` says otherwise, and stop cleanly (exit 0) on
SIGTERM or SIGINT.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from store.errors import FlowdeckError
from store.policy import SSH_IDLE_TIMEOUT, SSH_LOGIN_GRACE, SSH_MAX_SESSIONS, SSH_SESSIONS_PER_KEY
from tui.cli import output as o
from tui.cli.context import ctx_of
from tui.cli.work import LogFormat, LogFormats

_PANEL = "Workers and demos"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ssh_serve(
    ctx: typer.Context,
    authorized_keys: Annotated[Path, typer.Option(
        "--authorized-keys", metavar="FILE", dir_okay=False,
        help="Public keys allowed in, one per line: 'ssh-ed25519 AAAA... EMAIL' (the comment "
             "names the Flowdeck user).")],
    host: Annotated[str, typer.Option(
        "--host", metavar="ADDRESS",
        help="Address to listen on (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        "--port", metavar="PORT", min=0, max=65535,
        help="Port to listen on (0: any free port).")] = 2222,
    idle_timeout: Annotated[float, typer.Option(
        "--idle-timeout", metavar="SECONDS", min=0,
        help="Close a connection after this long without input, whatever it holds (0: never). "
             f"A connection that opens no console within {SSH_LOGIN_GRACE.total_seconds():g} s is closed "
             "anyway.")] = SSH_IDLE_TIMEOUT.total_seconds(),
    max_sessions: Annotated[int, typer.Option(
        "--max-sessions", metavar="N", min=1,
        help=f"Serve at most N sessions at once ({SSH_SESSIONS_PER_KEY} per key); more are "
             "refused with a message.")] = SSH_MAX_SESSIONS,
    host_key: Annotated[Path | None, typer.Option(
        "--host-key", metavar="FILE", dir_okay=False,
        help="The server's private host key (default: ssh_host_ed25519_key in the data "
             "directory, created with mode 0600 on first start).")] = None,
    log_format: LogFormat = LogFormats.text,
) -> None:
    """Serve the TUI over SSH: each key's owner gets their own console, acting as themselves."""
    from store.paths import default_data_dir
    from tui.keys import check_keymap
    from tui.serve.ssh import SSHOptions, serve_ssh
    from tui.serve.ssh_keys import HOST_KEY_FILE

    state = ctx_of(ctx)
    config = state.config
    check_keymap(config.keys, config.path)
    options = SSHOptions(
        authorized_keys=authorized_keys, host_key=host_key or default_data_dir() / HOST_KEY_FILE,
        host=host, port=port, idle_timeout=idle_timeout, max_sessions=max_sessions,
        readonly=state.readonly,
        theme=config.theme, keymap=dict(config.keys) if config.keys else None,
        log_format=log_format.value)
    if not _is_loopback(host):
        o.note(f"warning: ssh-serve listens on {host}, beyond this machine; only keys in "
               f"{authorized_keys} get in")
    try:
        serve_ssh(state.store(), options)
    except OSError as exc:
        raise FlowdeckError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(
        "--host", metavar="ADDRESS",
        help="Address to listen on (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        "--port", metavar="PORT", min=1, max=65535, help="Port to listen on.")] = 8000,
    public_url: Annotated[str | None, typer.Option(
        "--public-url", metavar="URL",
        help="The address browsers use to reach this server, when it is not http://HOST:PORT "
             "(e.g. when listening on 0.0.0.0).")] = None,
) -> None:
    """Serve the TUI in a browser, for demos on a trusted network (no login: every page acts as you).
    """
    from tui.serve.web import WebServer, served_argv

    state = ctx_of(ctx)
    user = state.caller()
    state.as_caller().me()  # an unknown user is refused now, not in every browser tab
    url, clock, readonly = state.url, state.clock(), state.readonly
    state.close()  # each page's flowdeck opens the store itself

    shown = public_url or f"http://{host}:{port}"
    banner = [f"serving Flowdeck on {shown} as {user}" + (" (read-only)" if readonly else ""),
              "for demos on a trusted network: whoever opens the page acts as that user; "
              "Ctrl+C stops"]
    if not _is_loopback(host):
        o.note(f"warning: serve listens on {host}, beyond this machine, with no login")
    server = WebServer(lambda: served_argv(url=url, user=user, clock=clock, readonly=readonly),
                       host=host, port=port, public_url=public_url, banner=banner)
    try:
        server.serve()
    except OSError as exc:
        raise FlowdeckError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    o.out("serve stopped")


def register(app: typer.Typer) -> None:
    app.command("ssh-serve", rich_help_panel=_PANEL)(ssh_serve)
    app.command("serve", rich_help_panel=_PANEL)(serve)
