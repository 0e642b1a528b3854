"""The ``http`` step: send the message to a URL with the step's credential.

A credential with ``token`` is sent as ``Authorization: Bearer …``, one with
``username`` and ``password`` as basic auth. A 2xx answer passes its JSON
body on (an empty body passes the message on unchanged, a text body as
``{"status", "text"}``); anything else fails the step, naming the status.

httpx does the HTTP: proxies from the environment (``HTTPS_PROXY``,
``HTTP_PROXY``, ``NO_PROXY``; ``trust_env``), TLS verification, a connect
and a whole-request timeout, and connection reuse (one client per worker
thread). Redirects are followed (at most ``MAX_REDIRECTS``); httpx drops the
``Authorization`` header when a redirect leaves the origin, so a credential
never reaches another host.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..policy import HTTP_CONNECT_TIMEOUT, HTTP_TIMEOUT, MAX_BODY_BYTES, MAX_REDIRECTS
from .scrub import scrub
from .stepspec import StepError, StepOutcome, StepSpec, clip

BODYLESS = ("GET", "DELETE")
USER_AGENT = "Flowdeck-worker"
_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
               "all_proxy", "NO_PROXY", "no_proxy")

_local = threading.local()


def shown(url: str) -> str:
    """The URL for messages: without any user:password@ part."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def client(timeout: float | None = None) -> httpx.Client:
    """This thread's client for ``timeout`` (None: the policy's) and the current proxy settings."""
    key = (timeout, tuple(os.environ.get(name) for name in _PROXY_VARS))
    clients: dict[Any, httpx.Client] | None = getattr(_local, "clients", None)
    if clients is None:
        clients = _local.clients = {}
    found = clients.get(key)
    if found is None:
        total = HTTP_TIMEOUT.total_seconds() if timeout is None else timeout
        connect = min(total, HTTP_CONNECT_TIMEOUT.total_seconds())
        found = httpx.Client(trust_env=True, verify=True, follow_redirects=True,
                             max_redirects=MAX_REDIRECTS,
                             timeout=httpx.Timeout(total, connect=connect),
                             headers={"User-Agent": USER_AGENT})
        for old in clients.values():  # the environment changed: the old ones go
            old.close()
        clients.clear()
        clients[key] = found
    return found


def auth_header(secrets: dict[str, str] | None) -> str | None:
    if not secrets:
        return None
    if secrets.get("token"):
        return f"Bearer {secrets['token']}"
    if "username" in secrets and "password" in secrets:
        pair = f"{secrets['username']}:{secrets['password']}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


def _send(url: str, method: str, body: bytes | None, headers: dict[str, str],
          timeout: float | None) -> tuple[int, str, str, bytes]:
    """(status, reason, content type, at most MAX_BODY_BYTES + 1 bytes of the body)."""
    with client(timeout).stream(method, url, content=body, headers=headers) as response:
        data = bytearray()
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > MAX_BODY_BYTES:
                break
        return (response.status_code, response.reason_phrase,
                response.headers.get("Content-Type", ""), bytes(data))


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


def run_http(spec: StepSpec, payload: Any, secrets: dict[str, str] | None, *, key: str,
             timeout: float | None = None) -> StepOutcome:
    """``timeout``: the whole request's limit in seconds; None (always, but in tests) the
    policy's ``HTTP_TIMEOUT``."""
    settings = spec.settings or {}
    url = settings.get("url")
    if not url:
        raise StepError(f"step {spec.position} (http) has no url; set it with "
                        f"'flowdeck flow step set PATH {spec.position} url URL'")
    method = str(settings.get("method") or "POST").upper()
    headers = {"Accept": "application/json", "Idempotency-Key": key}
    auth = auth_header(secrets)
    if auth:
        headers["Authorization"] = auth
    body = None
    if method not in BODYLESS:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    where = shown(url)
    limit = HTTP_TIMEOUT.total_seconds() if timeout is None else timeout
    try:
        status, reason, content_type, data = _send(url, method, body, headers, timeout)
    except httpx.ConnectTimeout:
        raise StepError(f"{method} {where}: cannot connect within "
                        f"{min(limit, HTTP_CONNECT_TIMEOUT.total_seconds()):g} s") from None
    except httpx.TimeoutException:
        raise StepError(f"{method} {where}: no answer within {limit:g} s") from None
    except httpx.TooManyRedirects:
        raise StepError(f"{method} {where}: more than {MAX_REDIRECTS} redirects") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise StepError(f"{method} {where}: not a URL this step can reach ({exc})") from None
    except (httpx.HTTPError, OSError) as exc:
        cause = exc.__cause__ or exc.__context__
        why = str(exc) or str(cause or "") or type(exc).__name__
        raise StepError(f"{method} {where}: cannot reach the target ({why})") from None
    if len(data) > MAX_BODY_BYTES:
        raise StepError(f"{method} {where} answered more than {MAX_BODY_BYTES:,} bytes",
                        {"status": status})
    if not 200 <= status < 300:
        excerpt = clip(data.decode("utf-8", errors="replace"), 120)
        raise StepError(f"{method} {where} answered {status} {reason}"
                        + (f": {scrub(excerpt, secrets)}" if excerpt else ""), {"status": status})
    output = _decode(data, payload, status, content_type or "")
    if secrets:  # a target that echoes the credential back must not carry it into the flow log
        text = json.dumps(output, ensure_ascii=False)
        cleaned = scrub(text, secrets)
        if cleaned != text:
            try:
                output = json.loads(cleaned)
            except ValueError:
                output = {"status": status, "text": "(withheld: the answer held the credential)"}
    return StepOutcome(output, {"status": status})
