"""Codex (ChatGPT's backend `/responses`): the request as it accepts one, and its answer read
before the attempt is chosen.

The request (`codex_body`): always streamed (`stream: true`) and never stored (`store: false`),
with `instructions` present ("" when the client gave none), a string `input` as one user
message and `system` input messages as `developer` ones; the fields it refuses are left out
(each named in a log line): REFUSED_FIELDS, and `service_tier` other than "priority".

The answer (`hold_answer`), decided before the client sees a byte:
- a client that streams gets the stream once its output begins: the metadata events before it
  (response.created, response.in_progress, …; at most MAX_HELD_EVENTS) are held and read again;
- a client that does not stream gets the streamed answer put together into one Responses
  object (`response.completed`'s, its output filled from the `output_item.done` events when the
  backend left it empty);
- a refusal inside the 200 stream before any output (`response.failed`, an `error` event), or
  anywhere in a stream being put together, becomes an error answer with the status its code
  means (FAILURE_STATUSES: usage_limit_reached → 429, context_length_exceeded → 400, …), so the
  fallback rules apply as to any refusal.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ..errors import UpstreamError, UpstreamUnreachableError
from ..formats.sse import SSESplitter, event_fields, event_json
from .subscription_answer import HeldAnswer
from .transport import UpstreamResponse, network_error

log = logging.getLogger("omniroute.proxy.subscriptions")

REFUSED_FIELDS = (
    "max_output_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "truncation",
    "user",
    "prompt_cache_retention",
    "prompt_cache_options",
    "safety_identifier",
    "stream_options",
    "previous_response_id",
)
KEPT_SERVICE_TIER = "priority"
METADATA_EVENTS = frozenset({"response.created", "response.in_progress", "response.queued"})
FAILURE_EVENTS = frozenset({"response.failed", "error"})
FINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.done"})
MAX_HELD_EVENTS = 16
FAILURE_STATUSES = {
    "usage_limit_reached": 429,
    "rate_limit_exceeded": 429,
    "insufficient_quota": 429,
    "usage_not_included": 403,
    "context_length_exceeded": 400,
    "invalid_prompt": 400,
    "invalid_request_error": 400,
    "server_is_overloaded": 503,
    "server_error": 500,
}
UNKNOWN_FAILURE_STATUS = 502
KEPT_ERROR_FIELDS = ("param", "plan_type", "resets_at", "resets_in_seconds")
JSON_HEADERS = {"Content-Type": "application/json"}
BODY_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding"})


def codex_body(body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(the body Codex accepts, whether the client asked for a stream)."""
    client_stream = bool(body.get("stream"))
    refused = [name for name in REFUSED_FIELDS if name in body]
    if body.get("service_tier") not in (None, KEPT_SERVICE_TIER):
        refused.append("service_tier")
    for name in refused:
        log.info("codex: dropping %s (the Codex backend refuses it)", name)
    shaped = {key: value for key, value in body.items() if key not in refused}
    shaped["store"] = False
    shaped["stream"] = True
    if not isinstance(shaped.get("instructions"), str):
        shaped["instructions"] = ""
    shaped["input"] = _input_items(shaped.get("input"))
    return shaped, client_stream


def _input_items(value: Any) -> Any:
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": [_input_text(value)]}]
    if not isinstance(value, list):
        return value
    return [
        dict(item, role="developer")
        if isinstance(item, dict) and item.get("role") == "system"
        else item
        for item in value
    ]


def _input_text(text: str) -> dict:
    return {"type": "input_text", "text": text}


def hold_answer(
    response: UpstreamResponse, deadline: float, provider: str, whole: bool
) -> UpstreamResponse:
    """The answer the pipeline reads (see the module docstring); `whole`: the client does not
    stream. A stream that breaks, ends early or stays silent raises UpstreamError."""
    if response.status_code >= 400:
        return response
    try:
        if whole:
            return _put_together(response, deadline, provider)
        return _held_until_output(response, deadline)
    except UpstreamError:
        raise
    except Exception as exc:
        raise network_error(exc, provider, "before the stream's first event") from exc


def _held_until_output(response: UpstreamResponse, deadline: float) -> UpstreamResponse:
    events, held, metadata = SSESplitter(), b"", 0
    while chunk := response.read1_by(deadline):
        held += chunk
        for raw in events.feed(chunk):
            kind, payload = _event(raw)
            if kind is None:
                continue  # a comment
            if kind in FAILURE_EVENTS:
                return _refusal(response, payload)
            metadata += 1
            if kind not in METADATA_EVENTS or metadata >= MAX_HELD_EVENTS:
                return HeldAnswer(response, held)
    return HeldAnswer(response, held, more=False)  # ended early: the reader says so


def _put_together(response: UpstreamResponse, deadline: float, provider: str):
    events = SSESplitter()
    items: dict[int, Any] = {}
    final: dict | None = None
    started = False
    while chunk := (response.read1() if started else response.read1_by(deadline)):
        for raw in events.feed(chunk):
            kind, payload = _event(raw)
            if kind is None:
                continue
            if not started:
                response.started()
                started = True
            if kind in FAILURE_EVENTS:
                return _refusal(response, payload)
            if kind == "response.output_item.done" and isinstance(payload.get("item"), dict):
                items[_index(payload.get("output_index"), len(items))] = payload["item"]
            elif kind in FINAL_EVENTS and isinstance(payload.get("response"), dict):
                final = payload["response"]
    if final is None:
        raise UpstreamUnreachableError(
            f"provider '{provider}' ended its stream before the response was complete",
            provider=provider,
        )
    if not final.get("output") and items:
        final = dict(final, output=[items[index] for index in sorted(items)])
    body = json.dumps(final, ensure_ascii=False).encode("utf-8")
    response.close()
    return HeldAnswer(response, body, more=False, headers=_json_headers(response))


def _refusal(response: UpstreamResponse, payload: dict) -> HeldAnswer:
    """A refusal found inside the stream, as the error answer it stands for."""
    error = _error_of(payload)
    status = FAILURE_STATUSES.get(str(error.get("code")), UNKNOWN_FAILURE_STATUS)
    body = json.dumps({"error": error}, ensure_ascii=False).encode("utf-8")
    response.close()
    return HeldAnswer(
        response, body, more=False, status_code=status, headers=_json_headers(response)
    )


def _error_of(payload: dict) -> dict:
    """{message, type, code, …} from a `response.failed` or an `error` event."""
    if payload.get("type") == "response.failed":
        response = payload.get("response")
        found = response.get("error") if isinstance(response, dict) else None
    else:
        nested = payload.get("error")
        found = nested if isinstance(nested, dict) else payload
    found = found if isinstance(found, dict) else {}
    kind = found.get("type") if found.get("type") not in (None, "error") else None
    code = found.get("code") or kind or "server_error"
    error = {
        "message": str(found.get("message") or "the provider failed the response"),
        "type": str(kind or code),
        "code": str(code),
    }
    error.update({key: found[key] for key in KEPT_ERROR_FIELDS if key in found})
    return error


def _event(raw: bytes) -> tuple[str | None, dict]:
    """(the event's type, its JSON) — (None, {}) for a comment or a keep-alive."""
    name, data = event_fields(raw)
    payload = event_json(raw) or {}
    kind = payload.get("type") if isinstance(payload.get("type"), str) else name
    if kind is None and not data.strip():
        return None, {}
    return kind or "", payload


def _index(value: Any, fallback: int) -> int:
    return value if type(value) is int and value >= 0 else fallback


def _json_headers(response: UpstreamResponse) -> dict[str, str]:
    """The provider's headers (its quota and Retry-After) with a JSON content type."""
    kept = {
        name: value for name, value in response.headers.items() if name.lower() not in BODY_HEADERS
    }
    return {**kept, **JSON_HEADERS}
