"""The translator's API and machinery: /api/translator/translate for every format pair and kind,
broken input located, the Test Bench cases over every pair, the live monitor's SSE feed, and the
chat tester against the fake upstream (keys redacted, streaming, the attempt chain).

A real gateway (waitress) and the real fake upstream; the monitor is read with a real SSE client.
"""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from omniroute.formats import canonical as c
from omniroute.formats.registry import FORMATS
from omniroute.translator import bench
from omniroute.translator.bench_cases import CASE_BY_ID, CASES, Case, expected, facts
from omniroute.translator.capture import redact_headers, redact_url
from omniroute.translator.diff import diff, general
from tests.fake_upstream import Behavior
from tests.fakes import probe
from tests.gateway_harness import start_gateway

PAIRS = [(s, t) for s in FORMATS for t in FORMATS]
KIND_CASES = {"request": "tools", "response": "answer-usage", "stream": "answer-thinking-stream"}
CHANGES = {"renamed", "restructured", "dropped", "added"}
UPSTREAM_KEY = "sk-upstream-secret-7Q2w"


@pytest.fixture(scope="module")
def shared_gateway(tmp_path_factory):
    """One gateway for the API tests that need no fresh state."""
    running = start_gateway(str(tmp_path_factory.mktemp("translator") / "data"))
    yield running
    running.stop()


def translate(gateway, **body) -> requests.Response:
    return gateway.admin().post(gateway.url + "/api/translator/translate", json=body)


# -- translate: every pair, every kind --------------------------------------------------------


@pytest.mark.parametrize("kind", list(KIND_CASES))
@pytest.mark.parametrize("source, target", PAIRS, ids=[f"{s}-to-{t}" for s, t in PAIRS])
def test_translate_every_pair_and_kind(shared_gateway, source, target, kind):
    case = CASE_BY_ID[KIND_CASES[kind]]
    text = bench.write(case, source)
    response = translate(
        shared_gateway, **{"from": source, "to": target, "kind": kind, "body": text}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"translated", "diff", "warnings"}
    got = facts(bench.read(case, target, answer["translated"]))
    wanted, _ = expected(case, source, target)
    assert got == wanted
    for entry in answer["diff"]:
        assert entry["change"] in CHANGES and entry["path"] and entry["detail"], entry
        assert ("to" in entry) == (entry["change"] in ("renamed", "restructured"))
    if source == target:  # passthrough: forwarded untouched
        original = text if kind == "stream" else json.loads(text)
        assert answer["translated"] == original and answer["diff"] == []
        assert any("Same format" in warning for warning in answer["warnings"])
    else:
        assert answer["diff"], "a cross-format translation always changes something"


def test_translate_explains_what_was_renamed_restructured_dropped_and_added(shared_gateway):
    body = {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hi"},
        ],
        "max_tokens": 100,
        "stream": True,
        "logit_bias": {"50256": -100},
    }
    to_gemini = translate(shared_gateway, **{"from": "openai", "to": "gemini", "body": body}).json()
    by_path = {(e["path"], e["change"]): e for e in to_gemini["diff"]}
    assert by_path[("max_tokens", "restructured")]["to"] == "generationConfig.maxOutputTokens"
    moved = {e["to"] for e in to_gemini["diff"] if e["path"] == "messages[*].content"}
    assert moved == {"systemInstruction.parts[*].text", "contents[*].parts[*].text"}
    assert "URL" in by_path[("model", "dropped")]["detail"]
    assert "streaming" in by_path[("stream", "dropped")]["detail"]
    assert ("logit_bias", "dropped") in by_path
    assert any("streamGenerateContent" in w for w in to_gemini["warnings"])

    to_responses = translate(
        shared_gateway, **{"from": "openai", "to": "responses", "body": body}
    ).json()
    renamed = [e for e in to_responses["diff"] if e["change"] == "renamed"]
    assert {"path": "max_tokens", "to": "max_output_tokens"}.items() <= renamed[0].items()

    to_anthropic = translate(
        shared_gateway,
        **{"from": "openai", "to": "anthropic", "body": {**body, "max_tokens": None}},
    ).json()
    added = {e["path"]: e for e in to_anthropic["diff"] if e["change"] == "added"}
    assert "max_tokens" in added and "4096" in added["max_tokens"]["detail"]


def test_response_translation_maps_values_and_usage(shared_gateway):
    answer = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hi!"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
    }
    result = translate(
        shared_gateway,
        **{"from": "openai", "to": "anthropic", "kind": "response", "body": answer},
    ).json()
    assert result["translated"]["stop_reason"] == "end_turn"
    assert result["translated"]["usage"]["input_tokens"] == 12
    finish = next(e for e in result["diff"] if e["path"] == "choices[*].finish_reason")
    assert finish["change"] == "renamed" and finish["to"] == "stop_reason"
    assert '"end_turn"' in finish["detail"] and '"stop"' in finish["detail"]


def test_stream_translation_says_which_events_became_what(shared_gateway):
    text = bench.write(CASE_BY_ID["answer-usage-stream"], "anthropic")
    result = translate(
        shared_gateway,
        **{"from": "anthropic", "to": "openai", "kind": "stream", "body": text},
    ).json()
    assert result["translated"].rstrip().endswith("data: [DONE]")
    by_path = {e["path"]: e for e in result["diff"]}
    assert by_path["content_block_delta"]["change"] == "restructured"
    assert "chat.completion.chunk" in by_path["content_block_delta"]["to"]
    assert "[DONE]" in by_path["message_stop"]["to"]
    assert by_path["ping"]["change"] == "dropped" if "ping" in by_path else True

    cut = text[: text.index("event: message_delta")]  # the stream broke off
    ended = translate(
        shared_gateway,
        **{"from": "anthropic", "to": "openai", "kind": "stream", "body": cut},
    ).json()
    assert {e["path"]: e["change"] for e in ended["diff"]}["[DONE]"] == "added"


# -- bad input is a 400 that says where ------------------------------------------------------


def test_invalid_json_is_a_400_with_line_and_column(shared_gateway):
    broken = '{\n  "model": "x",\n  "messages": [}\n}'
    response = translate(shared_gateway, **{"from": "openai", "to": "gemini", "body": broken})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["line"], error["column"]) == (3, 16)  # the "}"
    assert error["param"] == "body" and "JSON" in error["message"]


def test_broken_sse_event_is_located_in_the_transcript(shared_gateway):
    transcript = 'event: message_start\ndata: {"type": "message_start"}\n\ndata: {"oops": tru}\n\n'
    response = translate(
        shared_gateway,
        **{"from": "anthropic", "to": "openai", "kind": "stream", "body": transcript},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["line"], error["column"]) == (4, 16)


def test_a_body_the_format_refuses_names_the_field(shared_gateway):
    response = translate(
        shared_gateway, **{"from": "openai", "to": "anthropic", "body": {"model": "x"}}
    )
    assert response.status_code == 400
    assert response.json()["error"]["path"] == "messages"
    garbage = translate(
        shared_gateway,
        **{"from": "openai", "to": "gemini", "kind": "response", "body": {"choices": [5]}},
    )
    assert garbage.status_code == 400 and "OpenAI Chat" in garbage.json()["error"]["message"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"from": "cohere", "to": "openai", "body": "{}"}, "from"),
        ({"from": "openai", "to": "x", "body": "{}"}, "to"),
        ({"from": "openai", "to": "gemini", "kind": "poem", "body": "{}"}, "kind"),
        ({"from": "openai", "to": "gemini"}, "body"),
        ({"from": "openai", "to": "gemini", "kind": "stream", "body": {"a": 1}}, "body"),
    ],
)
def test_bad_fields_are_named(shared_gateway, body, field):
    response = translate(shared_gateway, **body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == field


def test_empty_and_non_object_bodies_are_400s(shared_gateway):
    for text in ("", "   ", "[1, 2]", '"text"'):
        response = translate(shared_gateway, **{"from": "openai", "to": "anthropic", "body": text})
        assert response.status_code == 400, text
        assert response.json()["error"]["line"] == 1
    raw = shared_gateway.admin().post(
        shared_gateway.url + "/api/translator/translate", data=b"{not json"
    )
    assert raw.status_code == 400 and raw.json()["error"]["code"] == "invalid_json"


def test_the_api_needs_a_login_and_the_csrf_header(shared_gateway):
    url = shared_gateway.url + "/api/translator/translate"
    body = {"from": "openai", "to": "anthropic", "body": "{}"}
    anonymous = requests.post(url, json=body)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    assert requests.get(shared_gateway.url + "/api/translator/stream").status_code == 401
    session = shared_gateway.admin(fresh=True)
    del session.headers["X-CSRFToken"]
    refused = session.post(url, json=body)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "csrf_failed"


# -- the test bench --------------------------------------------------------------------------


@pytest.mark.parametrize("source, target", PAIRS, ids=[f"{s}-to-{t}" for s, t in PAIRS])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bench_case(case, source, target):
    check = bench.run_case(case, source, target)
    assert check.ok, check.detail


def test_bench_cases_cover_what_the_issue_lists():
    kinds = {case.id for case in CASES}
    for wanted in ("text", "system", "multi-turn", "tools", "thinking", "image", "answer-usage"):
        assert wanted in kinds
    assert {case.kind for case in CASES} == {"request", "response", "stream"}
    thinking = facts(CASE_BY_ID["thinking"].value)
    assert thinking["signatures"] == ["sig-bench-1"]  # the case really carries a signature
    kept, _ = expected(CASE_BY_ID["thinking"], "gemini", "gemini")
    lost, notes = expected(CASE_BY_ID["thinking"], "anthropic", "openai")
    assert kept["signatures"] == ["sig-bench-1"] and lost["signatures"] == [] and notes
    # a request takes a signature only to the provider that issued it; an answer carries it to a
    # client of any format that has a place for it (wrapped, to be given back to its issuer)
    foreign, notes = expected(CASE_BY_ID["thinking"], "anthropic", "gemini")
    assert foreign["signatures"] == [] and notes
    carried, _ = expected(CASE_BY_ID["answer-thinking"], "anthropic", "gemini")
    assert carried["signatures"] == ["sig-bench-2"]


def test_a_case_that_cannot_be_translated_fails_with_its_reason():
    empty = Case("empty", "no messages", "request", c.Request(model="m", messages=()))
    check = bench.run_case(empty, "openai", "anthropic")
    assert not check.ok and "messages" in check.detail


def test_bench_api_offline_is_all_green(shared_gateway):
    response = shared_gateway.admin().post(shared_gateway.url + "/api/translator/bench", json={})
    assert response.status_code == 200
    result = response.json()
    assert result["failed"] == 0 and result["passed"] == len(CASES) * len(PAIRS)


def test_bench_api_live_runs_every_request_case_in_every_client_format(connected, upstream):
    with connected.admin() as session:
        missing = session.post(connected.url + "/api/translator/bench", json={"live": True})
        assert missing.status_code == 400 and missing.json()["error"]["param"] == "model"
        response = session.post(
            connected.url + "/api/translator/bench",
            json={"live": True, "model": "openai/gpt-4o-mini"},
        )
    result = response.json()
    request_cases = [case for case in CASES if case.kind == "request"]
    assert result["failed"] == 0, [c for c in result["checks"] if not c["ok"]]
    assert result["passed"] == len(request_cases) * len(FORMATS)
    tools = [c for c in result["checks"] if c["case"] == "tools"]
    assert all("tool said: sunny, 21C" in c["detail"] for c in tools)
    assert len(upstream.chat_requests()) == result["passed"]


# -- the diff on its own ---------------------------------------------------------------------


def test_diff_groups_repeated_changes_and_generalises_paths():
    source = {"tools": [{"function": {"name": f"t{i}", "x": i}} for i in range(3)], "junk": 1}
    target = {"tools": [{"name": f"t{i}"} for i in range(3)]}
    changes = {
        (c.change, general(c.source), general(c.target)): c.count for c in diff(source, target)
    }
    assert changes[("restructured", "tools[*].function.name", "tools[*].name")] == 3
    assert changes[("dropped", "tools[*].function.x", "")] == 3
    assert changes[("dropped", "junk", "")] == 1


# -- the live monitor ------------------------------------------------------------------------


class SSEReader:
    """A real SSE client (http.client) reading on a background thread: parsed events land in
    `events`; `close()` hangs up the way a browser closing the tab does."""

    def __init__(self, url: str, session: requests.Session):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.connection.request("GET", path, headers={"Cookie": cookies})
        self.sock = self.connection.sock  # kept: the response may take the connection over
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.events: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        name, data = None, []
        try:
            while line := self.response.readline():
                line = line.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif not line and data:
                    self.events.put((name, "\n".join(data)))
                    name, data = None, []
        except (OSError, ValueError):  # closed by the test
            pass

    def next(self, timeout: float = 10.0):
        return self.events.get(timeout=timeout)

    def close(self):
        self.sock.shutdown(socket.SHUT_RDWR)
        self.thread.join(5)
        self.connection.close()


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def chat(gateway, text: str = "hello there", model: str = "openai/gpt-4o-mini", **extra):
    return requests.post(
        gateway.v1 + "/chat/completions",
        json={"model": model, "messages": [{"role": "user", "content": text}], **extra},
        timeout=30,
    )


def test_monitor_costs_nothing_until_someone_watches(connected):
    monitor = connected.services.pipeline.monitor
    assert monitor.watching is False
    assert chat(connected).status_code == 200
    assert monitor.recent() == []  # nobody watched: nothing was even built


def test_monitor_feed_receives_a_request_made_meanwhile(connected, upstream):
    monitor = connected.services.pipeline.monitor
    session = connected.admin()
    feed = SSEReader(connected.url + "/api/translator/stream", session)
    try:
        assert wait_for(lambda: monitor.watching)
        upstream.add(Behavior(usage=(21, 5)))
        assert chat(connected, stream=True).status_code == 200
        name, data = feed.next()
        event = json.loads(data)
        assert name == "request"
        assert event["requested_model"] == "openai/gpt-4o-mini" and event["model"] == "gpt-4o-mini"
        assert (event["format_in"], event["provider"], event["status"]) == ("openai", "openai", 200)
        assert (event["prompt_tokens"], event["completion_tokens"]) == (21, 5)
        assert event["stream"] is True and event["latency_ms"] > 0
        assert [step["status"] for step in event["attempt_chain"]] == [200]
        listed = session.get(connected.url + "/api/translator/events").json()["data"]
        assert listed[0]["seq"] == event["seq"]
        one = session.get(connected.url + f"/api/translator/events/{event['seq']}")
        assert one.json()["requested_model"] == "openai/gpt-4o-mini"
        assert session.get(connected.url + "/api/translator/events/99999").status_code == 404
    finally:
        feed.close()
    assert wait_for(lambda: monitor.subscriber_count == 0), "the feed ends when its client goes"
    assert monitor.watching is False


def test_monitor_feed_filters_and_counts_fallback_attempts(connected, upstream):
    session = connected.admin()
    errors = SSEReader(connected.url + "/api/translator/stream?status=error", session)
    anthropic = SSEReader(connected.url + "/api/translator/stream?format=anthropic", session)
    try:
        monitor = connected.services.pipeline.monitor
        assert wait_for(lambda: monitor.subscriber_count == 2)
        assert chat(connected).status_code == 200  # ok, openai: neither feed wants it
        upstream.add(Behavior(status=400, error_message="bad thing"), times=1)
        assert chat(connected).status_code == 400
        event = json.loads(errors.next()[1])
        assert event["status"] == 400 and "bad thing" in event["error"]
        with pytest.raises(queue.Empty):
            anthropic.next(timeout=0.5)
    finally:
        errors.close()
        anthropic.close()


def test_monitor_feed_sends_keep_alives_and_refuses_too_many_watchers(connected, monkeypatch):
    from omniroute.translator import feed as feed_module

    monkeypatch.setattr(feed_module, "KEEPALIVE_SECONDS", 0.2)
    monitor = connected.services.pipeline.monitor
    monitor.max_subscribers = 1
    session = connected.admin()
    response = session.get(connected.url + "/api/translator/stream", stream=True, timeout=10)
    try:
        raw = b""
        for chunk in response.iter_content(chunk_size=None):
            raw += chunk
            if b"keep-alive" in raw:
                break
        assert raw.startswith(b": ok") and b": keep-alive" in raw
        busy = session.get(connected.url + "/api/translator/stream", timeout=10)
        assert busy.status_code == 503 and busy.json()["error"]["code"] == "busy"
    finally:
        response.close()
    assert wait_for(lambda: monitor.subscriber_count == 0)


# -- the chat tester -------------------------------------------------------------------------


def send(gateway, session, stream_view: bool = False, **body) -> requests.Response:
    headers = {"Accept": "text/event-stream"} if stream_view else {}
    return session.post(
        gateway.url + "/api/translator/send", json=body, headers=headers, stream=stream_view
    )


def sse_pairs(response) -> list[tuple[str, dict]]:
    return [(name, data) for name, data in probe.sse_events(response) if name]


def test_chat_tester_records_the_cycle_with_the_key_redacted(gateway, upstream):
    gateway.add_connection(upstream.url, name="work key", apiKey=UPSTREAM_KEY)
    with gateway.admin() as session:
        response = send(
            gateway,
            session,
            model="openai/gpt-4o-mini",
            format="anthropic",
            message="hello there",
            system="Be brief.",
            stream=False,
        )
    assert response.status_code == 200, response.text
    cycle = response.json()
    assert UPSTREAM_KEY not in response.text
    assert cycle["inbound"]["path"] == "/v1/messages"
    assert cycle["inbound"]["body"]["system"] == "Be brief."
    [exchange] = cycle["exchanges"]
    assert exchange["headers"]["Authorization"].startswith("[redacted]")
    assert exchange["url"].endswith("/chat/completions") and exchange["status"] == 200
    assert json.loads(exchange["body"])["messages"][0] == {"role": "system", "content": "Be brief."}
    assert "echo: hello there" in exchange["responseBody"]
    answer = json.loads(cycle["response"])
    assert answer["type"] == "message" and answer["content"][0]["text"] == "echo: hello there"
    routing = cycle["routing"]
    assert (routing["provider"], routing["account"], routing["model"]) == (
        "openai",
        "work key",
        "gpt-4o-mini",
    )
    assert routing["fallbackAttempts"] == 0 and routing["combo"] is None
    sent = upstream.chat_requests()[-1]
    assert sent.api_key == UPSTREAM_KEY  # the provider did get the real key


def test_chat_tester_streams_the_cycle_live(connected, upstream):
    upstream.add(Behavior(chunks=["one", " two", " three"], chunk_interval=0.05))
    with connected.admin() as session:
        response = send(
            connected,
            session,
            stream_view=True,
            model="openai/gpt-4o-mini",
            format="responses",
            message="count",
            stream=True,
        )
        assert response.headers["Content-Type"].startswith("text/event-stream")
        events = sse_pairs(response)
    names = [name for name, _ in events]
    assert names[0] == "inbound" and names[-1] == "done"
    assert names.index("upstream_request") < names.index("upstream_response") < names.index("reply")
    chunks = [data["text"] for name, data in events if name == "response_chunk"]
    assert len(chunks) >= 3, "the client's answer arrives piece by piece"
    client_stream = "".join(chunks)
    assert "response.completed" in client_stream
    deltas = [
        json.loads(line[6:]).get("delta", "")
        for line in client_stream.splitlines()
        if line.startswith("data: ") and "output_text.delta" in line
    ]
    assert "".join(deltas) == "one two three"
    teed = "".join(data["text"] for name, data in events if name == "upstream_chunk")
    assert "chat.completion.chunk" in teed  # the provider's own stream, as it arrived
    assert '"role": "assistant"' in teed.split("\n\n")[0], "from its very first event"
    assert teed.rstrip().endswith("data: [DONE]")
    done = events[-1][1]
    assert done["status"] == 200 and done["routing"]["provider"] == "openai"
    assert done["response"] == client_stream
    assert "sk-test-key-0001" not in json.dumps(events)


def test_chat_tester_shows_the_combo_and_its_fallback_attempts(connected, upstream):
    with connected.admin() as session:
        created = session.post(
            connected.url + "/api/combos",
            json={"name": "safety-net", "models": ["openai/broken-model", "openai/gpt-4o-mini"]},
        )
        assert created.status_code == 201, created.text
        upstream.add(Behavior(status=404, error_message="no such model"), model="broken-model")
        cycle = send(
            connected, session, model="safety-net", format="gemini", message="hi", stream=False
        ).json()
    routing = cycle["routing"]
    assert routing["combo"] == {
        "name": "safety-net",
        "strategy": "priority",
        "targets": ["openai/broken-model", "openai/gpt-4o-mini"],
    }
    assert [step["status"] for step in routing["chain"]] == [404, 200]
    assert routing["fallbackAttempts"] == 1 and routing["model"] == "gpt-4o-mini"
    assert [e["status"] for e in cycle["exchanges"]] == [404, 200]
    assert "no such model" in cycle["exchanges"][0]["responseBody"]
    assert cycle["inbound"]["path"] == "/v1beta/models/safety-net:generateContent"
    assert json.loads(cycle["response"])["candidates"][0]["content"]["parts"][0]["text"]


def test_chat_tester_redacts_gemini_keys(gateway, upstream):
    with gateway.admin() as session:
        node = session.post(
            gateway.url + "/api/provider-nodes",
            json={
                "name": "g",
                "prefix": "gnode",
                "baseUrl": upstream.url,
                "apiType": "gemini",
                "apiKey": "AIzaSecretGeminiKey1234567890",
            },
        )
        assert node.status_code == 201, node.text
        response = send(
            gateway,
            session,
            model="gnode/gemini-2.5-flash",
            format="openai",
            message="hi",
            stream=False,
        )
    assert response.status_code == 200 and "AIzaSecretGeminiKey" not in response.text
    headers = response.json()["exchanges"][0]["headers"]
    assert headers["x-goog-api-key"].startswith("[redacted]")


def test_redaction_helpers():
    assert redact_url("https://h/v1/models/m:generateContent?key=AIzaXYZ&alt=sse") == (
        "https://h/v1/models/m:generateContent?key=[redacted]&alt=sse"
    )
    shown = redact_headers({"x-api-key": "sk-ant-0123456789", "Accept": "x", "X-Token": "abc"})
    assert shown == {"x-api-key": "[redacted] …6789", "Accept": "x", "X-Token": "[redacted]"}


def test_chat_tester_validates_its_fields(shared_gateway):
    for body, field in (
        ({"format": "openai", "message": "hi"}, "model"),
        ({"model": "m", "format": "nope", "message": "hi"}, "format"),
        ({"model": "m", "format": "openai"}, "message"),
        ({"model": "m", "message": "hi", "stream": "yes"}, "stream"),
        ({"model": "m", "message": "hi", "maxTokens": 0}, "maxTokens"),
    ):
        response = send(shared_gateway, shared_gateway.admin(), **body)
        assert response.status_code == 400, body
        assert response.json()["error"]["param"] == field


def test_chat_tester_feeds_the_live_monitor_too(connected):
    session = connected.admin()
    feed = SSEReader(connected.url + "/api/translator/stream", session)
    try:
        monitor = connected.services.pipeline.monitor
        assert wait_for(lambda: monitor.watching)
        send(
            connected,
            session,
            model="openai/gpt-4o-mini",
            format="openai",
            message="hi",
            stream=False,
        )
        event = json.loads(feed.next()[1])
        assert event["endpoint"] == "translator.chat" and event["status"] == 200
    finally:
        feed.close()
