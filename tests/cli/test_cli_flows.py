"""Flow commands beyond the journey: copy with credential mapping, type, steps, queue cap."""

from __future__ import annotations

from flowdeck_world import EMAILS

INTEG, WOWNER = EMAILS["integrator"], EMAILS["workspace_owner"]


def test_copy_type_steps_and_queue_cap(world_cli):
    cli = world_cli
    # copy to production: matched by name, or mapped with --credential OLD=NEW
    r = cli("flow", "copy", "Acme/Staging/Orders", "Acme/Production", "--name", "Orders v2", user=INTEG)
    assert r.out.startswith("copied Acme/Staging/Orders to Acme/Production/Orders v2 (inactive")
    cli("credential", "add", "Acme/Production/Prod CRM", "--component", "http",
        "--secret", "username=svc", "--secret", "password=pw", user=INTEG)
    r = cli("flow", "copy", "Acme/Staging/Orders", "Acme/Production", "--credential",
            "CRM token=Prod CRM", user=INTEG)
    copy = cli("flow", "show", "Acme/Production/Orders", "--json", user=INTEG).json
    assert copy["status"] == "inactive"
    assert [s["credential"] for s in copy["steps"]] == [None, None, "Prod CRM"]
    r = cli("flow", "copy", "Acme/Staging/Orders", "Acme/Production", "--name", "Third",
            "--credential", "CRM token=Nope", user=INTEG, expect=1)
    assert "step 3 (http)" in r.err and "--credential" in r.err

    # type and steps
    r = cli("flow", "set-type", "Acme/Staging/Orders", "realtime", user=INTEG, expect=1)
    assert "stop it" in r.err
    cli("flow", "set-type", "Acme/Staging/Idle", "realtime", user=INTEG)
    r = cli("flow", "step", "credential", "Acme/Staging/Idle", "2", "Spare key", user=INTEG)
    assert r.out == "step 2 of Acme/Staging/Idle uses credential Spare key\n"
    cli("flow", "step", "credential", "Acme/Staging/Idle", "2", "--clear", user=INTEG)
    r = cli("flow", "step", "set", "Acme/Staging/Idle", "2", "colour", "blue", user=INTEG, expect=1)
    assert "has no setting 'colour'" in r.err
    cli("flow", "step", "set", "Acme/Staging/Idle", "2", "method", "put", user=INTEG)
    idle = cli("flow", "show", "Acme/Staging/Idle", "--json", user=INTEG).json
    assert idle["type"] == "realtime"
    assert idle["steps"][1] == {**idle["steps"][1], "credential": None, "settings": {"method": "PUT"}}
    human = cli("flow", "show", "Acme/Staging/Idle", user=INTEG).out
    assert "method=PUT" in human and "inactive" in human

    # a limited flow holds at most 1,000 queued messages
    cli("message", "send", "Acme/Staging/Orders", "--count", "997", user=INTEG)
    r = cli("message", "send", "Acme/Staging/Orders", "--payload", '{"n": 1}', user=INTEG, expect=1)
    assert "1,000" in r.err
    r = cli("flow", "create", "Acme/Staging/Bad", "--step", "http", user=INTEG, expect=1)
    assert "step 1 must be a trigger" in r.err
    r = cli("flow", "create", "Acme/Staging/Timed", "--step", "timer", "--step", "log", "--realtime",
            user=INTEG)
    assert r.out == "created realtime flow Acme/Staging/Timed (inactive; steps: timer, log)\n"
