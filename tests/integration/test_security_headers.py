"""Security headers on every dashboard page (and /api): no framing, no sniffing, same-origin
referrers, and a CSP allowing only the app's own scripts; the client API answers without them.
The templates hold no inline script or event handler the CSP would block."""

from __future__ import annotations

import pathlib
import re

import pytest
import requests

from omniroute import ROOT

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
PAGES = ["/", "/providers", "/combos", "/keys", "/usage", "/translator", "/dashboard/health"]
PAGES += ["/settings/routing", "/settings/resilience", "/settings/security", "/no-such-page"]


def assert_protected(response: requests.Response) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (response.url, name)
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"


@pytest.mark.parametrize("path", PAGES)
def test_every_dashboard_page_carries_the_headers(gateway, path):
    response = gateway.admin().get(gateway.url + path)
    assert response.status_code in (200, 404)
    assert_protected(response)


def test_the_login_page_the_api_and_error_answers_carry_them_too(gateway):
    assert_protected(requests.get(gateway.url + "/login", timeout=10))
    assert_protected(requests.get(gateway.url + "/api/providers", timeout=10))  # 401 JSON
    assert_protected(gateway.admin().get(gateway.url + "/api/settings"))
    assert_protected(requests.get(gateway.url + "/static/css/app.css", timeout=10))


def test_the_client_api_answers_without_them(gateway):
    for answer in (
        requests.get(gateway.v1 + "/models", timeout=10),
        requests.post(gateway.v1 + "/chat/completions", json={}, timeout=10),
    ):
        assert "Content-Security-Policy" not in answer.headers
        assert "X-Frame-Options" not in answer.headers


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)


def test_no_template_holds_an_inline_script_or_handler():
    offenders = []
    for template in pathlib.Path(ROOT, "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text):
            offenders.append(template.name)
    assert offenders == []
