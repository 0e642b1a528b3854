"""Forms and confirmations by keys: checked as you type, the store's refusal inline."""

from __future__ import annotations

from textual.widgets import Button, Input, Select
from tui_helpers import NW, highlight, notifications, open_by_keys, press, table_rows, type_text

from store.errors import NotFound
from tui.screens.confirm import ConfirmScreen
from tui.screens.form import FormScreen


def hint(form: FormScreen, field: str) -> str:
    return str(form.query_one(f"#hint-{field}").content)


def form_error(form: FormScreen) -> str:
    return str(form.query_one("#form-error").content)


async def test_a_new_workspace_form_checks_the_name_as_you_type_and_shows_the_refusal(demo):
    app = demo.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_by_keys(pilot, NW)
        contract = app.screen
        await press(pilot, "n")
        form = app.screen
        assert isinstance(form, FormScreen)
        assert isinstance(app.focused, Input) and app.focused.id == "field-name"

        await type_text(pilot, "QA")
        assert hint(form, "name") == "✗ is shorter than 3 characters"
        assert form.query_one("#hint-name").has_class("invalid")
        await type_text(pilot, "/x")
        assert "contains '/'" in hint(form, "name")
        await press(pilot, "enter")  # refused before the store is asked
        assert app.screen is form
        assert "fix the field above first" in form_error(form)

        await press(pilot, "backspace", "backspace")
        await type_text(pilot, " Lab")
        assert not form.query_one("#hint-name").has_class("invalid")
        # a name the contract already has: the store refuses, the form says why, in place
        await press(pilot, "ctrl+u")  # clear the field
        await type_text(pilot, "staging")
        assert not form.query_one("#hint-name").has_class("invalid")
        await press(pilot, "enter")
        assert app.screen is form
        assert form_error(form).startswith("✗ ")
        assert form_error(form).endswith(f"contract {NW} already has a workspace named 'Staging'")
        assert not form.query_one("#submit", Button).disabled  # one may fix it and try again

        await press(pilot, "ctrl+u")
        await type_text(pilot, "QA Lab")
        assert form_error(form) == ""
        await press(pilot, "enter")
        assert app.screen is contract
        assert "QA Lab" in table_rows(contract, "workspaces-table")
        assert table_rows(contract, "workspaces-table")["QA Lab"][1] == "◔ Limited"
        assert demo.as_(None).get_workspace(f"{NW}/QA Lab").kind == "limited"


async def test_deleting_a_full_workspace_needs_its_name_typed(demo):
    app = demo.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_by_keys(pilot, NW)
        contract = app.screen
        await highlight(pilot, "workspaces-table", "Production")
        await press(pilot, "d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert dialog.query_one("#confirm-title").content == \
            f"Delete Full workspace {NW}/Production?"
        body = dialog.query_one("#confirm-body").content
        assert "6 flows (4 active)" in body and "2 credentials" in body and "queued message" in body
        assert "Type 'Production' to confirm" in dialog.query_one("#confirm-prompt").content
        ok = dialog.query_one("#ok", Button)
        assert ok.disabled and app.focused.id == "cancel"

        await press(pilot, "shift+tab")
        assert isinstance(app.focused, Input)
        await type_text(pilot, "Prod")
        assert ok.disabled
        await press(pilot, "enter")  # not yet: nothing happens
        assert app.screen is dialog
        await type_text(pilot, "uction")
        assert not ok.disabled
        await press(pilot, "enter")
        assert app.screen is contract
        assert "Production" not in table_rows(contract, "workspaces-table")
        assert f"Workspace {NW}/Production deleted" in notifications(app)
        try:
            demo.as_(None).get_workspace(f"{NW}/Production")
        except NotFound:
            pass
        else:
            raise AssertionError("the workspace is still there")

        # a Limited one asks too, but needs no name
        await highlight(pilot, "workspaces-table", "Legacy Migration")
        await press(pilot, "d")
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert "Limited workspace" in dialog.query_one("#confirm-title").content
        assert not dialog.query("#confirm-input")
        await press(pilot, "enter")  # Cancel is the default
        assert app.screen is contract
        assert "Legacy Migration" in table_rows(contract, "workspaces-table")
        await press(pilot, "d", "tab", "enter")
        assert "Legacy Migration" not in table_rows(contract, "workspaces-table")


async def test_copy_a_flow_from_staging_to_production_with_its_credential_mapped(demo):
    app = demo.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_by_keys(pilot, NW, "Staging")
        staging = app.screen
        await highlight(pilot, "flows-table", "Price Update Draft")  # uses Shop API
        await press(pilot, "c")
        form = app.screen
        assert isinstance(form, FormScreen)
        target = form.query_one("#field-target", Select)
        assert app.focused is target

        # choose Production from the list
        await press(pilot, "enter")
        for _ in range(5):
            if target.selection == f"{NW}/Production" or str(app.focused.highlighted_option.prompt) \
                    == f"{NW}/Production":
                break
            await press(pilot, "down")
        await press(pilot, "enter")
        assert target.value == f"{NW}/Production"

        # the credential is matched by name; map it to another one of the target instead
        await press(pilot, "tab")
        assert app.focused.id == "field-name"
        await press(pilot, "tab")
        cred = app.focused
        assert cred.id == "field-cred0" and cred.value == "Shop API"
        await press(pilot, "ctrl+u")
        await type_text(pilot, "Nope")
        await press(pilot, "enter")
        assert app.screen is form
        assert "no http credential named 'Nope'" in form_error(form)

        await press(pilot, "ctrl+u")
        await type_text(pilot, "ERP API")
        await press(pilot, "enter")
        assert app.screen is staging
        assert f"Copied to {NW}/Production/Price Update Draft (inactive)" in notifications(app)

        fd = demo.as_(None)
        copy = fd.get_flow(f"{NW}/Production/Price Update Draft")
        assert copy.status == "inactive" and copy.workspace_kind == "full"
        assert [s.credential for s in copy.steps] == [None, None, "ERP API"]
        production_erp = {c.name: c.id for c in fd.list_credentials(f"{NW}/Production")}["ERP API"]
        staging_ids = {c.id for c in fd.list_credentials(f"{NW}/Staging")}
        assert production_erp not in staging_ids  # a credential never crosses a workspace
        original = fd.get_flow(f"{NW}/Staging/Price Update Draft")
        assert [s.credential for s in original.steps] == [None, None, "Shop API"]
