"""The systemd units in ``deploy/``: what they run is a command this Flowdeck accepts, the secret
key arrives as a credential, they stop with SIGTERM and they are hardened. ``systemd-analyze
verify`` checks them too where the machine has it.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import typer

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = {
    "flowdeck-enforce.service": ["enforce", "--interval", "1"],
    "flowdeck-work.service": ["work"],
    "flowdeck-ssh-serve.service": ["ssh-serve"],
}
HARDENING = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
             "PrivateTmp": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
             "ProtectKernelTunables": "yes", "ProtectControlGroups": "yes"}


def _service(name: str) -> configparser.SectionProxy:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / name)
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    return unit["Service"]


def _flowdeck_argv(exec_start: str) -> list[str]:
    """The flowdeck command line inside ``/bin/sh -c 'FLOWDECK_SECRET_KEY=… exec flowdeck …'``,
    as the shell would see it once systemd has replaced ``$$`` and ``%d``."""
    outer = shlex.split(exec_start)
    assert outer[:2] == ["/bin/sh", "-c"] and len(outer) == 3
    inner = shlex.split(outer[2].replace("$$", "$").replace("%d", "/run/credentials/x"))
    assert inner[0] == 'FLOWDECK_SECRET_KEY=$(cat /run/credentials/x/secret_key)'
    assert inner[1] == "exec" and inner[2].endswith("/bin/flowdeck")
    return inner[3:]


@pytest.mark.parametrize("name", sorted(UNITS))
def test_each_unit_runs_a_command_this_flowdeck_accepts_with_the_key_from_a_credential(name):
    from tui.cli.main import app

    service = _service(name)
    argv = _flowdeck_argv(service["ExecStart"])
    assert argv[:len(UNITS[name])] == UNITS[name]
    command = typer.main.get_command(app).commands[argv[0]]  # type: ignore[attr-defined]
    command.make_context(argv[0], argv[1:])  # raises on an unknown option or a bad value
    text = (DEPLOY / name).read_text()
    assert "LoadCredential=secret_key:/etc/flowdeck/secret_key" in text
    assert service["EnvironmentFile"] == "/etc/flowdeck/flowdeck.env"
    assert "PASSWORD@" not in text  # the database password comes from the pgpass credential
    assert service["KillSignal"] == "SIGTERM" and service["Restart"] == "on-failure"
    assert service["User"] == "flowdeck"
    assert {k: service.get(k) for k in HARDENING} == HARDENING


def test_ssh_serve_unit_states_its_limits_and_keeps_its_host_key_in_the_state_directory():
    argv = _flowdeck_argv(_service("flowdeck-ssh-serve.service")["ExecStart"])
    options = dict(zip(argv[1::2], argv[2::2], strict=False))
    assert options["--host-key"].startswith("/var/lib/flowdeck/")
    assert options["--max-sessions"] == "20" and options["--idle-timeout"] == "900"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze is not installed; the units are parsed above only")
@pytest.mark.parametrize("name", sorted(UNITS))
def test_systemd_analyze_verify_accepts_each_unit(name):
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", str(DEPLOY / name)],
                          capture_output=True, text=True, timeout=60)
    complaints = [line for line in done.stderr.splitlines()
                  if name in line and "Failed to parse system call" not in line]
    assert done.returncode == 0 and complaints == [], done.stderr
