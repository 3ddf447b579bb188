"""Dashboard page /translator: four tabs — Playground, Chat Tester, Test Bench, Live Monitor.

Every tab is a full page that works without JavaScript (plain GET/POST forms); with htmx the
same URLs return only the fragment that changed (the playground's output as you type, the
bench's matrix, the monitor's list and a request's detail). The chat tester streams the cycle
live with static/js/translator.js; without JavaScript its form returns the finished cycle. The
monitor's list grows through the htmx SSE extension from /translator/monitor/stream.
"""

from __future__ import annotations

from itertools import groupby

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import lazy_gettext as _l

from ...store.request_logs import request_log
from ...translator import bench, examples
from ...translator.bench_cases import CASE_BY_ID
from ...translator.chat import ChatRun, run_to_end
from ...translator.feed import feed, matches, sse_event
from ...translator.playground import KINDS
from ...translator.reasons import FORMAT_LABELS
from ...translator.source_text import InputError
from ..combos.pages import model_suggestions
from ..dashboard.pages import is_fragment_request
from ..field_labels import field_label
from ..providers.connection_form import FieldError
from .api import SSE_HEADERS, monitor_filters, parse_chat, translate_fields
from .input_errors import in_readers_language

bp = Blueprint("translator", __name__, url_prefix="/translator")
TABS = ("playground", "chat", "bench", "monitor")
SNIPPET_SIDE = 60  # characters shown either side of an error's column
SHORT_NAMES = {"openai": "Chat", "anthropic": "Msgs", "responses": "Resp", "gemini": "Gem"}
PLAYGROUND_LABELS = {"from": _l("From"), "to": _l("To"), "kind": _l("What"), "body": _l("Input")}
CHANGE_LABELS = {
    "renamed": _l("renamed"),
    "restructured": _l("restructured"),
    "dropped": _l("dropped"),
    "added": _l("added"),
}


def services():
    return current_app.extensions["omniroute"]


def _render(tab: str, fragment: str, status: int = 200, **context):
    """The tab's fragment for htmx, else the whole page with the tab open."""
    context = {
        "formats": FORMAT_LABELS,
        "kinds": KINDS,
        "tab": tab,
        "change_labels": CHANGE_LABELS,
        "short_names": SHORT_NAMES,
        **context,
    }
    if is_fragment_request():
        return render_template(f"partials/translator/{fragment}.html", **context), 200
    return render_template("translator/index.html", **context), status


# -- playground --------------------------------------------------------------------------


def _playground(form: dict, status: int = 200, fragment: str = "playground"):
    result, error = None, None
    if form.get("body", "").strip():
        try:
            result = translate_fields(form)
        except FieldError as failed:
            error, status = InputError(f"{playground_label(failed.field)}: {failed.message}"), 400
        except InputError as failed:
            error, status = in_readers_language(failed), 400
    return _render(
        "playground",
        fragment,
        status,
        form=form,
        result=result,
        error=error,
        examples=examples.list_examples(),
        source_line=_line(form, error),
    )


def playground_label(field: str) -> str:
    """The playground's label of a field an error names (`from` is "From", `body` "Input")."""
    label = PLAYGROUND_LABELS.get(field)
    return str(label) if label is not None else field_label(field)


def _line(form: dict, error: InputError | None) -> dict | None:
    """The input line an error points at (a window of it, for long lines) and the caret."""
    if error is None or not error.line:
        return None
    lines = form.get("body", "").replace("\r\n", "\n").split("\n")
    if error.line > len(lines):
        return None
    text, column = lines[error.line - 1], max(1, error.column or 1)
    start = max(0, column - 1 - SNIPPET_SIDE)
    snippet = text[start : column - 1 + SNIPPET_SIDE]
    return {"text": snippet, "caret": " " * (column - 1 - start) + "^"}


@bp.get("")
def index():
    form = {"from": "openai", "to": "anthropic", "kind": "request", "body": "", "model": ""}
    found = examples.load(request.args.get("example", ""))
    if found is not None:
        fmt, kind, text = found
        target = "anthropic" if fmt == "openai" else "openai"
        form.update(
            {
                "from": fmt,
                "to": target,
                "kind": kind,
                "body": text,
                "example": request.args["example"],
            }
        )
    return _playground(form)


@bp.post("/playground")
def playground():
    form = {key: request.form.get(key, "") for key in ("from", "to", "kind", "body", "model")}
    fragment = "playground_output" if is_fragment_request() else "playground"
    return _playground(form, fragment=fragment)


# -- chat tester ---------------------------------------------------------------------------


@bp.get("/chat")
def chat():
    form = {"format": "openai", "stream": True, "message": "", "system": "", "model": ""}
    return _render("chat", "chat", form=form, cycle=None, suggestions=model_suggestions())


@bp.post("/chat")
def chat_send():
    """Without JavaScript: run the chat to the end and show the whole cycle."""
    form: dict[str, str | bool] = {
        key: request.form.get(key, "") for key in ("model", "format", "message", "system")
    }
    form["stream"] = bool(request.form.get("stream"))
    try:
        chat_request = parse_chat(form)
    except FieldError as error:
        return _render(
            "chat",
            "chat",
            400,
            form=form,
            cycle=None,
            field_error=error,
            suggestions=model_suggestions(),
        )
    cycle = run_to_end(ChatRun(services(), chat_request))
    return _render("chat", "chat", form=form, cycle=cycle, suggestions=model_suggestions())


# -- test bench ----------------------------------------------------------------------------


@bp.get("/bench")
def bench_page():
    return _render(
        "bench", "bench", checks=None, live=False, model="", suggestions=model_suggestions()
    )


@bp.post("/bench")
def bench_run():
    live, model = bool(request.form.get("live")), request.form.get("model", "").strip()
    if live and not model:
        return _render(
            "bench",
            "bench",
            400,
            checks=None,
            live=True,
            model="",
            model_error=True,
            suggestions=model_suggestions(),
        )
    checks = bench.run_live(services(), model) if live else bench.run_offline()
    fragment = "bench_matrix" if is_fragment_request() else "bench"
    table = bench.matrix(checks, live)
    return _render(
        "bench",
        fragment,
        checks=checks,
        table=table,
        groups=None if live else column_groups(table["columns"]),
        live=live,
        model=model,
        cases=CASE_BY_ID,
        pairs=bench.pairs(),
        suggestions=model_suggestions(),
    )


def column_groups(columns: list[str]) -> list[tuple[str, int]]:
    """The offline grid's header groups: each source format with how many targets follow it
    ("openai→openai", "openai→anthropic", … → [("openai", 4), …]), in the columns' order."""
    sources = [column.split("→")[0] for column in columns]
    return [(source, len(list(run))) for source, run in groupby(sources)]


# -- live monitor --------------------------------------------------------------------------


def _providers() -> list[str]:
    table = services().routes.snapshot()
    return sorted({route.spec.id for route in table.usable_routes()})


@bp.get("/monitor")
def monitor():
    filters = monitor_filters(request.args)
    monitor = services().pipeline.monitor
    recent = [event for event in monitor.recent() if matches(event, filters)]
    return _render(
        "monitor",
        "monitor",
        filters=filters,
        events=recent,
        providers=_providers(),
        full=monitor.subscriber_count >= monitor.max_subscribers,
    )


@bp.get("/monitor/stream")
def monitor_stream():
    """SSE for the page: each finished request as a rendered table row (event `row`)."""
    monitor = services().pipeline.monitor
    gone = request.environ.get("waitress.client_disconnected")
    database = services().database
    if not database.is_closed():
        database.close()  # the feed may stay open for hours: hold no database connection

    def render(event: dict) -> bytes:
        html = render_template("partials/translator/monitor_row.html", event=event)
        return sse_event("row", html.strip())

    stream = feed(monitor, render, monitor_filters(request.args), gone)
    return Response(
        stream_with_context(stream),
        mimetype="text/event-stream",
        headers=SSE_HEADERS,
        direct_passthrough=True,
    )


@bp.get("/monitor/<int:seq>")
def monitor_detail(seq: int):
    """One request's detail: beside the list for htmx, or on the monitor tab."""
    monitor = services().pipeline.monitor
    selected = monitor.find(seq)
    if selected is None:
        abort(404)
    return _render(
        "monitor",
        "monitor_detail",
        selected=selected,
        request_logs=services().settings["ENABLE_REQUEST_LOGS"],
        bodies=request_log(selected["request_id"]) if selected.get("request_id") else None,
        filters={},
        events=monitor.recent(),
        providers=_providers(),
        full=False,
    )


@bp.app_template_filter("format_label")
def format_label(fmt: str | None) -> str:
    return str(FORMAT_LABELS.get(fmt or "", fmt or "—"))
