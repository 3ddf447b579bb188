"""The server's log, read from a real gateway: one access line per request (client API, dashboard,
/api, errors, streams when they end), a line for each field a provider cannot take (once per
request however many attempts), LOG_LEVEL and LOG_FORMAT, and never a key, a header value or a
body. The lines are written by the logging that `python app.py` configures
(omniroute.logs.configure), pointed at a buffer; the last test reads a real process's stderr."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable

import pytest
import requests

from omniroute.formats import dropped
from omniroute.logs.access import ACCESS_LOG
from omniroute.logs.configure import OWN_LOGGER, configure_logging
from omniroute.settings import SettingsError, load_settings
from tests.app_process import free_port, running, spawn, wait_ready
from tests.fake_upstream import Behavior

MODEL = "openai/gpt-4o-mini"
BODY_TEXT = "a-body-text-no-log-may-quote-4471"
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": BODY_TEXT}]}
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 2}
RECORD_SWITCHES = ("_srcfile", "logThreads", "logProcesses", "logMultiprocessing")
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 (DEBUG|INFO|WARNING|ERROR) ")


class ServerLog:
    """The gateway's log output as `python app.py` configures it, written to a buffer."""

    def __init__(self, level: str, log_format: str) -> None:
        self.buffer = io.StringIO()
        self.output = configure_logging(
            {"LOG_LEVEL": level, "LOG_FORMAT": log_format}, stream=self.buffer
        )

    def finish(self) -> str:
        """Every line logged so far, written (the writer thread is stopped)."""
        self.output.close()
        return self.buffer.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.buffer.getvalue().splitlines()]


@pytest.fixture
def server_log():
    """Start the server's logging (`server_log(level, format)`); restore the test's after."""
    root, own = logging.getLogger(), logging.getLogger(OWN_LOGGER)
    levels = root.level, own.level
    collected = {name: getattr(logging, name) for name in RECORD_SWITCHES}
    started: list[ServerLog] = []

    def start(level: str = "INFO", log_format: str = "json") -> ServerLog:
        started.append(ServerLog(level, log_format))
        return started[-1]

    yield start
    for log in started:
        log.output.close()
    root.setLevel(levels[0])
    own.setLevel(levels[1])
    for name, value in collected.items():
        setattr(logging, name, value)


@pytest.fixture
def client():
    """One keep-alive connection's worth of client (see `settle`)."""
    with requests.Session() as session:
        session.trust_env = False
        yield session


def settle(session: requests.Session, gateway) -> None:
    """Once this answer arrives, the server has closed every earlier answer on the session's
    connection (waitress serves one connection's requests in turn), so their lines are logged:
    a stream's line is written when the server closes it, after its last byte went out."""
    assert session.get(gateway.url + "/health", timeout=10).status_code == 200


def access_line(path: str, method: str = "POST") -> Callable[[dict], bool]:
    return lambda line: (
        line["logger"] == ACCESS_LOG.name and line["path"] == path and line["method"] == method
    )


def only_line(log: ServerLog, path: str, method: str = "POST") -> dict:
    found = [line for line in log.lines() if access_line(path, method)(line)]
    assert len(found) == 1, log.buffer.getvalue()
    return found[0]


def drop_lines(log: ServerLog) -> list[dict]:
    return [line for line in log.lines() if line["logger"] == dropped.log.name]


def assert_nothing_secret(text: str, *secrets: str) -> None:
    for secret in (*secrets, BODY_TEXT, "Bearer", "echo:"):
        assert secret not in text


def test_a_whole_answer_has_one_line_with_the_requests_story(keyed, client, server_log):
    log = server_log()
    headers = {"Authorization": f"Bearer {keyed.key}"}
    answer = client.post(keyed.v1 + "/chat/completions", json=CHAT, headers=headers)
    assert answer.status_code == 200, answer.text
    settle(client, keyed)
    text = log.finish()
    line = only_line(log, "/v1/chat/completions")
    assert (line["level"], line["status"], line["model"]) == ("INFO", 200, MODEL)
    assert (line["provider"], line["attempts"], line["key_id"]) == ("openai", 1, keyed.key_id)
    assert line["client"] == "127.0.0.1"
    assert isinstance(line["latency_ms"], float) and line["latency_ms"] >= 0
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) and "stream" not in line
    assert line["message"].startswith(
        "POST /v1/chat/completions 200 client=127.0.0.1 model=openai/gpt-4o-mini provider=openai "
    )
    assert line["time"].endswith("+00:00")
    assert_nothing_secret(text, keyed.key)


def test_a_stream_is_logged_once_when_it_has_ended(keyed, upstream, client, server_log):
    """The line covers the whole stream: its latency spans the provider's pauses between
    events (a line written when the stream started would not)."""
    log = server_log()
    upstream.add(Behavior(chunks=["one", "two", "three"], chunk_interval=0.15))
    headers = {"Authorization": f"Bearer {keyed.key}"}
    body = {**CHAT, "stream": True}
    answer = client.post(keyed.v1 + "/chat/completions", json=body, headers=headers)
    assert answer.status_code == 200 and b"[DONE]" in answer.content
    settle(client, keyed)
    text = log.finish()
    line = only_line(log, "/v1/chat/completions")
    assert (line["status"], line["stream"], line["model"]) == (200, True, MODEL)
    assert (line["provider"], line["attempts"], line["key_id"]) == ("openai", 1, keyed.key_id)
    assert "outcome" not in line and "stream=true" in line["message"]
    assert line["latency_ms"] >= 2 * 150  # two pauses at least between three events
    assert_nothing_secret(text, keyed.key)


def test_a_stream_cut_short_by_its_provider_says_its_outcome(
    connected, upstream, client, server_log
):
    log = server_log()
    upstream.add(Behavior(chunks=["one", "two", "three"], reset_after_chunks=2))
    body = {**CHAT, "stream": True}
    answer = client.post(connected.v1 + "/chat/completions", json=body)
    assert answer.status_code == 200 and b'"error"' in answer.content  # the in-band error event
    settle(client, connected)
    log.finish()
    line = only_line(log, "/v1/chat/completions")
    assert (line["status"], line["stream"], line["outcome"]) == (200, True, 502)
    assert "outcome=502" in line["message"]


def test_a_key_in_the_query_string_is_never_logged(keyed, client, server_log):
    log = server_log()
    path = f"/v1beta/models/{MODEL}:generateContent"
    body = {"contents": [{"role": "user", "parts": [{"text": BODY_TEXT}]}]}
    answer = client.post(keyed.url + path, json=body, params={"key": keyed.key})
    assert answer.status_code == 200, answer.text
    settle(client, keyed)
    text = log.finish()
    line = only_line(log, path)
    assert (line["status"], line["model"], line["key_id"]) == (200, MODEL, keyed.key_id)
    assert "?" not in text and "key=" not in text
    assert_nothing_secret(text, keyed.key)


def test_client_errors_each_have_their_line(keyed, client, server_log):
    log = server_log()
    good = {"Authorization": f"Bearer {keyed.key}"}
    wrong = {"Authorization": "Bearer sk-omni-wrong-key-in-no-log-0000"}
    assert client.post(keyed.v1 + "/chat/completions", json=CHAT, headers=wrong).status_code == 401
    not_json = client.post(keyed.v1 + "/messages", data=b"{" + BODY_TEXT.encode(), headers=good)
    assert not_json.status_code == 400
    assert client.get(keyed.v1 + "/no-such-endpoint", headers=good).status_code == 404
    count = {**CHAT, "max_tokens": 16}
    counted = client.post(keyed.v1 + "/messages/count_tokens", json=count, headers=good)
    assert counted.status_code == 200, counted.text
    embedding = client.post(
        keyed.v1 + "/embeddings", json={"model": MODEL, "input": BODY_TEXT}, headers=good
    )
    settle(client, keyed)
    text = log.finish()
    refused = only_line(log, "/v1/chat/completions")
    assert refused["status"] == 401 and "key_id" not in refused and "model" not in refused
    broken = only_line(log, "/v1/messages")
    assert (broken["status"], broken["key_id"], broken["attempts"]) == (400, keyed.key_id, 0)
    assert only_line(log, "/v1/no-such-endpoint", "GET")["status"] == 404
    count_line = only_line(log, "/v1/messages/count_tokens")
    assert (count_line["status"], count_line["model"]) == (200, MODEL)
    assert count_line["key_id"] == keyed.key_id
    embedding_line = only_line(log, "/v1/embeddings")
    assert (embedding_line["status"], embedding_line["model"]) == (embedding.status_code, MODEL)
    assert_nothing_secret(text, keyed.key, "sk-omni-wrong-key-in-no-log")


def test_dashboard_and_api_requests_have_a_line(gateway, server_log):
    log = server_log()
    session = gateway.admin(fresh=True)  # POST /api/auth/login with the password in its body
    assert session.get(gateway.url + "/api/keys").status_code == 200
    assert session.get(gateway.url + "/login").status_code in (200, 302)
    settle(session, gateway)
    text = log.finish()
    listed = only_line(log, "/api/keys", "GET")
    assert listed["status"] == 200 and isinstance(listed["latency_ms"], float)
    assert not {"model", "provider", "attempts", "key_id"} & set(listed)
    assert only_line(log, "/api/auth/login")["status"] == 200
    assert only_line(log, "/login", "GET")["status"] in (200, 302)
    assert_nothing_secret(text, "test-password-123", *session.cookies.values())


def test_text_lines_are_one_line_each_and_tell_the_same_story(connected, client, server_log):
    log = server_log(log_format="text")
    assert client.post(connected.v1 + "/chat/completions", json=CHAT).status_code == 200
    forged = client.get(connected.url + "/v1/x%0A2025-01-01T00:00:00.000+00:00 INFO forged")
    assert forged.status_code == 404
    settle(client, connected)
    lines = log.finish().splitlines()
    assert lines and all(TEXT_LINE.match(line) for line in lines), lines
    chat = [line for line in lines if "omniroute.access: POST /v1/chat/completions 200 " in line]
    assert len(chat) == 1
    assert f"model={MODEL} provider=openai attempts=1 " in chat[0]
    assert re.search(r" latency_ms=\d+\.\d$", chat[0])
    assert any("GET /v1/x\\n2025-01-01" in line for line in lines)


def test_a_dropped_server_tool_is_logged_once_across_two_attempts(
    gateway, upstream, client, server_log
):
    """An Anthropic web_search server tool routed to an OpenAI provider whose first account
    answers 500: a body is built for each attempt, the drop is logged once."""
    for n in (1, 2):
        gateway.add_connection(upstream.url, name=f"acct-{n}", apiKey=f"sk-acct-{n}")
    upstream.add(Behavior(status=500, error_message="overloaded"), api_key="sk-acct-1")
    log = server_log()
    body = {**CHAT, "max_tokens": 64, "tools": [WEB_SEARCH]}
    answer = client.post(gateway.v1 + "/messages", json=body)
    assert answer.status_code == 200, answer.text
    sent = upstream.chat_requests()
    assert [r.api_key for r in sent][-1] == "sk-acct-2" and len(sent) >= 2
    assert all("tools" not in r.body for r in sent)
    settle(client, gateway)
    log.finish()
    access = only_line(log, "/v1/messages")
    assert access["attempts"] == len(sent) and access["provider"] == "openai"
    drops = drop_lines(log)
    assert len(drops) == 1, log.buffer.getvalue()
    drop = drops[0]
    assert drop["level"] == "INFO" and "'web_search_20250305'" in drop["dropped"]
    assert (drop["target"], drop["model"]) == ("openai", MODEL) and drop["why"]
    assert drop["request_id"] == access["request_id"]
    assert access["request_id"] in drop["message"] and "web_search_20250305" in drop["message"]


def test_a_responses_hosted_tool_is_logged_when_a_chat_provider_gets_the_request(
    connected, upstream, client, server_log
):
    log = server_log()
    body = {
        "model": MODEL,
        "input": "hello",
        "tools": [{"type": "web_search"}, {"type": "function", "name": "read", "parameters": {}}],
    }
    assert client.post(connected.v1 + "/responses", json=body).status_code == 200
    settle(client, connected)
    log.finish()
    drops = drop_lines(log)
    assert [drop["dropped"] for drop in drops] == ["the Responses 'web_search' tool"]
    assert drops[0]["request_id"] == only_line(log, "/v1/responses")["request_id"]
    sent_tools = upstream.chat_requests()[0].body["tools"]
    assert [tool["function"]["name"] for tool in sent_tools] == ["read"]


def test_warning_level_silences_the_access_lines(connected, client, server_log):
    log = server_log(level="WARNING")
    assert client.post(connected.v1 + "/chat/completions", json=CHAT).status_code == 200
    assert client.get(connected.v1 + "/no-such-endpoint").status_code == 404
    settle(client, connected)
    logging.getLogger("omniroute.tests").warning("a warning still gets through")
    log.finish()
    assert [line["message"] for line in log.lines()] == ["a warning still gets through"]


def test_a_bad_log_setting_is_refused_naming_it():
    with pytest.raises(SettingsError, match="LOG_FORMAT='xml' is not valid: expected one of"):
        load_settings({"LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="LOG_LEVEL"):
        load_settings({"LOG_LEVEL": "verbose"})
    assert load_settings({"LOG_LEVEL": "debug"})["LOG_LEVEL"] == "DEBUG"
    assert load_settings({})["LOG_LEVEL"] == "INFO" and load_settings({})["LOG_FORMAT"] == "text"


def test_the_real_server_writes_its_access_lines_to_stderr(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = spawn(tmp_path, PORT=str(port), INITIAL_PASSWORD="logging-test-pw", LOG_FORMAT="json")
    with running(process):
        wait_ready(url, process)
        headers = {"Authorization": "Bearer sk-no-log-may-show-this-0001"}
        answer = requests.post(url + "/v1/chat/completions", json=CHAT, headers=headers, timeout=10)
        assert answer.status_code == 503  # no provider connected yet
    stderr = process.stderr_text
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    chat = [line for line in lines if line.get("path") == "/v1/chat/completions"]
    assert len(chat) == 1, stderr
    assert (chat[0]["logger"], chat[0]["status"], chat[0]["model"]) == (
        "omniroute.access",
        503,
        MODEL,
    )
    assert any(line.get("path") == "/health" for line in lines)
    assert_nothing_secret(stderr, "sk-no-log-may-show-this-0001", "logging-test-pw")
