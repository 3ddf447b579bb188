"""A cold visit in chromium: few requests, every one answered (the favicon too), the static
files compressed and fingerprinted for a long cache."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Response, expect

from tests.e2e.chromium import PAGE_BUDGET_REQUESTS, assert_page_budget, log_in

pytestmark = pytest.mark.browser


def test_a_cold_home_page_loads_in_few_compressed_requests_without_a_404(browser, page, gateway):
    log_in(page)
    cold = browser.new_context(base_url=gateway.url, storage_state=page.context.storage_state())
    try:
        fresh = cold.new_page()
        answers: list[Response] = []
        fresh.on("response", lambda answer: answers.append(answer))
        fresh.goto("/", wait_until="networkidle")
        expect(fresh.locator("main#main")).to_be_visible()
        icon = fresh.locator('link[rel="icon"]').get_attribute("href")
        assert icon and icon.startswith("data:image/svg+xml,")  # costs no request
        assert fresh.request.get("/favicon.ico").status == 200
    finally:
        cold.close()
    urls = [answer.url for answer in answers]
    assert 0 < len(answers) <= PAGE_BUDGET_REQUESTS, urls
    assert [a.url for a in answers if a.status >= 400] == []
    static = [answer for answer in answers if "/static/" in answer.url]
    assert static, urls
    for answer in static:
        assert re.search(r"\.[0-9a-f]{10}\.[a-z]+$", answer.url), answer.url
        headers = answer.headers
        assert headers["cache-control"] == "public, max-age=31536000, immutable", answer.url
        assert headers.get("content-encoding") == "gzip", answer.url
    page_answer = next(answer for answer in answers if answer.url.rstrip("/") == gateway.url)
    assert page_answer.headers.get("content-encoding") == "gzip"


def test_the_home_page_keeps_the_page_budget(browser, page, gateway):
    log_in(page)
    assert_page_budget(
        browser,
        page,
        gateway.url,
        "/",
        lambda fresh: expect(fresh.locator("main#main")).to_be_visible(),
    )


def test_a_missing_page_is_the_styled_404_in_the_browser(page):
    answer = page.goto("/no-such-page")
    assert answer is not None and answer.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_role("link", name="Back to the dashboard")).to_be_visible()
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)"  # the stylesheet applied
