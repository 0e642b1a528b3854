"""DESIGN section 3 as one grid, written from the design's words: who may do what.

The grid is deliberately not derived from ``store.permissions``: a test that
reused the implementation's tables could never fail. The store's permission
tests (tests/store/test_store_permissions.py) run every cell against the
services; the offer tests (tests/store/test_store_offers.py) and the TUI's
key tests (tests/tui/test_keys_offered.py) check the store's ``allowed``
and the keys on offer against it. The roles are the users of
tests/flowdeck_world.py:

- ``contract_owner`` / ``contract_admin``: that contract role, in no workspace
- ``contract_member``: a plain contract member, in no workspace
- ``workspace_owner`` / ``workspace_admin`` / ``integrator`` / ``guest``: plain
  contract members holding that role in both ``Acme/Staging`` and ``Acme/Production``
- ``support``: platform support staff, member of nothing
- ``outsider``: a registered user with a contract of its own, not in ``Acme``

``ok`` allowed; ``PD`` PermissionDenied (the caller may see the thing but not
do this); ``NF`` NotFound (the caller may not see it at all).
"""

from __future__ import annotations

COLUMNS = ("contract_owner", "contract_admin", "contract_member", "workspace_owner",
           "workspace_admin", "integrator", "guest", "support", "outsider")

GRID = """
action                     c_own c_adm c_mem w_own w_adm integ guest supp  outs
# contracts: anyone registered creates one; the owner manages it; support only looks
create_contract            ok    ok    ok    ok    ok    ok    ok    ok    ok
list_contracts             ok    ok    ok    ok    ok    ok    ok    ok    ok
get_contract               ok    ok    ok    ok    ok    ok    ok    ok    NF
list_members               ok    ok    ok    ok    ok    ok    ok    ok    NF
rename_contract            ok    PD    PD    PD    PD    PD    PD    PD    NF
invite_member              ok    PD    PD    PD    PD    PD    PD    PD    NF
set_member_role            ok    PD    PD    PD    PD    PD    PD    PD    NF
remove_member              ok    PD    PD    PD    PD    PD    PD    PD    NF
# workspaces: any contract member creates; contract owner/admin and its owner delete
list_workspaces            ok    ok    ok    ok    ok    ok    ok    ok    NF
create_workspace           ok    ok    ok    ok    ok    ok    ok    PD    NF
delete_workspace           ok    ok    NF    ok    PD    PD    PD    PD    NF
deletion_plan              ok    ok    NF    ok    PD    PD    PD    PD    NF
get_workspace              ok    ok    NF    ok    ok    ok    ok    ok    NF
workspace_events           ok    ok    NF    ok    ok    ok    ok    ok    NF
list_workspace_members     ok    ok    NF    ok    ok    ok    ok    ok    NF
rename_workspace           PD    PD    NF    ok    ok    PD    PD    PD    NF
add_workspace_member       PD    PD    NF    ok    ok    PD    PD    PD    NF
set_workspace_member_role  PD    PD    NF    ok    ok    PD    PD    PD    NF
remove_workspace_member    PD    PD    NF    ok    ok    PD    PD    PD    NF
request_full               PD    PD    NF    ok    ok    PD    PD    PD    NF
workspace_requests         ok    ok    NF    ok    ok    ok    ok    ok    NF
# flows: owner, admin and integrator of the workspace change them; guests browse
list_flows                 ok    ok    NF    ok    ok    ok    ok    ok    NF
count_flows                ok    ok    NF    ok    ok    ok    ok    ok    NF
flow_page                  ok    ok    NF    ok    ok    ok    ok    ok    NF
get_flow                   ok    ok    NF    ok    ok    ok    ok    ok    NF
flow_events                ok    ok    NF    ok    ok    ok    ok    ok    NF
create_flow                PD    PD    NF    ok    ok    ok    PD    PD    NF
set_step                   PD    PD    NF    ok    ok    ok    PD    PD    NF
set_step_credential        PD    PD    NF    ok    ok    ok    PD    PD    NF
start_flow                 PD    PD    NF    ok    ok    ok    PD    PD    NF
stop_flow                  PD    PD    NF    ok    ok    ok    PD    PD    NF
restart_flow               PD    PD    NF    ok    ok    ok    PD    PD    NF
run_flows                  PD    PD    NF    ok    ok    ok    PD    PD    NF
plan_flows                 PD    PD    NF    ok    ok    ok    PD    PD    NF
time_left_page             ok    ok    ok    ok    ok    ok    ok    ok    ok
set_flow_type              PD    PD    NF    ok    ok    ok    PD    PD    NF
rotate_webhook             PD    PD    NF    ok    ok    ok    PD    PD    NF
copy_flow                  PD    PD    NF    ok    ok    ok    PD    PD    NF
send_messages              PD    PD    NF    ok    ok    ok    PD    PD    NF
list_executions            ok    ok    NF    ok    ok    ok    ok    ok    NF
list_failed                ok    ok    NF    ok    ok    ok    ok    ok    NF
flow_throughput            ok    ok    NF    ok    ok    ok    ok    ok    NF
throughput_rates           ok    ok    NF    ok    ok    ok    ok    ok    NF
retry_failed               PD    PD    NF    ok    ok    ok    PD    PD    NF
# revisions (DESIGN 2b): editing and rollback as editing; promote needs integrator+ in both
add_step                   PD    PD    NF    ok    ok    ok    PD    PD    NF
remove_step                PD    PD    NF    ok    ok    ok    PD    PD    NF
move_step                  PD    PD    NF    ok    ok    ok    PD    PD    NF
rollback_flow              PD    PD    NF    ok    ok    ok    PD    PD    NF
flow_history               ok    ok    NF    ok    ok    ok    ok    ok    NF
diff_flows                 ok    ok    NF    ok    ok    ok    ok    ok    NF
promotion_marks            ok    ok    NF    ok    ok    ok    ok    ok    NF
plan_promotion             PD    PD    NF    ok    ok    ok    PD    PD    NF
promote_flow               PD    PD    NF    ok    ok    ok    PD    PD    NF
discard_failed             PD    PD    NF    ok    ok    ok    PD    PD    NF
# credentials: the same editors; only they ever see a secret in clear
list_credentials           ok    ok    NF    ok    ok    ok    ok    ok    NF
get_credential             ok    ok    NF    ok    ok    ok    ok    ok    NF
add_credential             PD    PD    NF    ok    ok    ok    PD    PD    NF
update_credential          PD    PD    NF    ok    ok    ok    PD    PD    NF
delete_credential          PD    PD    NF    ok    ok    ok    PD    PD    NF
reveal_credential          PD    PD    NF    ok    ok    ok    PD    PD    NF
# platform support staff only
convert_workspace          PD    PD    PD    PD    PD    PD    PD    ok    PD
all_requests               PD    PD    PD    PD    PD    PD    PD    ok    PD
approve_request            PD    PD    PD    PD    PD    PD    PD    ok    PD
decline_request            PD    PD    PD    PD    PD    PD    PD    ok    PD
suspend_contract           PD    PD    PD    PD    PD    PD    PD    ok    PD
resume_contract            PD    PD    PD    PD    PD    PD    PD    ok    PD
add_user                   PD    PD    PD    PD    PD    PD    PD    ok    PD
"""


def _parse(grid: str) -> dict[tuple[str, str], str]:
    lines = [ln.split() for ln in grid.strip().splitlines() if ln.strip() and not ln.startswith("#")]
    header, rows = lines[0], lines[1:]
    assert len(header) == len(COLUMNS) + 1
    cells = {}
    for action, *outcomes in rows:
        assert len(outcomes) == len(COLUMNS), action
        for role, outcome in zip(COLUMNS, outcomes, strict=True):
            assert outcome in ("ok", "PD", "NF"), (action, role)
            cells[(action, role)] = outcome
    return cells


EXPECTED = _parse(GRID)
