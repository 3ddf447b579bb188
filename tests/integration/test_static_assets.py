"""Static files as a browser fetches them: fingerprinted URLs cached for a year, one stylesheet
built from every static/css file, gzip (precompressed, and pages on the fly) with identity for
clients that do not accept it, 304s, the favicon, and styled error pages for missing files."""

from __future__ import annotations

import gzip
import hashlib
import html
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests

from omniroute import ROOT
from tests.dashboard_user import browser_session

STATIC = Path(ROOT) / "static"
FINGERPRINTED = re.compile(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{10}\.[a-z]+)"')
IMMUTABLE = "public, max-age=31536000, immutable"
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


def fetch_raw(
    url: str, headers: dict[str, str], session=requests
) -> tuple[requests.Response, bytes]:
    """The answer and its body exactly as sent (not decompressed)."""
    response = session.get(url, headers=headers, stream=True, timeout=10)
    return response, response.raw.read(decode_content=False)


def linked_assets(html: str) -> list[str]:
    found = FINGERPRINTED.findall(html)
    assert found, "the page links no fingerprinted static file"
    return found


@pytest.fixture
def page_html(gateway) -> str:
    """A rendered dashboard page (the login page: the layout every page shares)."""
    response = requests.get(gateway.url + "/login", timeout=10)
    assert response.status_code == 200
    return response.text


def test_pages_link_fingerprinted_stylesheet_script_and_favicon(page_html):
    assets = linked_assets(page_html)
    names = {re.sub(r"\.[0-9a-f]{10}\.", ".", url) for url in assets}
    assert {
        "/static/css/app.css",
        "/static/vendor/htmx-2.0.11.min.js",
    } <= names, assets
    assert len(re.findall(r'rel="stylesheet"', page_html)) == 1  # one stylesheet, the bundle
    assert 'href="/static/css/app.css"' not in page_html


def test_fingerprinted_urls_are_cached_for_a_year(gateway, page_html):
    for url in linked_assets(page_html):
        response = requests.get(gateway.url + url, timeout=10)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == IMMUTABLE, url
        assert response.headers["ETag"], url


def test_a_fingerprinted_url_serves_the_file_that_was_hashed(gateway, page_html):
    (htmx,) = [url for url in linked_assets(page_html) if "/htmx-" in url]
    digest = re.search(r"\.([0-9a-f]{10})\.js$", htmx).group(1)
    response, body = fetch_raw(gateway.url + htmx, IDENTITY)
    on_disk = (STATIC / "vendor" / "htmx-2.0.11.min.js").read_bytes()
    assert body == on_disk
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert hashlib.sha256(on_disk).hexdigest().startswith(digest)


def test_text_files_are_sent_gzipped_and_decode_to_the_same_bytes(gateway, page_html):
    for url in linked_assets(page_html):
        zipped, packed = fetch_raw(gateway.url + url, GZIP)
        plain, body = fetch_raw(gateway.url + url, IDENTITY)
        assert zipped.headers["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in zipped.headers["Vary"], url
        assert int(zipped.headers["Content-Length"]) == len(packed) < len(body), url
        assert gzip.decompress(packed) == body, url
        assert "Content-Encoding" not in plain.headers, url
        assert "Accept-Encoding" in plain.headers["Vary"], url
    htmx = "/static/vendor/htmx-2.0.11.min.js"
    _, packed = fetch_raw(gateway.url + htmx, GZIP)
    assert len(packed) < 20_000  # the 52 KB script travels as about a third of that


def test_a_client_refusing_gzip_gets_identity(gateway):
    url = gateway.url + "/static/vendor/htmx-2.0.11.min.js"
    for refusal in ("identity", "gzip;q=0", "br;q=0"):
        response, body = fetch_raw(url, {"Accept-Encoding": refusal})
        assert "Content-Encoding" not in response.headers, refusal
        assert body == (STATIC / "vendor" / "htmx-2.0.11.min.js").read_bytes()


@pytest.mark.parametrize("headers", [GZIP, IDENTITY], ids=["gzip", "identity"])
def test_if_none_match_answers_304_and_head_only_headers(gateway, page_html, headers):
    (stylesheet,) = [url for url in linked_assets(page_html) if "/css/" in url]
    first = requests.get(gateway.url + stylesheet, headers=headers, timeout=10)
    etag = first.headers["ETag"]
    again = requests.get(
        gateway.url + stylesheet, headers={**headers, "If-None-Match": etag}, timeout=10
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    other = requests.get(
        gateway.url + stylesheet, headers={**headers, "If-None-Match": '"0123456789"'}, timeout=10
    )
    assert other.status_code == 200 and other.content == first.content
    head = requests.head(gateway.url + stylesheet, headers=headers, timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == first.headers["Content-Length"]
    assert head.headers.get("Content-Encoding") == first.headers.get("Content-Encoding")


def test_plain_and_outdated_urls_still_work_with_a_short_cache(gateway):
    for path in (
        "/static/css/app.css",
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/js/copy.js",
        "/static/vendor/htmx-2.0.11.min.0123456789.js",  # a fingerprint from an older version
    ):
        response = requests.get(gateway.url + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-cache", path
        assert response.headers["ETag"], path
        revalidated = requests.get(
            gateway.url + path, headers={"If-None-Match": response.headers["ETag"]}, timeout=10
        )
        assert revalidated.status_code == 304, path


def test_the_stylesheet_bundle_holds_every_css_file_app_css_first(gateway, page_html):
    (stylesheet,) = [url for url in linked_assets(page_html) if "/css/" in url]
    bundle = requests.get(gateway.url + stylesheet, timeout=10).text
    files = sorted(STATIC.glob("css/*.css"), key=lambda path: (path.name != "app.css", path.name))
    assert files[0].name == "app.css"
    positions = []
    for path in files:
        text = path.read_text(encoding="utf-8").strip()
        first_rule = text[: text.index("}") + 1]
        assert first_rule in bundle, path.name
        assert text in bundle, path.name
        positions.append(bundle.index(text))
    assert positions == sorted(positions)  # app.css first, then the others by name


def test_the_favicon_is_in_the_page_and_answers_at_its_usual_url(gateway, page_html):
    icon_link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page_html)
    assert icon_link, "no favicon link in the page head"
    svg = (STATIC / "favicon.svg").read_bytes()
    href = html.unescape(icon_link.group(1))
    assert href.startswith("data:image/svg+xml,")  # no request of its own
    assert unquote(href.removeprefix("data:image/svg+xml,")).encode() == svg
    for path in ("/favicon.ico",):
        response = requests.get(gateway.url + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "image/svg+xml", path
        assert response.content == svg, path
        assert "max-age=" in response.headers["Cache-Control"], path
        assert "no-cache" not in response.headers["Cache-Control"], path
    assert svg.startswith(b"<svg") and len(svg) < 1024


def assert_styled_page(response: requests.Response, status: int, lang: str, heading: str) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert f'<html lang="{lang}"' in page
    assert re.search(r'rel="stylesheet" href="/static/css/app\.[0-9a-f]{10}\.css"', page)
    assert '<main id="main">' in page and 'href="/"' in page  # the layout and a link home
    assert heading in page
    assert "Werkzeug" not in page and "The requested URL" not in page


@pytest.mark.parametrize("path", ["/no-such-page", "/static/no-such-file.css", "/static/js/x.js"])
def test_a_missing_page_or_static_file_is_the_styled_404(gateway, path):
    assert_styled_page(requests.get(gateway.url + path, timeout=10), 404, "en", "Page not found")
    session = browser_session(gateway)
    assert_styled_page(session.get(gateway.url + path), 404, "en", "Page not found")


def test_the_404_page_speaks_the_visitors_language(gateway):
    response = requests.get(
        gateway.url + "/static/no-such-file.css", headers={"Accept-Language": "id"}, timeout=10
    )
    assert_styled_page(response, 404, "id", "Halaman tidak ditemukan")
    assert "Kembali ke dasbor" in response.text


def test_dashboard_pages_are_gzipped_when_the_client_accepts_it(gateway):
    session = browser_session(gateway)
    for path in ("/", "/usage", "/settings/routing"):
        zipped, packed = fetch_raw(gateway.url + path, GZIP, session)
        plain, body = fetch_raw(gateway.url + path, IDENTITY, session)
        assert zipped.status_code == plain.status_code == 200, path
        assert zipped.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in zipped.headers["Vary"], path
        assert len(packed) < len(body) and b"<html" in gzip.decompress(packed), path
        assert "Content-Encoding" not in plain.headers and body.startswith(b"<!doctype html>")


def test_small_answers_and_streams_are_not_compressed(gateway):
    session = browser_session(gateway)
    response, body = fetch_raw(gateway.url + "/api/health", GZIP, session)
    if len(body) <= 1024:
        assert "Content-Encoding" not in response.headers
    stream = session.get(
        gateway.url + "/translator/monitor/stream", headers=GZIP, stream=True, timeout=10
    )
    try:
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert "Content-Encoding" not in stream.headers
    finally:
        stream.close()


def test_client_api_answers_are_not_touched(connected):
    models, body = fetch_raw(connected.v1 + "/models", GZIP)
    assert models.status_code == 200 and len(body) > 1024
    assert "Content-Encoding" not in models.headers
    assert body.startswith(b"{")
    chat = requests.post(
        connected.v1 + "/chat/completions",
        json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        headers=GZIP,
        timeout=10,
    )
    assert chat.status_code == 200, chat.text
    assert "Content-Encoding" not in chat.headers and "Vary" not in chat.headers
