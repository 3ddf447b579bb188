"""The test bench: every case over every format pair, offline (the translator alone) or live.

Offline, a case is written in the source format, translated exactly as the playground does and
read back in the target format; its facts must match what the hop is documented to keep. Live,
each request case is sent in each client format through the gateway to a chosen model (the chat
tester's capturing pipeline) and must come back as a valid answer in that format.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..formats import canonical as c
from ..formats.registry import FORMATS
from .bench_cases import CASES, Case, expected, facts
from .playground import parse_request, translate
from .source_text import InputError
from .streams import assemble, response_events

BENCH_MODEL = "bench-model"


@dataclass
class Check:
    case: str
    source: str
    target: str
    ok: bool
    detail: str = ""
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return dataclasses.asdict(self)


def pairs() -> list[tuple[str, str]]:
    return [(source, target) for source in FORMATS for target in FORMATS]


def write(case: Case, fmt: str) -> str:
    """The case in `fmt`'s wire format, as text (JSON, or an SSE transcript)."""
    wire, value = FORMATS[fmt], case.value
    if isinstance(value, c.Request):  # a request case
        return json.dumps(wire.build_request(value), indent=2)
    if case.kind == "response":
        return json.dumps(wire.build_response(value), indent=2)
    # a stream case holds the answer it streams
    encoder = wire.stream_encoder(_stream_request())
    raw = b"".join(encoder.encode(event) for event in response_events(value))
    return (raw + encoder.close()).decode("utf-8")


def read(case: Case, fmt: str, translated) -> c.Request | c.Response:
    """The translated case read back by `fmt`'s parser."""
    wire = FORMATS[fmt]
    if case.kind == "request":
        return parse_request(fmt, translated, BENCH_MODEL)
    if case.kind == "response":
        return wire.parse_response(translated)
    decoder = wire.stream_decoder()
    events = decoder.feed(translated.encode("utf-8")) + decoder.close()
    return assemble(events)


def _stream_request() -> c.Request:
    return c.Request(model=BENCH_MODEL, messages=(), stream=True, include_usage=True)


def run_case(case: Case, source: str, target: str) -> Check:
    wanted, notes = expected(case, source, target)
    try:
        result = translate(source, target, case.kind, write(case, source), BENCH_MODEL)
        got = facts(read(case, target, result.translated))
    except InputError as error:
        return Check(case.id, source, target, False, error.message, notes)
    except Exception as error:  # a crash is a failed check, shown with its cause
        return Check(case.id, source, target, False, f"{type(error).__name__}: {error}", notes)
    wrong = [
        _(
            "%(key)s: expected %(want)s, got %(got)s",
            key=key,
            want=_show(wanted[key]),
            got=_show(got.get(key)),
        )
        for key in wanted
        if got.get(key) != wanted[key]
    ]
    return Check(case.id, source, target, not wrong, "; ".join(wrong), notes)


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "…"


def run_offline(cases: list[Case] | None = None) -> list[Check]:
    return [run_case(case, s, t) for case in cases or CASES for s, t in pairs()]


def matrix(checks: list[Check], live: bool = False) -> dict:
    """The page's table: {case id: {column: check}} with columns "source→target" (offline) or
    the client format (live), the columns in order, and the totals."""
    rows: dict[str, dict[str, Check]] = {}
    columns: dict[str, None] = {}
    for check in checks:
        column = check.source if live else f"{check.source}→{check.target}"
        rows.setdefault(check.case, {})[column] = check
        columns[column] = None
    failed = [check for check in checks if not check.ok]
    return {
        "rows": rows,
        "columns": list(columns),
        "passed": len(checks) - len(failed),
        "failed": failed,
    }


def run_live(services, model: str, cases: list[Case] | None = None) -> list[Check]:
    """Each request case in each client format, sent through the gateway to `model`."""
    chosen = [case for case in cases or CASES if case.kind == "request"]
    jobs = [(case, fmt) for case in chosen for fmt in FORMATS]
    return services.fanout.map(lambda job: _live_check(services, model, *job), jobs)


def _live_check(services, model: str, case: Case, fmt: str) -> Check:
    from .chat import ChatRequest, ChatRun, run_to_end

    assert isinstance(case.value, c.Request)  # only request cases run live
    request = dataclasses.replace(case.value, model=model, stream=False)
    body = FORMATS[fmt].build_request(request)
    cycle = run_to_end(ChatRun(services, ChatRequest(model, fmt, stream=False, body=body)))
    routing = cycle["routing"]
    target = routing.get("provider") or "—"
    if cycle["status"] != 200:
        return Check(case.id, fmt, target, False, f"{cycle['status']}: {routing.get('error')}")
    try:
        answer = FORMATS[fmt].parse_response(json.loads(cycle["response"]))
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        return Check(case.id, fmt, target, False, _("not a valid answer: %(e)s", e=error))
    said = facts(answer)
    if not said["text"] and not said["tool_calls"]:
        return Check(case.id, fmt, target, False, _("the answer has no text and no tool call"))
    text = " ".join(t for _, t in said["text"]) or json.dumps(said["tool_calls"])
    return Check(case.id, fmt, target, True, text[:200])
