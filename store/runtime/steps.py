"""Running one step of a flow on one message.

``run_step`` takes the step as the worker claimed it and the message's
payload, and returns what goes on to the next step (``StepOutcome``) or
raises ``StepError``. It touches no table: what a step writes to the flow
log comes back in the outcome, and the worker records it in the same
transaction that moves the message on.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from ..errors import FlowdeckError
from ..policy import TEXT_MAX
from .httpstep import run_http
from .scrub import Scrubber, scrub
from .stepspec import StepError, StepOutcome, StepSpec, clip

if TYPE_CHECKING:
    from ..engine import Store

__all__ = ["TEXT_MAX", "StepError", "StepOutcome", "StepSpec", "clip", "run_step", "scrub"]

#: Compiled JSONata expressions kept per worker thread.
_EXPRESSIONS_KEPT = 256


def as_json(value: Any) -> Any:
    """``value`` as plain JSON data (lists, dicts, strings, numbers, booleans, None)."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise StepError(f"the result is not JSON data ({exc})") from None


def _missing(spec: StepSpec, key: str) -> StepError:
    return StepError(f"step {spec.position} ({spec.component}) has no {key}; set it with "
                     f"'flowdeck flow step set PATH {spec.position} {key} VALUE'")


# -- transform -------------------------------------------------------------------
_local = threading.local()


def _compiled(expression: str) -> Any:
    cache: dict[str, Any] | None = getattr(_local, "expressions", None)
    if cache is None:
        cache = _local.expressions = {}
    found = cache.get(expression)
    if found is None:
        import jsonata

        try:
            found = jsonata.Jsonata(expression)
        except Exception as exc:  # noqa: BLE001 - jsonata raises its own kinds
            raise StepError(f"the JSONata expression does not parse: {exc}") from None
        if len(cache) >= _EXPRESSIONS_KEPT:
            cache.clear()
        cache[expression] = found
    return found


def run_transform(spec: StepSpec, payload: Any) -> StepOutcome:
    expression = (spec.settings or {}).get("expression")
    if not expression:
        raise _missing(spec, "expression")
    compiled = _compiled(expression)
    try:
        result = compiled.evaluate(payload)
    except Exception as exc:  # noqa: BLE001 - a failing expression is the step's failure
        raise StepError(f"the JSONata expression failed: {exc}") from None
    return StepOutcome(as_json(result))


# -- log -------------------------------------------------------------------------------
def run_log(spec: StepSpec, payload: Any, message_id: int) -> StepOutcome:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    entry: dict[str, Any] = {"message": message_id, "step": spec.position}
    if len(text) <= TEXT_MAX:
        entry["payload"] = payload
    else:
        entry["excerpt"] = clip(text)
    return StepOutcome(payload, logs=[entry])


# -- dispatch ----------------------------------------------------------------------------
def open_secrets(store: Store, spec: StepSpec) -> dict[str, str] | None:
    if spec.sealed is None:
        return None
    try:
        return store.secret_box().open(spec.sealed, f"credential {spec.credential!r}")
    except FlowdeckError as exc:
        raise StepError(str(exc)) from None


def run_step(store: Store, spec: StepSpec, payload: Any, *, message_id: int, key: str,
             http_timeout: float | None = None) -> StepOutcome:
    """Run ``spec`` on ``payload``. ``key`` names this run for the target (idempotency);
    ``http_timeout`` overrides the http step's limit (tests only).

    Whatever comes back, an outcome or an error, has every secret of the step's
    credential scrubbed (``scrub.Scrubber``), so the worker records it as it is.
    """
    secrets = open_secrets(store, spec) if spec.component == "http" else None
    scrubber = Scrubber(secrets)
    try:
        outcome = _dispatch(spec, payload, secrets, message_id=message_id, key=key,
                            http_timeout=http_timeout)
    except StepError as exc:
        exc.message = scrubber.text(exc.message)
        exc.detail = scrubber.data(exc.detail)
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a step raises fails the step, not the worker
        raise StepError(scrubber.text(f"{type(exc).__name__}: {exc}")) from None
    if scrubber:
        outcome.output = scrubber.data(outcome.output)
        outcome.detail = scrubber.data(outcome.detail)
        outcome.logs = scrubber.data(outcome.logs)
    return outcome


def _dispatch(spec: StepSpec, payload: Any, secrets: dict[str, str] | None, *,
              message_id: int, key: str, http_timeout: float | None = None) -> StepOutcome:
    if spec.component in ("webhook", "timer"):  # a trigger hands the message on as it came
        return StepOutcome(payload)
    if spec.component == "transform":
        return run_transform(spec, payload)
    if spec.component == "log":
        return run_log(spec, payload, message_id)
    if spec.component == "http":
        return run_http(spec, payload, secrets, key=key, timeout=http_timeout)
    raise StepError(f"step {spec.position}: unknown component {spec.component!r}")
