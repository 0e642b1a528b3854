"""Property tests: the name rule, and the work-time rule against a small model of it.

Runs are derandomized (the same examples every run) and kept small so the
suite stays fast and deterministic.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from flowdeck_world import T0
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from store_checks import overdue_active, table_counts

from store.errors import Conflict, InvalidInput

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

# -- names -------------------------------------------------------------------------
# DESIGN 1: 3 to 40 characters, letters and digits (of any alphabet), spaces,
# '-' and '_' only, no leading or trailing space. Written here from the design,
# not from store.names.

LETTERS_AND_DIGITS = ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd")
PUNCT = " -_"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def key_of(name: str) -> str:
    """DESIGN 2d: names compare after NFKC normalisation and case folding."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


#: Writing systems that mix scripts by nature (UTS #39 resolved script sets).
ONE_SYSTEM = ({"HAN", "HIRAGANA", "KATAKANA"}, {"HAN", "HANGUL"}, {"HAN", "BOPOMOFO"})


def lookalike_mix(name: str) -> bool:
    """DESIGN 2d: mixed scripts with a confusable letter (Unicode's data, by the library)."""
    from confusable_homoglyphs import categories, confusables

    scripts = {categories.alias(ch) for ch in name} - {"COMMON", "INHERITED"}
    if len(scripts) < 2 or any(scripts <= system for system in ONE_SYSTEM):
        return False
    return bool(confusables.is_confusable(name, greedy=False))


def follows_rule(name: str) -> bool:
    return (3 <= len(name) <= 40 and name == name.strip(" ")
            and all(ch in PUNCT or unicodedata.category(ch) in LETTERS_AND_DIGITS for ch in name))


letter = st.characters(categories=LETTERS_AND_DIGITS)
name_char = st.one_of(letter, letter, st.sampled_from(PUNCT))
edge_char = st.one_of(letter, st.sampled_from("-_"))
valid_names = st.builds(
    lambda first, middle, last: first + middle + last,
    edge_char, st.text(name_char, min_size=1, max_size=38), edge_char,
).map(nfc).filter(follows_rule)

bad_char = st.one_of(
    st.sampled_from("/" + "".join(c for c in string.punctuation if c not in "-_/")),
    st.characters(categories=("Cc",)),  # control characters
    st.sampled_from("\t\n\r\u00a0\u2003\u200b\u2028"),  # other spaces and breaks
    st.characters(categories=("Sm", "Sc", "Sk", "So", "Po", "Ps", "Pe", "Pd", "Pi", "Pf", "Pc", "Cf",
                              "Zs")).filter(lambda c: c not in PUNCT),
)
invalid_names = st.one_of(
    st.text(name_char, max_size=2),  # too short
    st.text(st.characters(categories=("Lu", "Ll", "Nd")), min_size=41, max_size=60),  # too long
    valid_names.map(lambda n: " " + n),  # leading space
    valid_names.map(lambda n: n + " "),  # trailing space
    st.builds(lambda a, bad, b: a + bad + b,  # a character that is not allowed
              st.text(name_char, max_size=19), bad_char, st.text(name_char, max_size=19)),
).filter(lambda n: not follows_rule(nfc(n)))


@pytest.fixture(scope="module")
def names_world(world_factory):
    with world_factory() as w:
        w.taken = {"flow": {"orders", "idle"}, "credential": {"crm token", "spare key"},
                   "workspace": {"staging", "production"}, "contract": {"acme", "globex"}}
        yield w


CREATE = {
    "flow": lambda w, n: w.as_("integrator").create_flow(f"Acme/Staging/{n}"),
    "credential": lambda w, n: w.as_("integrator").add_credential(f"Acme/Staging/{n}", "http",
                                                                  {"token": "t"}),
    "workspace": lambda w, n: w.as_("contract_member").create_workspace(f"Acme/{n}"),
    "contract": lambda w, n: w.as_("outsider").create_contract(n),
}


@SETTINGS
@given(name=valid_names, what=st.sampled_from(sorted(CREATE)))
def test_valid_names_are_accepted_as_typed(names_world, name, what):
    w = names_world
    key = key_of(name)
    if lookalike_mix(nfc(name)):
        with pytest.raises(InvalidInput, match="scripts"):
            CREATE[what](w, name)
        return
    if len(key) > 160:  # NFKC may lengthen a name past what its key column holds
        with pytest.raises(InvalidInput, match="normalised"):
            CREATE[what](w, name)
        return
    if key in w.taken[what]:  # the same name ignoring case: a sibling has it
        with pytest.raises(Conflict):
            CREATE[what](w, name)
        return
    view = CREATE[what](w, name)
    w.taken[what].add(key)
    assert view.name == nfc(name)


RENAME_OR_CREATE = {
    **CREATE,
    "rename contract": lambda w, n: w.as_("contract_owner").rename_contract("Acme", n),
    "rename workspace": lambda w, n: w.as_("workspace_owner").rename_workspace("Acme/Staging", n),
    "copy flow as": lambda w, n: w.as_("integrator").copy_flow(
        "Acme/Staging/Orders", "Acme/Production", new_name=n),
}


@SETTINGS
@given(name=invalid_names, what=st.sampled_from(sorted(RENAME_OR_CREATE)))
def test_invalid_names_are_refused_with_no_write(names_world, name, what):
    w = names_world
    before = (w.store.revision(), table_counts(w.store))
    with pytest.raises(InvalidInput):
        RENAME_OR_CREATE[what](w, name)
    assert (w.store.revision(), table_counts(w.store)) == before


# -- the work-time rule ---------------------------------------------------------------

EIGHT_HOURS = timedelta(hours=8)
FLOWS = ("Acme/Staging/Orders", "Acme/Staging/Idle", "Acme/Production/Alpha", "Acme/Production/Beta")
WORKSPACES = ("Acme/Staging", "Acme/Production")


@dataclass
class ModelFlow:
    """What DESIGN section 2 says a flow should look like."""

    workspace: str
    status: str = "inactive"
    started_at: datetime | None = None
    deadline: datetime | None = None
    stopped_at: datetime | None = None
    stop_reason: str | None = None
    queued: int = 0
    auto_stops: list[tuple[datetime, int]] = field(default_factory=list)  # (at, lost)


class Model:
    def __init__(self, kinds: dict[str, str]) -> None:
        self.kinds = kinds
        self.flows = {path: ModelFlow(path.rsplit("/", 1)[0]) for path in FLOWS}

    def settle(self, now: datetime) -> None:
        for f in self.flows.values():
            if f.status == "active" and f.deadline is not None and f.deadline <= now:
                f.auto_stops.append((f.deadline, f.queued))
                f.status, f.stopped_at, f.stop_reason = "stopped", f.deadline, "work_time_limit"
                f.deadline, f.queued = None, 0

    def start(self, path: str, now: datetime) -> bool:
        f = self.flows[path]
        if f.status == "active":
            return False
        limited = self.kinds[f.workspace] == "limited"
        f.status, f.started_at, f.deadline = "active", now, now + EIGHT_HOURS if limited else None
        f.stopped_at = f.stop_reason = None
        return True

    def stop(self, path: str, now: datetime) -> bool:
        f = self.flows[path]
        if f.status != "active":
            return False
        f.status, f.stopped_at, f.stop_reason, f.deadline, f.queued = "stopped", now, "manual", None, 0
        return True

    def convert(self, ws: str, now: datetime) -> str:
        to = "full" if self.kinds[ws] == "limited" else "limited"
        self.kinds[ws] = to
        for f in self.flows.values():
            if f.workspace == ws and f.status == "active":
                f.deadline = now + EIGHT_HOURS if to == "limited" else None
        return to


delays = st.one_of(
    st.integers(0, 120),
    st.integers(0, 12 * 3600),
    st.sampled_from([8 * 3600 - 1, 8 * 3600, 8 * 3600 + 1, 4 * 3600]),
)
flow_ops = st.tuples(st.sampled_from(["start", "stop", "restart", "send", "read"]),
                     st.sampled_from(FLOWS))
other_ops = st.tuples(st.sampled_from(["convert"]), st.sampled_from(WORKSPACES)) | st.tuples(
    st.sampled_from(["sweep", "list"]), st.just(""))
scripts = st.lists(st.tuples(delays, flow_ops | other_ops), min_size=1, max_size=10)


# every example builds a world, so shrinking a failure would take minutes: a failure
# is reported as generated (at most 10 steps), without the shrink phase
@settings(SETTINGS, max_examples=60,
          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.explain])
@given(full=st.tuples(st.booleans(), st.booleans()), script=scripts)
def test_work_time_invariant(world_factory, full, script):
    """No flow is ever seen active past its deadline; auto-stops happen at the deadline, once."""
    with world_factory() as w:
        integ, support, guest = w.as_("integrator"), w.as_("support"), w.as_("guest")
        integ.create_flow("Acme/Production/Alpha")
        integ.create_flow("Acme/Production/Beta")
        kinds = {ws: "full" if f else "limited" for ws, f in zip(WORKSPACES, full, strict=True)}
        for ws, kind in kinds.items():
            if kind == "full":
                support.convert_workspace(ws, "full")
        model = Model(dict(kinds))
        # the world's Orders was started at T0 with 3 messages queued
        model.kinds["Acme/Staging"] = "limited"
        model.start("Acme/Staging/Orders", T0)
        model.flows["Acme/Staging/Orders"].queued = 3
        if kinds["Acme/Staging"] == "full":
            model.kinds["Acme/Staging"] = "limited"
            model.convert("Acme/Staging", T0)

        for delay, (op, target) in script:
            now = w.clock.advance(seconds=delay)
            model.settle(now)
            refused = False
            try:
                if op == "start":
                    expect_ok = model.start(target, now)
                    integ.start_flow(target)
                elif op == "stop":
                    expect_ok = model.stop(target, now)
                    integ.stop_flow(target)
                elif op == "restart":
                    model.stop(target, now)
                    expect_ok = model.start(target, now)
                    integ.restart_flow(target)
                elif op == "send":
                    expect_ok = model.flows[target].status == "active"
                    if expect_ok:
                        model.flows[target].queued += 1
                    integ.send_messages(target)
                elif op == "convert":
                    expect_ok = True
                    support.convert_workspace(target, model.convert(target, now))
                elif op == "sweep":
                    expect_ok = True
                    w.as_(None).sweep()
                elif op == "read":
                    expect_ok = True
                    assert guest.get_flow(target).status == model.flows[target].status
                else:
                    expect_ok = True
                    guest.list_flows("Acme")
            except Conflict:
                refused = True
            assert refused == (not expect_ok), (op, target, now)
            if not refused:  # whatever ran stopped what was overdue, for good
                assert overdue_active(w.store, now) == 0, (op, target, now)
            seen = {f.path: f for f in support.list_flows("Acme")}
            for path, m in model.flows.items():
                v = seen[path]
                assert not (v.status == "active" and v.deadline is not None and v.deadline <= now)
                got = (v.status, v.started_at, v.deadline, v.stopped_at, v.stop_reason, v.queued_messages)
                want = (m.status, m.started_at, m.deadline, m.stopped_at, m.stop_reason, m.queued)
                assert got == want, (path, op, target, now)
                assert v.remaining_seconds == (
                    int((m.deadline - now).total_seconds()) if m.deadline else None)

        stops = support.list_events("Acme", kinds=["flow.auto_stopped"], limit=10_000)
        for path, m in model.flows.items():
            mine = sorted((e.at, e.detail["lost_messages"]) for e in stops if e.path == path)
            assert mine == m.auto_stops, path  # each auto-stop recorded exactly once
        assert all(e.actor == "system" for e in stops)
