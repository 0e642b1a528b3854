"""DESIGN section 1: the names of contracts, workspaces, flows and credentials (which are
accepted, unique ignoring case, the case kept).
"""

from __future__ import annotations

import pytest
from store_checks import table_counts

from store.errors import Conflict, InvalidInput


@pytest.mark.parametrize("name", [
    "abc", "A" * 40, "Orders 2", "eu-west_1", "Zürich Süd", "東京工場", "Ελλάδα", "Москва-2",
    "٣٤٥ مصنع", "a b", "_-_",
])
def test_names_of_3_to_40_letters_digits_spaces_dash_underscore_are_accepted(fresh_world, name):
    integ = fresh_world.as_("integrator")
    assert integ.create_flow(f"Acme/Staging/{name}").name == name
    assert integ.add_credential(f"Acme/Staging/{name}", "http", {"token": "t"}).name == name
    assert fresh_world.as_("workspace_owner").create_workspace(f"Acme/{name}").name == name
    assert fresh_world.as_("outsider").create_contract(name).name == name


@pytest.mark.parametrize("name", [
    "ab", "A" * 41, "", " abc", "abc ", "a/b c", "abc!", "abc.", "a\tbc", "ab\nc", "ab\x00c",
    "a,b,c", "abc€", "abc🙂", "a\u00a0bc", "a'bc", "ab:c",
])
def test_names_breaking_the_rule_are_refused_and_nothing_is_written(fresh_world, name):
    w = fresh_world
    before = (w.store.revision(), table_counts(w.store))
    attempts = [
        lambda: w.as_("integrator").create_flow(f"Acme/Staging/{name}"),
        lambda: w.as_("integrator").add_credential(f"Acme/Staging/{name}", "http", {"token": "t"}),
        lambda: w.as_("workspace_owner").create_workspace(f"Acme/{name}"),
        lambda: w.as_("workspace_owner").rename_workspace("Acme/Staging", name),
        lambda: w.as_("outsider").create_contract(name),
        lambda: w.as_("contract_owner").rename_contract("Acme", name),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput):
            attempt()
    assert (w.store.revision(), table_counts(w.store)) == before


def test_names_unique_ignoring_case_case_kept(fresh_world):
    w = fresh_world
    integ, wowner = w.as_("integrator"), w.as_("workspace_owner")
    flow = integ.create_flow("Acme/Staging/Invoices EU")
    assert flow.name == "Invoices EU" and flow.path == "Acme/Staging/Invoices EU"
    assert integ.get_flow("acme/STAGING/invoices eu").name == "Invoices EU"
    clashes = [
        lambda: integ.create_flow("Acme/Staging/INVOICES eu"),
        lambda: integ.create_flow("Acme/Staging/orders"),
        lambda: integ.add_credential("Acme/Staging/crm TOKEN", "http", {"token": "t"}),
        lambda: wowner.create_workspace("Acme/STAGING"),
        lambda: wowner.rename_workspace("Acme/Production", "staging"),
        lambda: w.as_("outsider").create_contract("ACME"),
        lambda: w.as_("outsider").rename_contract("Globex", "acme"),
    ]
    for clash in clashes:
        with pytest.raises(Conflict):
            clash()
    # siblings only: the same names are free elsewhere
    assert integ.create_flow("Acme/Production/Orders").name == "Orders"
    assert integ.add_credential("Acme/Production/Spare KEY", "http", {"token": "t"}).name == "Spare KEY"
    assert w.as_("outsider").create_workspace("Globex/Staging").name == "Staging"
    # renaming to another case of its own name keeps the new case
    assert wowner.rename_workspace("Acme/Staging", "STAGING").name == "STAGING"
    assert w.as_("contract_owner").rename_contract("Acme", "ACME").name == "ACME"
    assert [c.name for c in w.as_("contract_owner").list_contracts()] == ["ACME"]
