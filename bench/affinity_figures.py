"""Session affinity (issue 17): what the affinity lookup adds to a request, side by side with the
plain path.

Measured in this process, on the gateway's own code (no sockets: the figure is a few
microseconds, far below the noise of an HTTP round trip on a shared machine). Each path does
what the pipeline does for one request up to the upstream call — read the conversation identity
(proxy/conversation_identity.py), plan the attempts (routing/plan.py, three glm accounts under
round-robin) with the pinned account first, and note the account that answered:
- plain:          the pipeline without session affinity;
- off:            affinity switched off in the settings (one options read and one check);
- no identity:    affinity on, a call that names no conversation (one header walk, no lookup);
- X-Session-Id:   affinity on, a conversation pinned by its header;
- Claude Code:    affinity on, the conversation in metadata.user_id of Claude Code's recorded
                  first request (config.CLAUDE_CODE_FIXTURE; the body is already parsed, as the
                  pipeline's Translation holds it);
- full table:     affinity on, a new conversation each request into a table held at its
                  10,000-entry bound (a lookup miss, an insert and an eviction every time).
Each path runs ROUNDS rounds of ITERATIONS requests; the figure is the median round's time per
request. `measure()` returns the results, `render_table(results)` the table.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable

from werkzeug.datastructures import EnvironHeaders

from bench import config
from bench.table import num, versus_plain
from omniroute.providers.accounts import ActiveConnection
from omniroute.proxy.conversation_identity import affinity_identity
from omniroute.proxy.pipeline import Pipeline
from omniroute.routing.affinity import DEFAULT_MAX_ENTRIES, AffinityOptions, SessionAffinity
from omniroute.routing.policy import RoutingPolicy
from omniroute.routing.table import RoutingTable, build_routing_table

HEADING = "session affinity (issue 17)"
MODEL = "glm/glm-4.7"
KEY_ID = 1
ROUNDS = 15
ITERATIONS = 2000
PATHS = (
    ("plain", "plain path (no session affinity)"),
    ("off", "affinity switched off (Settings), X-Session-Id sent"),
    ("no_identity", "affinity on, no conversation identity"),
    ("header", "affinity lookup, X-Session-Id header"),
    ("claude_code", "affinity lookup, Claude Code metadata.user_id"),
    ("full_table", f"affinity lookup, new conversation, table full ({DEFAULT_MAX_ENTRIES:,})"),
)


class _Fixed:
    """A SnapshotCache stand-in holding one value."""

    def __init__(self, value):
        self.value = value

    def snapshot(self):
        return self.value

    def invalidate(self) -> None:
        return None


def _table() -> RoutingTable:
    accounts = [
        ActiveConnection(number, "glm", f"glm {number}", f"sk-glm-{number}", None, number)
        for number in (1, 2, 3)
    ]
    return build_routing_table(accounts, policy=RoutingPolicy(routing_strategy="round-robin"))


def _pipeline(affinity: SessionAffinity | None) -> Pipeline:
    return Pipeline(_Fixed(_table()), client=None, usage=None, affinity=affinity)  # type: ignore[arg-type]


def _headers(fields: dict[str, str]) -> EnvironHeaders:
    """Request headers as the /v1 handlers hand them over (read from the WSGI environ)."""
    environ = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in fields.items()}
    return EnvironHeaders(environ)


def _request(pipeline: Pipeline, headers: EnvironHeaders, body: dict) -> Callable[[], None]:
    """One request's affinity work and planning, as Pipeline.handle and Pipeline.send do it."""
    affinity = pipeline.affinity

    def run() -> None:
        identity = None if affinity is None else affinity_identity(affinity, headers, body)
        attempts, _ = pipeline.plan(MODEL, key_id=KEY_ID, identity=identity)
        if identity is not None and affinity is not None:
            affinity.answered((identity, KEY_ID, MODEL), attempts[0])

    return run


def _claude_code_call() -> tuple[EnvironHeaders, dict]:
    path = os.path.normpath(config.CLAUDE_CODE_FIXTURE)
    with open(path, encoding="utf-8") as handle:
        record = json.load(handle)[0]
    return _headers(record["headers"]), record["body"]


class _NewConversations:
    """Headers naming a new conversation on every read of X-Session-Id."""

    def __init__(self):
        self.number = 0

    def get(self, name: str, default=None):
        if name.lower() != "x-session-id":
            return default
        self.number += 1
        return f"conversation-{self.number}"


def _median_us(run: Callable[[], None]) -> float:
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter_ns()
        for _ in range(ITERATIONS):
            run()
        rounds.append((time.perf_counter_ns() - started) / ITERATIONS / 1000)
    return statistics.median(rounds)


def measure() -> dict:
    """{path: {"us_per_request": median µs}} for every path in PATHS."""
    chat = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    cc_headers, cc_body = _claude_code_call()
    full = SessionAffinity(_Fixed(AffinityOptions()))
    filler = _request(_pipeline(full), _NewConversations(), chat)  # type: ignore[arg-type]
    for _ in range(DEFAULT_MAX_ENTRIES):
        filler()
    runs = {
        "plain": _request(_pipeline(None), _headers({}), chat),
        "off": _request(
            _pipeline(SessionAffinity(_Fixed(AffinityOptions(enabled=False)))),
            _headers({"X-Session-Id": "conversation-1"}),
            chat,
        ),
        "no_identity": _request(
            _pipeline(SessionAffinity(_Fixed(AffinityOptions()))), _headers({}), chat
        ),
        "header": _request(
            _pipeline(SessionAffinity(_Fixed(AffinityOptions()))),
            _headers({"X-Session-Id": "conversation-1"}),
            chat,
        ),
        "claude_code": _request(
            _pipeline(SessionAffinity(_Fixed(AffinityOptions()))), cc_headers, cc_body
        ),
        "full_table": filler,
    }
    return {name: {"us_per_request": _median_us(run)} for name, run in runs.items()}


def render_table(results: dict) -> str:
    """The side-by-side table of `results["affinity"]` (what measure() returned)."""
    heading = (
        f"{HEADING}: in-process, identity + planning (3 accounts, round-robin) + noting the "
        f"answer, median of {ROUNDS} rounds of {ITERATIONS:,} requests"
    )
    table = versus_plain(
        results,
        "affinity",
        PATHS,
        "us_per_request",
        lambda value: num(value, unit=" µs"),
        lambda added: num(added, "{:+.2f}", " µs"),
    )
    return heading + "\n" + table


if __name__ == "__main__":
    print(render_table({"affinity": measure()}))
