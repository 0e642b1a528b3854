"""Names cannot impersonate, emails are addresses, free text holds no control character
(DESIGN 2d). Through the services, on a fresh copy of the world each test."""

from __future__ import annotations

import pytest

from store.errors import Conflict, InvalidInput
from store.names import check_email, name_key
from store.text import check_text, visible, visible_json

SIBLINGS = {  # what: (create a sibling of the world's existing name, the existing name)
    "contract": (lambda w, n: w.as_("outsider").create_contract(n), "Acme"),
    "workspace": (lambda w, n: w.as_("contract_member").create_workspace(f"Acme/{n}"), "Staging"),
    "flow": (lambda w, n: w.as_("integrator").create_flow(f"Acme/Staging/{n}"), "Orders"),
    "credential": (lambda w, n: w.as_("integrator").add_credential(
        f"Acme/Staging/{n}", "http", {"token": "t0k"}), "Spare key"),
}
FULL_WIDTH = {"Acme": "Ａｃｍｅ", "Staging": "ＳＴＡＧＩＮＧ", "Orders": "ｏｒｄｅｒｓ",
              "Spare key": "Ｓｐａｒｅ ｋｅｙ"}
CYRILLIC_MIX = {"Acme": "Aсme", "Staging": "Stаging", "Orders": "Оrders", "Spare key": "Spаre key"}


@pytest.mark.parametrize("what", sorted(SIBLINGS))
def test_a_full_width_twin_clashes_with_the_name_it_copies(fresh_world, what):
    create, existing = SIBLINGS[what]
    before = fresh_world.store.revision()
    with pytest.raises(Conflict):
        create(fresh_world, FULL_WIDTH[existing])
    assert fresh_world.store.revision() == before


@pytest.mark.parametrize("what", sorted(SIBLINGS))
def test_a_name_mixing_in_look_alike_cyrillic_letters_is_refused_saying_so(fresh_world, what):
    create, existing = SIBLINGS[what]
    before = fresh_world.store.revision()
    with pytest.raises(InvalidInput) as refused:
        create(fresh_world, CYRILLIC_MIX[existing])
    message = str(refused.value)
    assert "Cyrillic" in message and "Latin" in message and "pass for another" in message
    assert "\n" not in message and fresh_world.store.revision() == before


@pytest.mark.parametrize("name", ["Москва", "開発チーム", "データ連携 2", "Ελλάδα", "한국 팀",
                                  "Café_1", "São Paulo", "Straße", "İstanbul", "東京 開発"])
def test_a_name_in_one_alphabet_or_writing_system_is_kept_as_typed(fresh_world, name):
    view = fresh_world.as_("outsider").create_contract(name)
    assert view.name == name


def test_a_rename_to_a_normalised_twin_clashes_and_paths_find_by_the_normalised_key(fresh_world):
    owner = fresh_world.as_("workspace_owner")
    with pytest.raises(Conflict):
        owner.rename_workspace("Acme/Staging", "ＰＲＯＤＵＣＴＩＯＮ")
    assert owner.get_workspace("Ａｃｍｅ/ｓｔａｇｉｎｇ").path == "Acme/Staging"
    assert name_key("Ａｃｍｅ") == name_key("ACME") == name_key("acme") == "acme"
    assert name_key("Straße") == name_key("STRASSE")


def test_emails_are_checked_by_email_validator_and_lower_cased(fresh_world):
    support = fresh_world.as_("support")
    user = support.add_user("Ivan.Petrov+ops@Example.COM", "Ivan")
    assert user.email == "ivan.petrov+ops@example.com"
    for bad in ("not-an-email", "a@b", "two@@example.com", "sp ace@example.com",
                "esc\x1b[2J@example.com", "rtl\u202e@example.com", "a/b@example.com", ""):
        before = fresh_world.store.revision()
        with pytest.raises(InvalidInput) as refused:
            support.add_user(bad, "Someone")
        assert "\n" not in str(refused.value) and "\x1b" not in str(refused.value)
        assert fresh_world.store.revision() == before
    assert check_email("ü@exämple.com") == "ü@exämple.com"


@pytest.mark.parametrize("value", ["Eve\x1b[2J", "Eve\x07", "Eve\u202e", "Eve\u2066x",
                                   "Eve\x9b", "Eve\nEve", "Eve\u2028"])
def test_control_characters_are_refused_in_free_text_with_one_line(fresh_world, value):
    w = fresh_world
    attempts = [
        lambda: w.as_("support").add_user("eve@example.com", value),
        lambda: w.as_("workspace_owner").request_full("Acme/Staging", value),
        lambda: w.as_("support").decline_request(w.request_id, value),
        lambda: w.as_("integrator").set_step("Acme/Staging/Idle", 2, "url",
                                             f"https://x.example/{value}"),
    ]
    for attempt in attempts:
        before = w.store.revision()
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert "control character \\" in str(refused.value)
        assert "\n" not in str(refused.value) and w.store.revision() == before


def test_a_transform_expression_may_hold_newlines_and_tabs(fresh_world):
    integ = fresh_world.as_("integrator")
    flow = integ.set_step("Acme/Staging/Orders", 2, "expression", '{\n\t"total": $sum(x)\n}')
    assert flow.steps[1].settings["expression"] == '{\n\t"total": $sum(x)\n}'
    with pytest.raises(InvalidInput):
        integ.set_step("Acme/Staging/Orders", 2, "expression", '{"a": "\x1b[2J"}')


def test_visible_escapes_controls_and_format_characters_and_keeps_the_rest():
    assert visible("a\x1b[31mb") == "a\\x1b[31mb"
    assert visible("x\u202ey\u200bz\x9b") == "x\\u202ey\\u200bz\\x9b"
    assert visible("名字 é 🙂 [bold]") == "名字 é 🙂 [bold]"
    assert visible("line\nbreak", keep="\n") == "line\nbreak"
    assert visible_json({"k": "\x1b\u202e\x9b\u2028"}) == \
        '{\n  "k": "\\u001b\\u202e\\u009b\\u2028"\n}'
    assert check_text("plain", "x") == "plain"
