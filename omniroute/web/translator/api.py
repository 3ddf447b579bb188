"""Management API behind the /translator page (login required; POSTs carry X-CSRFToken):

- POST /api/translator/translate {from, to, kind: request|response|stream, body, model?}
  → {translated, diff: [{path, change: renamed|restructured|dropped|added, detail, to?, count}],
  warnings}; input that cannot be read → 400 whose error names the field (`param`) and, for
  JSON, the `line` and `column` (for a body the format refuses, the `path` of the field).
- POST /api/translator/send {model, format, message | body, system?, stream?, maxTokens?}: one
  chat through the gateway, recorded. With `Accept: text/event-stream` the cycle arrives as it
  happens (events inbound, upstream_request, upstream_chunk, upstream_response, reply,
  response_chunk, done); otherwise one JSON object {inbound, status, headers, routing,
  exchanges, response}.
- POST /api/translator/bench {live?, model?} → {checks, passed, failed}.
- GET /api/translator/stream?format=&provider=&model=&status= → SSE, one `request` event (JSON)
  per finished request; GET /api/translator/events (recent), /api/translator/events/<seq>.
- GET /api/translator/examples, /api/translator/examples/<id> → playground examples.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from ...formats.registry import FORMATS
from ...translator import bench, examples
from ...translator.chat import ChatRequest, ChatRun, run_to_end
from ...translator.feed import FILTER_KEYS, feed, json_event, sse_event
from ...translator.playground import KINDS, Result, translate
from ...translator.source_text import InputError
from ..providers.connection_form import FieldError
from ..security import field_error, json_error

bp = Blueprint("translator", __name__)
log = logging.getLogger(__name__)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
MAX_MODEL = 200
MAX_MESSAGE = 100_000


def services():
    return current_app.extensions["omniroute"]


def one_of(data: dict, name: str, choices, default: str | None = None) -> str:
    """The field `name` of `data` when it is one of `choices` (FieldError otherwise)."""
    value = data.get(name) or default
    if not isinstance(value, str) or value not in choices:
        raise FieldError(name, _l("must be one of: %(v)s", v=", ".join(choices)))
    return value


def parse_translate(data) -> tuple[str, str, str, object, str | None]:
    """(from, to, kind, body, model) of a translate call; FieldError names a bad field."""
    source, target = one_of(data, "from", FORMATS), one_of(data, "to", FORMATS)
    kind = one_of(data, "kind", KINDS, default="request")
    body = data.get("body")
    if body is None or (kind == "stream" and not isinstance(body, str)):
        raise FieldError(
            "body", _l("is required (text, or a JSON object for a request or a response)")
        )
    model = data.get("model") if isinstance(data.get("model"), str) else None
    return source, target, kind, body, (model or "").strip() or None


def translate_fields(data) -> Result:
    """The translation a translate call's fields ask for; FieldError or InputError say what
    is wrong with them."""
    try:
        return translate(*parse_translate(data))
    except RecursionError:  # pasted JSON nested deeper than Python's parser or walkers go
        raise InputError(str(_l("The input is nested too deeply to translate."))) from None


def parse_chat(data) -> ChatRequest:
    """The chat tester's request; FieldError names a bad field."""
    model = data.get("model")
    if not isinstance(model, str) or not 1 <= len(model.strip()) <= MAX_MODEL:
        raise FieldError("model", _l("must be 1 to %(n)d characters", n=MAX_MODEL))
    fmt = one_of(data, "format", FORMATS, default="openai")
    body = data.get("body")
    if body is not None and not isinstance(body, dict):
        raise FieldError("body", _l("must be a JSON object in the chosen format"))
    message, system = data.get("message") or "", data.get("system") or ""
    if body is None and (not isinstance(message, str) or not message.strip()):
        raise FieldError("message", _l("is required"))
    for name, text in (("message", message), ("system", system)):
        if not isinstance(text, str) or len(text) > MAX_MESSAGE:
            raise FieldError(name, _l("must be text of at most %(n)d characters", n=MAX_MESSAGE))
    stream = data.get("stream", True)
    if not isinstance(stream, bool):
        raise FieldError("stream", _l("must be true or false"))
    limit = data.get("maxTokens")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise FieldError("maxTokens", _l("must be a positive whole number"))
    return ChatRequest(model.strip(), fmt, message, system, stream, limit, body)


def input_error(error: InputError):
    """400 naming where the input is broken."""
    return json_error(
        400,
        error.message,
        "invalid_request_error",
        "invalid_input",
        param="body",
        **error.location(),
    )


def _json_body():
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


@bp.post("/translator/translate")
def translate_body():
    data = _json_body()
    if data is None:
        return json_error(
            400, "the request body must be a JSON object", "invalid_request_error", "invalid_json"
        )
    try:
        result = translate_fields(data)
    except FieldError as error:
        return field_error(error.field, error.message)
    except InputError as error:
        return input_error(error)
    return jsonify(
        {"translated": result.translated, "diff": result.diff, "warnings": result.warnings}
    )


@bp.post("/translator/send")
def send_chat():
    try:
        chat = parse_chat(_json_body() or {})
    except FieldError as error:
        return field_error(error.field, error.message)
    gone = request.environ.get("waitress.client_disconnected")
    run = ChatRun(services(), chat, gone)
    if "text/event-stream" not in request.headers.get("Accept", ""):
        return jsonify(run_to_end(run))

    def events():
        yield b": ok\n\n"
        try:
            for name, payload in run.events():
                yield sse_event(name, json.dumps(payload, ensure_ascii=False, default=str))
        except Exception as error:  # a bug must still end the page's view cleanly
            log.exception("chat tester failed")
            yield sse_event("error", json.dumps({"message": f"{type(error).__name__}: {error}"}))

    return Response(
        events(), mimetype="text/event-stream", headers=SSE_HEADERS, direct_passthrough=True
    )


@bp.post("/translator/bench")
def run_bench():
    data = _json_body() or {}
    if data.get("live"):
        model = data.get("model")
        if not isinstance(model, str) or not model.strip():
            return field_error("model", _l("is required for a live run"))
        checks = bench.run_live(services(), model.strip())
    else:
        checks = bench.run_offline()
    failed = [check for check in checks if not check.ok]
    return jsonify(
        {
            "checks": [check.as_json() for check in checks],
            "passed": len(checks) - len(failed),
            "failed": len(failed),
        }
    )


def monitor_filters(args) -> dict[str, str]:
    return {key: args.get(key, "").strip() for key in FILTER_KEYS if args.get(key, "").strip()}


@bp.get("/translator/stream")
def monitor_stream():
    monitor = services().pipeline.monitor
    if monitor.subscriber_count >= monitor.max_subscribers:
        return json_error(503, "too many open monitor feeds", "service_unavailable", "busy")
    gone = request.environ.get("waitress.client_disconnected")
    stream = feed(monitor, json_event, monitor_filters(request.args), gone)
    return Response(
        stream, mimetype="text/event-stream", headers=SSE_HEADERS, direct_passthrough=True
    )


@bp.get("/translator/events")
def recent_events():
    return jsonify({"data": services().pipeline.monitor.recent()})


@bp.get("/translator/events/<int:seq>")
def event_detail(seq: int):
    event = services().pipeline.monitor.find(seq)
    if event is None:
        return json_error(
            404,
            f"no monitor event {seq} (only recent events are kept)",
            "invalid_request_error",
            "not_found",
        )
    return jsonify(event)


@bp.get("/translator/examples")
def list_examples():
    return jsonify({"data": [vars(example) for example in examples.list_examples()]})


@bp.get("/translator/examples/<path:example_id>")
def get_example(example_id: str):
    found = examples.load(example_id)
    if found is None:
        return json_error(404, f"no example {example_id}", "invalid_request_error", "not_found")
    fmt, kind, text = found
    return jsonify({"id": example_id, "format": fmt, "kind": kind, "body": text})
