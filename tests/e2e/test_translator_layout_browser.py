"""The /translator tabs' layout in Debian's chromium: the Test Bench's grid fits or scrolls inside
its card at 1366 px and the page never scrolls sideways at 390 px; the Live Monitor shows the
time of day in the reader's locale and keeps words whole; the Chat Tester shows an upstream
request's headers and body each under its own heading."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.chromium import log_in
from tests.integration.test_translator_page import wait_for

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ENGLISH_TIME = re.compile(r"^\d{1,2}:\d{2}:\d{2}\s[AP]M$")  # Babel's medium time in en
GERMAN_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}$")


def run_the_bench(page: Page) -> None:
    page.goto("/translator/bench")
    page.get_by_role("button", name="Run the bench").click()
    grid = page.locator("[data-bench-results] td[data-pair]").first
    expect(grid).to_be_visible(timeout=30_000)  # 208 checks, on a busy machine


def cells_outside_their_scroller(page: Page) -> list[str]:
    """The grid's cells whose box lies outside the area that shows them (the card, or the
    scrolling box inside it once scrolled to them): clipped content."""
    return page.evaluate(
        """() => {
          const card = document.querySelector('[data-bench-results]');
          const bad = [];
          for (const cell of card.querySelectorAll('th, td')) {
            let box = cell.parentElement;
            while (box !== card && getComputedStyle(box).overflowX === 'visible') {
              box = box.parentElement;
            }
            const scroller = box;
            cell.scrollIntoView({block: 'nearest', inline: 'nearest'});
            const c = cell.getBoundingClientRect(), s = scroller.getBoundingClientRect();
            const k = card.getBoundingClientRect();
            const inside = (r) => c.left >= r.left - 1 && c.right <= r.right + 1;
            if (!inside(s) || !inside(k)) bad.push(cell.dataset.pair || cell.textContent.trim());
          }
          return bad;
        }"""
    )


def page_overflow(page: Page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_bench_grid_is_never_clipped(page: Page, viewport):
    page.set_viewport_size(viewport)
    log_in(page)
    run_the_bench(page)
    pairs = page.locator("[data-bench-results] td[data-pair]")
    assert pairs.count() >= 16
    assert cells_outside_their_scroller(page) == []
    assert page_overflow(page) <= 0


def test_the_bench_grid_fits_its_card_at_1366(page: Page):
    page.set_viewport_size(DESKTOP)
    log_in(page)
    run_the_bench(page)
    clipped = page.evaluate(
        """() => {
          const card = document.querySelector('[data-bench-results]');
          const k = card.getBoundingClientRect();
          return [...card.querySelectorAll('td[data-pair], thead th')]
            .map(cell => cell.getBoundingClientRect())
            .filter(c => c.left < k.left - 1 || c.right > k.right + 1).length;
        }"""
    )
    assert clipped == 0


def test_the_monitor_shows_a_locale_time_and_whole_words(page: Page, connected):
    page.set_viewport_size(DESKTOP)
    log_in(page)
    page.goto("/translator/monitor")
    monitor = connected.services.pipeline.monitor
    assert wait_for(lambda: monitor.watching), "the page's SSE connection subscribed"
    requests.post(
        connected.v1 + "/chat/completions",
        json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    )
    row = page.locator("#monitor-rows tr").first
    expect(row).to_contain_text("gpt-4o-mini")
    assert ENGLISH_TIME.match(row.locator("td").first.inner_text().strip())
    row.get_by_role("link", name="Details").click()
    when = page.locator("#monitor-detail [data-detail] dd").first
    expect(when).to_be_visible()
    text = when.inner_text()
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", text), text  # no microseconds
    assert "T" not in text.split(",")[-1], text  # not an ISO stamp
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        assert words_broken_across_lines(page, "#monitor-feed") == [], viewport
        assert words_broken_across_lines(page, "#monitor-detail") == [], viewport


def words_broken_across_lines(page: Page, scope: str) -> list[str]:
    """The words in `scope`'s table cells and facts laid out on more than one line (broken in the
    middle; a line may end at a space, a hyphen or a slash); the cells marked data-wrap (ids and
    model names) may break at any character."""
    return page.evaluate(
        """(scope) => {
          const broken = [];
          const cells = scope + ' th, ' + scope + ' td, ' + scope + ' dt, ' + scope + ' dd';
          for (const cell of document.querySelectorAll(cells)) {
            if (cell.closest('[data-wrap]')) continue;
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const text = node.textContent;
              for (const match of text.matchAll(/[^\\s\\/-]+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                     .map(r => Math.round(r.top)));
                if (tops.size > 1) broken.push(match[0]);
              }
            }
          }
          return broken;
        }""",
        scope,
    )


def test_the_chat_tester_shows_headers_and_body_under_their_headings(page: Page, connected):
    log_in(page)
    page.goto("/translator/chat")
    page.get_by_label("Model or combo").fill("openai/gpt-4o-mini")
    page.get_by_label("Message").fill("where does the body go")
    page.get_by_role("button", name="Send").click()
    exchange = page.locator('[data-exchange="1"]')
    expect(exchange.locator('[data-field="status"]')).to_have_text("200")
    headers = exchange.locator("details", has=page.get_by_text("Request headers", exact=True))
    body = exchange.locator("details", has=page.get_by_text("Request body", exact=True))
    headers.locator("summary").click()
    expect(headers.locator('[data-field="headers"]')).to_contain_text("Content-Type")
    expect(headers).not_to_contain_text("where does the body go")
    expect(body.locator('[data-field="body"]')).to_be_visible()
    expect(body.locator('[data-field="body"]')).to_contain_text("where does the body go")
    expect(body).not_to_contain_text("Content-Type")


def test_the_monitor_time_follows_the_chosen_language(page: Page, connected):
    log_in(page)
    page.context.add_cookies([{"name": "lang", "value": "de", "url": connected.url}])
    page.goto("/translator/monitor")
    monitor = connected.services.pipeline.monitor
    assert wait_for(lambda: monitor.watching), "the page's SSE connection subscribed"
    requests.post(
        connected.v1 + "/chat/completions",
        json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
    )
    row = page.locator("#monitor-rows tr").first
    expect(row).to_contain_text("gpt-4o-mini")
    assert GERMAN_TIME.match(row.locator("td").first.inner_text().strip())
    page.goto("/translator/monitor")  # the same row, rendered with the page
    first = page.locator("#monitor-rows tr").first.locator("td").first
    assert GERMAN_TIME.match(first.inner_text().strip())
