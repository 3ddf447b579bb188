"""A form's error names the field by its visible label, in the reader's language, never by the
API's field name (`(baseUrl)` was shown before)."""

from __future__ import annotations

import html
import re

from tests.dashboard_user import browser_session, csrf_from


def _error_text(page: str) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
    assert found, page[:500]
    return html.unescape(found.group(1))


def _add_connection(session, gateway, **fields):
    token = csrf_from(session.get(gateway.url + "/providers").text)
    form = {"csrf_token": token, "provider": "openai", "name": "Work", "apiKey": "sk-1", **fields}
    return session.post(gateway.url + "/providers", data=form)


def test_a_bad_base_url_is_named_by_its_label(gateway):
    session = browser_session(gateway)
    response = _add_connection(session, gateway, baseUrl="ftp://nowhere")
    assert response.status_code == 400
    text = _error_text(response.text)
    assert text.startswith("Base URL: "), text
    assert "baseUrl" not in text


def test_the_label_follows_the_language(gateway):
    session = browser_session(gateway)
    session.cookies.set("lang", "id")
    response = _add_connection(session, gateway, apiKey="has a space")
    assert response.status_code == 400
    text = _error_text(response.text)
    assert text.startswith("Kunci API: "), text
    assert "apiKey" not in text
