"""The /translator page: plain-HTTP form flows (a browser without JavaScript, and htmx requests).
The same pages in chromium: tests/e2e/test_translator_browser.py.
"""

from __future__ import annotations

import html
import json
import re
import time

import requests

from omniroute.translator.bench_cases import CASES
from tests.dashboard_user import browser_session, csrf_from

HX = {"HX-Request": "true"}
UPSTREAM_KEY = "sk-page-secret-9XyZ"


def logged_in(gateway, path: str = "/translator") -> tuple[requests.Session, str]:
    session = browser_session(gateway)
    return session, csrf_from(session.get(gateway.url + path).text)


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def text_of(page_html: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_html)))


# -- plain HTTP ----------------------------------------------------------------------------


def test_the_page_needs_a_login_and_has_four_tabs(gateway):
    anonymous = requests.get(gateway.url + "/translator", allow_redirects=False)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    session, _ = logged_in(gateway)
    for path, current in (
        ("/translator", "Playground"),
        ("/translator/chat", "Chat Tester"),
        ("/translator/bench", "Test Bench"),
        ("/translator/monitor", "Live Monitor"),
    ):
        page_html = session.get(gateway.url + path).text
        tabs = re.search(r'<nav class="tabs" aria-label="Translator">(.*?)</nav>', page_html, re.S)
        labels = re.findall(r">([^<]+)</a>", tabs.group(1))
        assert labels == ["Playground", "Chat Tester", "Test Bench", "Live Monitor"]
        assert re.search(rf'aria-current="page">{current}<', tabs.group(1)), path


def test_playground_form_works_without_javascript(gateway):
    session, token = logged_in(gateway)
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi"}], "n": 2})
    answer = session.post(
        gateway.url + "/translator/playground",
        data={
            "csrf_token": token,
            "from": "openai",
            "to": "gemini",
            "kind": "request",
            "body": body,
        },
    )
    assert answer.status_code == 200
    output = re.search(r"<pre id=\"pg-output\"[^>]*>(.*?)</pre>", answer.text, re.S).group(1)
    assert json.loads(html.unescape(output)) == {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}]
    }
    assert '<tr data-change="dropped">' in answer.text and "<code>n</code>" in answer.text
    assert "<html" in answer.text  # the whole page, the form still filled in
    textarea = re.search(r'<textarea id="pg-body"[^>]*>(.*?)</textarea>', answer.text, re.S)
    assert html.unescape(textarea.group(1)) == body


def test_playground_htmx_returns_the_output_fragment_and_errors_with_location(gateway):
    session, token = logged_in(gateway)
    form = {"csrf_token": token, "from": "anthropic", "to": "openai", "kind": "request"}
    fragment = session.post(
        gateway.url + "/translator/playground",
        headers=HX,
        data={**form, "body": '{"model": "m", "max_tokens": 5, "messages": []}'},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "data-output" in fragment.text
    broken = session.post(
        gateway.url + "/translator/playground",
        headers=HX,
        data={**form, "body": '{\n  "model": "m",\n  "messages": [1 2]\n}'},
    )
    assert broken.status_code == 200  # htmx swaps it in
    assert "line 3, column 18" in text_of(broken.text)  # the "2"
    # said in the reader's language, not the JSON parser's English ("Expecting ',' delimiter")
    assert "Not valid JSON: a comma is missing" in text_of(broken.text)
    assert "Expecting" not in broken.text
    unknown = session.post(
        gateway.url + "/translator/playground",
        headers=HX,
        data={**form, "from": "cobol", "body": "{}"},
    )
    assert "From:" in text_of(unknown.text) and "from:" not in text_of(unknown.text)
    assert re.search(r"<pre>.*\n\s*\^</pre>", broken.text, re.S), "the caret points at the spot"
    plain = session.post(gateway.url + "/translator/playground", data={**form, "body": "{oops"})
    assert plain.status_code == 400 and "line 1, column 2" in text_of(plain.text)


def test_examples_include_the_real_client_requests(gateway):
    session, _ = logged_in(gateway)
    index = session.get(gateway.url + "/translator").text
    options = re.findall(r'<option value="(fixture:[^"]+)"', index)
    assert any(o.startswith("fixture:claude-code") for o in options)
    assert any(o.startswith("fixture:codex") for o in options)
    loaded = session.get(gateway.url + "/translator?example=fixture:codex-0.169.0_hello:0").text
    assert re.search(
        r'<select id="pg-from" name="from">.*?value="responses" selected', loaded, re.S
    )
    assert "You are a coding agent" in html.unescape(loaded)  # Codex's instructions, translated
    assert 'data-change="dropped"' in loaded
    fragment = session.get(gateway.url + "/translator?example=case:tools:gemini", headers=HX).text
    assert fragment.lstrip().startswith('<section class="card" id="playground">')


def test_chat_form_without_javascript_shows_the_whole_cycle(gateway, upstream):
    gateway.add_connection(upstream.url, apiKey=UPSTREAM_KEY)
    session, token = logged_in(gateway, "/translator/chat")
    page_html = session.post(
        gateway.url + "/translator/chat",
        data={
            "csrf_token": token,
            "model": "openai/gpt-4o-mini",
            "format": "anthropic",
            "message": "hello page",
        },
    ).text
    assert UPSTREAM_KEY not in page_html and "[redacted]" in page_html
    text = text_of(page_html)
    assert "echo: hello page" in text and "POST /v1/messages" in text
    assert re.search(r'data-field="routing-provider">openai<', page_html)
    missing = session.post(
        gateway.url + "/translator/chat",
        data={"csrf_token": token, "model": "", "format": "openai", "message": "x"},
    )
    assert missing.status_code == 400 and 'aria-invalid="true"' in missing.text


def test_bench_form_runs_the_cases_all_green(gateway):
    session, token = logged_in(gateway, "/translator/bench")
    fragment = session.post(
        gateway.url + "/translator/bench", headers=HX, data={"csrf_token": token}
    ).text
    assert f'data-passed="{len(CASES) * 16}" data-failed="0"' in fragment
    assert fragment.count('class="fail"') == 0 and fragment.count('class="pass"') == len(CASES) * 16
    assert "anthropic→gemini" in fragment
    refused = session.post(
        gateway.url + "/translator/bench", data={"csrf_token": token, "live": "on"}
    )
    assert refused.status_code == 400 and "Choose a model" in refused.text


def test_monitor_detail_says_bodies_need_request_logs(connected):
    monitor = connected.services.pipeline.monitor
    subscription = monitor.subscribe()  # someone watches: requests are published
    try:
        requests.post(
            connected.v1 + "/chat/completions",
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "x"}]},
        )
        [event] = subscription.get(5)
    finally:
        monitor.unsubscribe(subscription)
    session, _ = logged_in(connected, "/translator/monitor")
    detail = session.get(connected.url + f"/translator/monitor/{event['seq']}", headers=HX).text
    assert "ENABLE_REQUEST_LOGS" in detail and "openai/gpt-4o-mini" in detail
    assert session.get(connected.url + "/translator/monitor/424242").status_code == 404
    listed = session.get(connected.url + "/translator/monitor?status=error").text
    assert f'data-seq="{event["seq"]}"' not in listed  # filtered out: it succeeded
    assert f'data-seq="{event["seq"]}"' in session.get(connected.url + "/translator/monitor").text


def test_monitor_detail_shows_bodies_when_request_logs_are_on(tmp_path, upstream):
    from tests.gateway_harness import start_gateway

    gateway = start_gateway(str(tmp_path / "logs"), ENABLE_REQUEST_LOGS=True)
    try:
        gateway.add_connection(upstream.url)
        monitor = gateway.services.pipeline.monitor
        subscription = monitor.subscribe()
        try:
            requests.post(
                gateway.v1 + "/chat/completions",
                json={
                    "model": "openai/gpt-4o-mini",
                    "messages": [{"role": "user", "content": "log me"}],
                },
            )
            [event] = subscription.get(5)
        finally:
            monitor.unsubscribe(subscription)
        gateway.flush_usage()
        session, _ = logged_in(gateway, "/translator/monitor")
        detail = session.get(gateway.url + f"/translator/monitor/{event['seq']}", headers=HX)
        assert "log me" in detail.text and "echo: log me" in detail.text
    finally:
        gateway.stop()
