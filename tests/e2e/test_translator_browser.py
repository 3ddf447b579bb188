"""The /translator pages in Debian's chromium: the playground translating as you type, loading an
example, the chat tester streaming an answer and showing its cycle, the live monitor, and the page
budget."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Page, expect

from tests.e2e.chromium import PAGE_BUDGET_BYTES, PAGE_BUDGET_REQUESTS, log_in
from tests.fake_upstream import Behavior
from tests.integration.test_translator_page import wait_for


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


def new_feeds(monitor, before: list, seconds: float = 10.0) -> list:
    """The monitor's subscriptions opened since `before`, once there is one: the page's feed
    subscribes when the server starts streaming it, which under load comes after htmx has set
    `sse-connect` (a request finished before it would never reach the page)."""

    def fresh() -> list:
        return [feed for feed in list(monitor._subscribers) if feed not in before]

    assert wait_for(lambda: bool(fresh()), seconds), "the monitor page never opened its feed"
    return fresh()


def test_monitor_filters_reconnect_the_feed(page: Page, connected):
    log_in(page)
    monitor = connected.services.pipeline.monitor
    page.goto("/translator/monitor")
    first = new_feeds(monitor, [])
    page.get_by_label("Client format").select_option("anthropic")
    expect(page).to_have_url(re.compile(r"format=anthropic"))
    expect(page.locator("#monitor-feed")).to_have_attribute(
        "sse-connect", re.compile("format=anthropic")
    )
    new_feeds(monitor, first)
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
            assert 0 < len(seen) <= PAGE_BUDGET_REQUESTS, (path, urls)
            assert all(u.startswith(connected.url) for u in urls), urls
            total = sum(
                r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in done
            )
            assert total <= PAGE_BUDGET_BYTES, f"{total} bytes for {urls}"
            assert errors == [], (path, errors)
            fresh.close()
    finally:
        cold.close()
