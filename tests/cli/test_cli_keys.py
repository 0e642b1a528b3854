"""``flowdeck keys``, the config file's ``[keys]`` checked against it, and shell completion."""

from __future__ import annotations

import pytest


def test_keys_lists_every_binding_with_its_default_and_what_it_does(cli):
    r = cli("keys", now=None)
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in r.lines[1:]}
    assert r.lines[0].split() == ["ID", "KEY", "DOES"]
    assert rows["workspace.stop"] == ["x", "Stop"]
    assert rows["nav.filter"] == ["slash", "Filter"]
    by_id = {b["id"]: b for b in cli("keys", "--json", now=None).json}
    assert by_id["flow.restart"] == {"id": "flow.restart", "key": "R", "does": "Restart",
                                     "where": "FlowScreen"}
    assert set(by_id) == set(rows)


def test_an_unknown_binding_id_in_keys_is_refused_with_the_valid_ones(cli):
    cli.config.write_text('[keys]\n"workspace.stopp" = "X"\n"nav.filter" = "f"\n')
    r = cli(user="nobody@example.com", expect=1)  # the TUI never starts
    assert "'workspace.stopp'" in r.err and "'nav.filter'" not in r.err
    assert "the ids are: app.quit, " in r.err and "workspace.stop," in r.err


@pytest.mark.parametrize(("words", "cword", "offered"), [
    ("flowdeck fl", "1", "flow"),
    ("flowdeck flow st", "2", "start"),
])
def test_completion_answers_the_shell(cli, words, cword, offered):
    r = cli(now=None, env={"_FLOWDECK_COMPLETE": "complete_bash", "COMP_WORDS": words,
                           "COMP_CWORD": cword})
    assert offered in r.lines


def test_completion_script_for_bash(cli):
    r = cli("--show-completion", "bash", now=None)
    assert "_FLOWDECK_COMPLETE=complete_bash" in r.out
