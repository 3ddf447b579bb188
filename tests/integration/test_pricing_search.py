"""Costs → Pricing: a search that filters the rows by provider or model (`?q=`, a plain GET form
that htmx enhances to filter as you type), and providers named as the rest of the dashboard
names them — DeepSeek and `ds/deepseek-chat`, never `deepseek/deepseek-chat`."""

from __future__ import annotations

import html
import re

from omniroute.providers import PROVIDERS
from omniroute.web.costs.price_search import matching, named
from tests.integration.test_usage_pages import logged_in, text_of

HX = {"HX-Request": "true"}


def shown_models(page: str) -> list[str]:
    """The model ids the table shows (what a client sends), in order."""
    return [html.unescape(m) for m in re.findall(r'<th scope="row"><code>([^<]+)</code>', page)]


def test_rows_use_the_dashboards_provider_names_and_prefixes(gateway):
    session, _ = logged_in(gateway, "/costs/pricing")
    page = session.get(gateway.url + "/costs/pricing").text
    models = shown_models(page)
    deepseek = PROVIDERS["deepseek"]
    assert f"{deepseek.prefix}/deepseek-chat" in models
    assert "deepseek/deepseek-chat" not in text_of(page)  # the id, where the rest shows ds/
    row = re.search(r'<tr data-price="deepseek/deepseek-chat".*?</tr>', page, re.S).group(0)
    assert deepseek.name in text_of(row)
    # the same names as the Providers page's connection cards and the catalog
    assert all(m.split("/", 1)[0] in {s.prefix for s in PROVIDERS.values()} for m in models)


def test_the_search_works_without_javascript(gateway):
    session, _ = logged_in(gateway, "/costs/pricing")
    everything = shown_models(session.get(gateway.url + "/costs/pricing").text)
    found = session.get(gateway.url + "/costs/pricing", params={"q": "DeepSeek"})
    assert found.status_code == 200
    models = shown_models(found.text)
    assert "ds/deepseek-chat" in models and len(models) < len(everything)
    assert all("deepseek" in m for m in models)  # DeepSeek's own, and others' DeepSeek models
    assert re.search(r'<input[^>]*name="q"[^>]*value="DeepSeek"', found.text)
    by_prefix = shown_models(session.get(gateway.url + "/costs/pricing?q=ds/").text)
    assert by_prefix and all(m.startswith("ds/") for m in by_prefix)
    assert set(by_prefix) <= set(models)
    two_words = shown_models(session.get(gateway.url + "/costs/pricing?q=openai+mini").text)
    assert two_words and all(m.startswith("openai/") and "mini" in m for m in two_words)
    nothing = session.get(gateway.url + "/costs/pricing?q=no-such-model-xyz").text
    assert shown_models(nothing) == [] and "data-no-prices" in nothing


def test_the_search_as_you_type_swaps_only_the_table(gateway):
    session, _ = logged_in(gateway, "/costs/pricing")
    page = session.get(gateway.url + "/costs/pricing").text
    form = re.search(r"<form[^>]*data-price-search[^>]*>", page).group(0)
    assert 'hx-get="/costs/pricing"' in form and 'hx-target="#price-table"' in form
    assert 'method="get"' in form  # without JS it is a plain GET form
    fragment = session.get(gateway.url + "/costs/pricing?q=anthropic+haiku", headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="price-table"')
    models = shown_models(fragment.text)
    assert models and all("anthropic" in m and "haiku" in m for m in models)
    assert "data-price-search" not in fragment.text  # the search box is not swapped


def test_matching_needs_every_word():
    rows = [
        named({"provider": "deepseek", "model": "deepseek-chat"}),
        named({"provider": "openai", "model": "gpt-4o-mini"}),
        named({"provider": "my-node", "model": "llama3"}),  # a provider node: its prefix
    ]
    assert rows[0]["modelId"] == "ds/deepseek-chat" and rows[0]["providerName"] == "DeepSeek"
    assert rows[2]["modelId"] == "my-node/llama3" and rows[2]["providerName"] == "my-node"
    assert matching(rows, "") == rows and matching(rows, None) == rows
    assert [r["model"] for r in matching(rows, "DS chat")] == ["deepseek-chat"]
    assert [r["model"] for r in matching(rows, "node")] == ["llama3"]
    assert matching(rows, "openai llama") == []
