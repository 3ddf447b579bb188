"""The provider catalog page at 100+ providers: groups, the server-side search and filters (GET
parameters, so the same URL serves htmx, a form submitted without JavaScript and a bookmark),
the "configured only" view, monograms instead of logos, and the page's size.

In chromium (search as you type, axe): tests/e2e/test_catalog_browser.py.
"""

from __future__ import annotations

import re

import pytest

from omniroute.providers.catalog import CATALOG
from omniroute.providers.spec import GROUPS
from tests.dashboard_user import browser_session

HX = {"HX-Request": "true"}
CATALOG_PATH = "/providers/catalog"
PAGE_BUDGET_BYTES = 100 * 1024


def _ids(html: str) -> list[str]:
    return re.findall(r'<tr id="catalog-([\w.-]+)"', html)


def _groups(html: str) -> list[str]:
    return re.findall(r'<tbody data-group="([\w-]+)">', html)


@pytest.fixture
def session(gateway):
    return browser_session(gateway)


def _get(session, gateway, headers=None, **params):
    response = session.get(gateway.url + CATALOG_PATH, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.text


def test_every_provider_in_its_group_with_a_monogram(gateway, session):
    html = _get(session, gateway)
    assert len(CATALOG) >= 100
    assert sorted(_ids(html)) == sorted(spec.id for spec in CATALOG)
    assert _groups(html) == [g for g in GROUPS if any(s.group == g for s in CATALOG)]
    for group in _groups(html):  # a jump link per group, naming its count
        count = sum(1 for spec in CATALOG if spec.group == group)
        assert re.search(rf'<a href="#group-{group}">[^<]+\({count}\)</a>', html)
    row = re.search(r'<tr id="catalog-openrouter".*?</tr>', html, re.S).group(0)
    monogram = re.search(
        r'<span class="monogram" style="--mono:var\(--chart-([1-6])\)" aria-hidden="true">'
        r"(\w\w)</span>",
        row,
    )
    assert monogram is not None and monogram.group(2) == "OR"
    assert "<img" not in html  # no logo costs a request
    assert f"{len(CATALOG)} providers" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"group": "aggregator"}, lambda s: s.group == "aggregator"),
        ({"group": "local"}, lambda s: s.group == "local"),
        ({"tier": "subscription"}, lambda s: s.tier == "subscription"),
        ({"tier": "local", "group": "local"}, lambda s: s.tier == "local" and s.group == "local"),
        ({"free": "1"}, lambda s: s.free_tier or s.tier == "free"),
        ({"group": "no-such-group"}, lambda s: True),  # not a group: no filter
    ],
    ids=["group", "group-local", "tier", "tier-and-group", "free-tier", "unknown-group"],
)
def test_each_filter(gateway, session, params, expected):
    shown = _ids(_get(session, gateway, **params))
    wanted = [spec.id for spec in CATALOG if expected(spec)]
    assert shown and sorted(shown) == sorted(wanted)


def test_search_matches_every_word_in_name_id_prefix_or_note(gateway, session):
    assert _ids(_get(session, gateway, q="grok")) == ["xai"]
    assert _ids(_get(session, gateway, q="  DeepSeek  ")) == ["deepseek"]
    assert "openrouter" in _ids(_get(session, gateway, q="aggregators router"))
    assert _ids(_get(session, gateway, q="openrouter nothing-else")) == []
    empty = _get(session, gateway, q="zzz-nothing")
    assert 'id="catalog-empty"' in empty and 'id="catalog-table"' not in empty
    assert "0 of " in empty and "providers match" in empty
    long = _get(session, gateway, q="x" * 5000)  # cut to 100 characters, never an error
    assert 'value="' + "x" * 100 + '"' in long


def test_configured_only_view(gateway, upstream, session):
    gateway.add_connection(upstream.url, provider="openai")
    gateway.add_connection(upstream.url, provider="deepseek", isActive=False)
    html = _get(session, gateway)
    view = re.search(r'<a id="configured-view" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert view.group(2) == "Configured only (2)"
    configured = _get(session, gateway, configured="1")
    assert sorted(_ids(configured)) == ["deepseek", "openai"]
    assert re.search(r'<a id="configured-view"[^>]*aria-current="page"', configured)
    assert re.search(r'id="catalog-configured"[^>]* checked', configured)
    rows = dict(re.findall(r'<tr id="catalog-([\w.-]+)".*?>(.*?)</tr>', configured, re.S))
    assert "Yes" in rows["openai"] and "Yes" not in rows["deepseek"]  # paused: not connected
    both = _get(session, gateway, configured="1", group="llm", q="seek")
    assert _ids(both) == ["deepseek"]


def test_htmx_gets_only_the_results(gateway, session):
    fragment = _get(session, gateway, headers=HX, q="groq")
    assert fragment.lstrip().startswith('<div id="catalog-results">')
    assert "<html" not in fragment and 'id="catalog-filters"' not in fragment
    assert _ids(fragment) == ["groq"]


def test_the_filters_are_a_plain_get_form_that_works_without_javascript(gateway, session):
    html = _get(session, gateway)
    form = re.search(r'<form id="catalog-filters".*?</form>', html, re.S).group(0)
    assert 'method="get" action="/providers/catalog"' in form
    assert 'hx-get="/providers/catalog"' in form and 'hx-target="#catalog-results"' in form
    assert "input changed delay:200ms from:#catalog-search" in form
    names = set(re.findall(r'name="(\w+)"', form))
    assert names == {"q", "group", "tier", "configured", "free"}
    assert re.search(r'<button type="submit"[^>]*>Filter</button>', form)
    # what a browser without JavaScript sends: every field, the empty ones included
    submitted = _get(session, gateway, q="open", group="aggregator", tier="", free="1")
    assert 'value="open"' in submitted
    assert '<option value="aggregator" selected>' in submitted
    assert re.search(r'id="catalog-free"[^>]* checked', submitted)
    expected = [
        s.id
        for s in CATALOG
        if s.group == "aggregator"
        and (s.free_tier or s.tier == "free")
        and "open" in f"{s.name} {s.id} {s.prefix}".lower()
    ]
    assert expected and set(expected) <= set(_ids(submitted))


def test_the_page_stays_within_the_budget(gateway, upstream, session):
    gateway.add_connection(upstream.url)
    response = session.get(
        gateway.url + CATALOG_PATH, headers={"Accept-Encoding": "gzip"}, stream=True
    )
    transferred = len(response.raw.read(decode_content=False))
    assert response.headers["Content-Encoding"] == "gzip"
    assert transferred < PAGE_BUDGET_BYTES / 2, transferred  # room left for CSS and htmx
