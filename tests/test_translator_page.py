"""The /translator page: plain-HTTP form flows (a browser without JavaScript, and htmx requests),
then Playwright in Debian's chromium: type into the playground and see the translation, send a
chat and watch its cycle, see requests appear in the live monitor and open one.
"""

from __future__ import annotations

import html
import json
import re
import time

import requests
from playwright.sync_api import Page, expect

from omniroute.translator.bench_cases import CASES
from tests import test_dashboard_browser as ui
from tests.fake_upstream import Behavior
from tests.test_dashboard_browser import log_in
from tests.test_dashboard_forms import browser_session, csrf_from

browser = ui.browser  # the shared chromium fixtures
page = ui.page
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


# -- in the browser ------------------------------------------------------------------------


def test_playground_translates_as_you_type(page: Page):
    log_in(page)
    page.goto("/translator")
    page.get_by_label("From", exact=True).select_option("openai")
    page.get_by_label("To", exact=True).select_option("anthropic")
    page.evaluate("window.__samePage = 'yes'")
    page.get_by_label("Input", exact=True).fill(
        '{"model": "gpt-4o", "messages": [{"role": "system", "content": "Be brief."}, '
        '{"role": "user", "content": "Hello"}]}'
    )
    output = page.locator("[data-output]")
    expect(output).to_contain_text('"system": "Be brief."')
    expect(output).to_contain_text('"max_tokens": 4096')
    expect(page.locator('[data-diff] tr[data-change="added"]')).to_contain_text("max_tokens")

    page.get_by_label("To", exact=True).select_option("gemini")
    expect(output).to_contain_text('"systemInstruction"')
    page.get_by_label("Input", exact=True).press("End")
    page.get_by_label("Input", exact=True).type(",,")
    expect(page.locator("[data-error]")).to_contain_text("line 1, column")
    assert page.evaluate("window.__samePage") == "yes", "typing caused a page load"


def test_loading_an_example_fills_the_playground(page: Page):
    log_in(page)
    page.goto("/translator")
    page.get_by_label("Example").select_option("case:thinking:anthropic")
    expect(page.get_by_label("From", exact=True)).to_have_value("anthropic")
    expect(page.locator("[data-output]")).to_contain_text("reasoning_content")
    dropped = page.locator('[data-diff] tr[data-change="dropped"]')
    expect(dropped.filter(has_text="signature")).to_contain_text("no thinking signatures")
    renamed = page.locator('[data-diff] tr[data-change="renamed"]')
    expect(renamed.filter(has_text="budget_tokens")).to_contain_text("reasoning_effort")
    expect(page).to_have_url(re.compile(r"example=case"))


def test_chat_tester_streams_the_answer_and_shows_the_cycle(page: Page, connected, upstream):
    upstream.add(Behavior(chunks=["alpha", " beta", " gamma"], chunk_interval=0.2))
    log_in(page)
    page.goto("/translator/chat")
    page.get_by_label("Model or combo").fill("openai/gpt-4o-mini")
    page.get_by_label("Client format").select_option("anthropic")
    page.get_by_label("Message").fill("stream please")
    page.evaluate("window.__samePage = 'yes'")
    page.get_by_role("button", name="Send").click()

    response = page.locator('[data-field="response"]')
    expect(response).to_contain_text("event: content_block_delta")
    expect(response).to_contain_text('"text":"alpha"')
    expect(page.locator('[data-field="routing-provider"]')).to_have_text("openai")
    expect(response).to_contain_text("event: message_stop")
    expect(page.locator('[data-field="inbound-path"]')).to_have_text("POST /v1/messages")
    exchange = page.locator('[data-exchange="1"]')
    expect(exchange.locator('[data-field="status"]')).to_have_text("200")
    expect(exchange.locator('[data-field="url"]')).to_contain_text("/chat/completions")
    expect(exchange.locator('[data-field="response-body"]')).to_contain_text(
        "chat.completion.chunk"
    )
    expect(page.locator('[data-field="chain"] tr')).to_have_count(1)
    assert "sk-test-key-0001" not in page.content()
    assert page.evaluate("window.__samePage") == "yes"


def test_monitor_shows_requests_live_and_opens_one(page: Page, connected, upstream):
    log_in(page)
    page.goto("/translator/monitor")
    monitor = connected.services.pipeline.monitor
    expect(page.locator("[data-empty]")).to_be_visible()
    assert wait_for(lambda: monitor.watching), "the page's SSE connection subscribed"
    upstream.add(Behavior(status=500, error_message="boom"), times=1)  # retried once: 200
    requests.post(
        connected.v1 + "/chat/completions",
        json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    )
    row = page.locator("#monitor-rows tr").first
    expect(row).to_contain_text("openai/gpt-4o-mini")
    expect(row).to_contain_text("OpenAI Chat")
    expect(page.locator("[data-empty]")).to_have_count(0)
    row.get_by_role("link", name="Details").click()
    detail = page.locator("#monitor-detail")
    expect(detail).to_contain_text("Attempt chain")
    expect(detail).not_to_contain_text("Choose a request")  # replaced, not added to
    expect(detail.locator("tbody tr")).to_have_count(2)  # the 500 and its retry
    expect(detail).to_contain_text("ENABLE_REQUEST_LOGS")

    # A chat sent from the chat tester appears too.
    chat = page.context.new_page()
    chat.goto("/translator/chat")
    chat.get_by_label("Model or combo").fill("openai/gpt-4o-mini")
    chat.get_by_label("Message").fill("from the tester")
    chat.get_by_role("button", name="Send").click()
    expect(chat.locator('[data-field="routing-provider"]')).to_have_text("openai")
    expect(page.locator("#monitor-rows tr")).to_have_count(2)
    chat.close()


def test_monitor_filters_reconnect_the_feed(page: Page, connected):
    log_in(page)
    page.goto("/translator/monitor")
    page.get_by_label("Client format").select_option("anthropic")
    expect(page).to_have_url(re.compile(r"format=anthropic"))
    expect(page.locator("#monitor-feed")).to_have_attribute(
        "sse-connect", re.compile("format=anthropic")
    )
    requests.post(
        connected.v1 + "/chat/completions",
        json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    )
    requests.post(
        connected.v1 + "/messages",
        json={
            "model": "openai/gpt-4o-mini",
            "max_tokens": 9,
            "messages": [{"role": "user", "content": "hi"}],
        },
    )
    expect(page.locator("#monitor-rows tr")).to_have_count(1)
    expect(page.locator("#monitor-rows tr")).to_contain_text("Anthropic Messages")


def test_translator_pages_keep_the_budget(browser, page: Page, connected):
    log_in(page)
    cold = browser.new_context(base_url=connected.url, storage_state=page.context.storage_state())
    try:
        for path in ("/translator", "/translator/chat", "/translator/bench", "/translator/monitor"):
            fresh = cold.new_page()
            seen, done, errors = [], [], []
            fresh.on("request", lambda request, seen=seen: seen.append(request))
            fresh.on("requestfinished", lambda request, done=done: done.append(request))
            fresh.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            fresh.goto(path, wait_until="load")
            fresh.wait_for_timeout(500)  # the monitor's feed connects after load
            urls = [r.url for r in seen]
            assert 0 < len(seen) <= ui.PAGE_BUDGET_REQUESTS, (path, urls)
            assert all(u.startswith(connected.url) for u in urls), urls
            total = sum(
                r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in done
            )
            assert total <= ui.PAGE_BUDGET_BYTES, f"{total} bytes for {urls}"
            assert errors == [], (path, errors)
            fresh.close()
    finally:
        cold.close()
