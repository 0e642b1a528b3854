"""The ``http`` step: send the message to a URL with the step's credential.

A credential with ``token`` is sent as ``Authorization: Bearer …``, one with
``username`` and ``password`` as basic auth. A 2xx answer passes its JSON
body on (an empty body passes the message on unchanged, a text body as
``{"status", "text"}``); anything else fails the step, naming the status.
Each worker thread keeps its connections open between messages.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..policy import HTTP_TIMEOUT, MAX_BODY_BYTES
from .steps import StepError, StepOutcome, StepSpec, clip, scrub

BODYLESS = ("GET", "DELETE")
USER_AGENT = "Flowdeck-worker"

_local = threading.local()


def shown(url: str) -> str:
    """The URL for messages: without any user:password@ part."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def _connection(scheme: str, netloc: str, fresh: bool) -> http.client.HTTPConnection:
    pool: dict[tuple[str, str], http.client.HTTPConnection] | None = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = {}
    key = (scheme, netloc)
    conn = pool.get(key)
    if conn is not None and not fresh:
        return conn
    if conn is not None:
        conn.close()
    timeout = HTTP_TIMEOUT.total_seconds()
    host = netloc.rsplit("@", 1)[-1]
    conn = (http.client.HTTPSConnection(host, timeout=timeout) if scheme == "https"
            else http.client.HTTPConnection(host, timeout=timeout))
    pool[key] = conn
    return conn


def _drop(scheme: str, netloc: str) -> None:
    pool = getattr(_local, "pool", {})
    conn = pool.pop((scheme, netloc), None)
    if conn is not None:
        conn.close()


def auth_header(secrets: dict[str, str] | None) -> str | None:
    if not secrets:
        return None
    if secrets.get("token"):
        return f"Bearer {secrets['token']}"
    if "username" in secrets and "password" in secrets:
        pair = f"{secrets['username']}:{secrets['password']}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


def _send(url: str, method: str, body: bytes | None, headers: dict[str, str]):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StepError(f"{shown(url)!r} is not an http(s) URL")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    for attempt in (0, 1):  # a kept-alive connection the target has closed: reconnect once
        conn = _connection(parts.scheme, parts.netloc, fresh=attempt == 1)
        try:
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read(MAX_BODY_BYTES + 1)
            if response.will_close:
                _drop(parts.scheme, parts.netloc)
            return response, data
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            _drop(parts.scheme, parts.netloc)
            if attempt == 1:
                raise
        except BaseException:
            _drop(parts.scheme, parts.netloc)
            raise
    raise AssertionError("unreachable")


def _decode(data: bytes, payload: Any, status: int, content_type: str) -> Any:
    if not data.strip():
        return payload
    text = data.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return {"status": status, "text": clip(text)}


def run_http(spec: StepSpec, payload: Any, secrets: dict[str, str] | None, *, key: str) -> StepOutcome:
    settings = spec.settings or {}
    url = settings.get("url")
    if not url:
        raise StepError(f"step {spec.position} (http) has no url; set it with "
                        f"'flowdeck flow step set PATH {spec.position} url URL'")
    method = str(settings.get("method") or "POST").upper()
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT, "Idempotency-Key": key}
    auth = auth_header(secrets)
    if auth:
        headers["Authorization"] = auth
    body = None
    if method not in BODYLESS:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    where = shown(url)
    try:
        response, data = _send(url, method, body, headers)
    except StepError:
        raise
    except TimeoutError:
        raise StepError(f"{method} {where}: no answer within {HTTP_TIMEOUT.total_seconds():g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise StepError(f"{method} {where}: cannot reach the target ({reason})") from None
    status = response.status
    if len(data) > MAX_BODY_BYTES:
        raise StepError(f"{method} {where} answered more than {MAX_BODY_BYTES:,} bytes",
                        {"status": status})
    if not 200 <= status < 300:
        excerpt = clip(data.decode("utf-8", errors="replace"), 120)
        raise StepError(f"{method} {where} answered {status} {response.reason}"
                        + (f": {scrub(excerpt, secrets)}" if excerpt else ""), {"status": status})
    output = _decode(data, payload, status, response.getheader("Content-Type", "") or "")
    if secrets:  # a target that echoes the credential back must not carry it into the flow log
        text = json.dumps(output, ensure_ascii=False)
        cleaned = scrub(text, secrets)
        if cleaned != text:
            try:
                output = json.loads(cleaned)
            except ValueError:
                output = {"status": status, "text": "(withheld: the answer held the credential)"}
    return StepOutcome(output, {"status": status})
