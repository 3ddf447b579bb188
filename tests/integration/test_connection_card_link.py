"""Providers: each connection card names its provider with a link to that provider's page
(/providers/<provider id>), in the full page and in the htmx row fragment."""

from __future__ import annotations

import html
import re

from omniroute.providers import PROVIDERS

HX = {"HX-Request": "true"}


def provider_links(page: str) -> list[tuple[str, str]]:
    return [
        (html.unescape(href), html.unescape(text))
        for href, text in re.findall(
            r'<a [^>]*href="([^"]+)"[^>]*data-provider-link[^>]*>([^<]+)</a>', page
        )
    ]


def test_a_connection_card_links_to_its_providers_page(connected):
    with connected.admin() as admin:
        listing = admin.get(connected.url + "/providers")
        connection_id = re.search(r'data-connection-id="(\d+)"', listing.text).group(1)
        row = admin.get(connected.url + f"/providers/{connection_id}", headers=HX)
        assert listing.status_code == 200 and row.status_code == 200
        expected = ("/providers/openai", PROVIDERS["openai"].name)
        assert expected in provider_links(listing.text)
        assert expected in provider_links(row.text)
        target = admin.get(connected.url + "/providers/openai")
    assert target.status_code == 200 and f'data-connection-id="{connection_id}"' in target.text
