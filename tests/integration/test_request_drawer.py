"""Usage → Requests: a request's detail (the drawer's htmx fragment, the full page without
JavaScript, and GET /api/usage/requests/<reference>) — summary, attempt chain, the client's
headers with every secret redacted before it is stored, and the bodies (size-capped) when
request logs are on. The drawer in chromium: tests/e2e/test_drawer_browser.py.
"""

from __future__ import annotations

import html
import json
import re

import pytest
import requests

from omniroute.store.models import RequestLog
from omniroute.usage.request_log import redact_headers
from omniroute.web.usage.request_detail import DISPLAY_CHARS, shown_body, shown_headers
from tests.fake_upstream import Behavior
from tests.gateway_harness import start_gateway
from tests.integration.test_costs_budgets import CHAT, admin_call, bearer, connect, create_key

HX = {"HX-Request": "true"}
KEY_SECRET = "sk-client-secret-abcdefgh123456"
CUSTOM_SECRET = "my-very-private-value-42"
COOKIE_SECRET = "session=cookie-secret-777"


@pytest.fixture
def logging_gateway(tmp_path, upstream):
    gateway = start_gateway(str(tmp_path / "logs"), ENABLE_REQUEST_LOGS=True)
    connect(gateway, upstream.url)
    yield gateway
    gateway.stop()


def latest_row(gateway) -> dict:
    gateway.flush_usage()
    return admin_call(gateway, "GET", "/api/usage/requests").json()["data"][0]


def reference_of(row: dict) -> str:
    return row["requestId"] or str(row["id"])


def detail_links(page_html: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'href="([^"]+)"[^>]*data-detail', page_html)]


def send_with_secrets(gateway, body=None) -> requests.Response:
    headers = {
        "Authorization": f"Bearer {KEY_SECRET}",
        "x-api-key": KEY_SECRET,
        "X-Secret-Token": CUSTOM_SECRET,
        "Cookie": COOKIE_SECRET,
        "X-Trace-Label": "visible-label",
    }
    return requests.post(gateway.v1 + "/chat/completions", json=body or CHAT, headers=headers)


# -- the detail with request logs on ---------------------------------------------------------


def test_headers_are_stored_redacted_and_shown_with_the_bodies(logging_gateway):
    assert send_with_secrets(logging_gateway).status_code == 200
    row = latest_row(logging_gateway)
    with logging_gateway.services.database.connection_context():
        stored = RequestLog.get(RequestLog.request_id == row["requestId"])
    kept = dict((name.lower(), value) for name, value in json.loads(stored.request_headers))
    for secret in (KEY_SECRET, CUSTOM_SECRET, "cookie-secret"):
        assert secret not in stored.request_headers  # never reaches the database
    assert kept["authorization"] == kept["x-api-key"] == kept["x-secret-token"] == "•••"
    assert kept["cookie"] == "•••" and kept["x-trace-label"] == "visible-label"

    with logging_gateway.admin() as admin:
        page = admin.get(logging_gateway.url + "/usage/requests")
        link = detail_links(page.text)[0]
        assert link.endswith("/usage/requests/" + row["requestId"])
        fragment = admin.get(logging_gateway.url + link, headers=HX)
        full = admin.get(logging_gateway.url + link)
        api = admin.get(logging_gateway.url + "/api/usage/requests/" + row["requestId"])
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div class="request-detail"')
    assert full.status_code == 200 and "<html" in full.text and "data-request-detail" in full.text
    for shown in (fragment.text, full.text):
        assert "visible-label" in shown and "•••" in shown and "data-headers" in shown
        assert KEY_SECRET not in shown and CUSTOM_SECRET not in shown
        assert "openai/gpt-4o-mini" in shown and "data-attempt" in shown
        assert "echo: hi" in html.unescape(shown)  # the answer's body
        assert '"messages": [' in html.unescape(shown)  # the request body, pretty-printed
    detail = api.json()
    assert api.status_code == 200 and detail["requestId"] == row["requestId"]
    assert detail["logged"] is True and detail["status"] == 200
    headers = {h["name"].lower(): h["value"] for h in detail["requestHeaders"]}
    assert headers["x-secret-token"] == "•••" and headers["x-trace-label"] == "visible-label"
    assert detail["requestBody"]["json"] is True and detail["responseBody"]["text"]
    assert detail["attemptChain"][0]["provider"] == "openai"
    assert KEY_SECRET not in api.text and CUSTOM_SECRET not in api.text


def test_a_large_body_is_capped_and_says_what_was_left_out(logging_gateway):
    big = {**CHAT, "messages": [{"role": "user", "content": "x" * 150_000}]}
    assert send_with_secrets(logging_gateway, big).status_code == 200
    row = latest_row(logging_gateway)
    with logging_gateway.admin() as admin:
        fragment = admin.get(
            logging_gateway.url + "/usage/requests/" + row["requestId"], headers=HX
        )
        api = admin.get(logging_gateway.url + "/api/usage/requests/" + row["requestId"]).json()
    assert fragment.status_code == 200 and "data-cut-stored" in fragment.text
    bodies = re.findall(r"<pre[^>]*><code>(.*?)</code></pre>", fragment.text, re.S)
    assert len(bodies) == 2  # the request and the answer (the echo), neither whole
    assert all(len(html.unescape(body)) <= DISPLAY_CHARS for body in bodies)
    assert api["requestBody"]["cutWhenStored"] is True
    assert len(api["requestBody"]["text"]) <= DISPLAY_CHARS


def test_a_shown_body_is_cut_at_the_display_cap_with_the_rest_counted():
    long_json = json.dumps([{"n": i} for i in range(20_000)])  # pretty-printed: well past 64 KB
    shown = shown_body(long_json)
    assert shown.is_json and shown.truncated and len(shown.text) == DISPLAY_CHARS
    rest = json.dumps(json.loads(long_json), indent=2)[DISPLAY_CHARS:]
    assert shown.more_kb == -(-len(rest) // 1024) and shown.more_kb > 100
    small = shown_body('{"a": 1}')
    assert not small.truncated and small.text == '{\n  "a": 1\n}'
    stream = shown_body("data: {}\n\ndata: [DONE]\n\n")
    assert not stream.is_json and stream.text.startswith("data:")
    assert shown_body(None) is None and shown_body("") is None


def test_a_secret_header_is_hidden_even_if_an_old_row_stored_it():
    stored = json.dumps(
        [["X-Api-Key", "plain"], ["Proxy-Authorization", "Basic x"], ["Accept", "*/*"]]
    )
    assert shown_headers(stored) == [
        ("X-Api-Key", "•••"),
        ("Proxy-Authorization", "•••"),
        ("Accept", "*/*"),
    ]
    assert shown_headers("not json") == [] and shown_headers(None) == []


def test_header_redaction_before_storing():
    stored = json.loads(
        redact_headers(
            {
                "Proxy-Authorization": "Basic dXNlcjpwYXNz",
                "X-Goog-Api-Key": "AIzaSyA1234567890abcdefghijklmn",
                "X-Client-Secret": "s3",
                "X-Note": "Bearer abcdefghijklmnop",  # a secret value under a plain name
                "User-Agent": "claude-cli/2.0",
            }
        )
    )
    assert stored == [
        ["Proxy-Authorization", "•••"],
        ["X-Goog-Api-Key", "•••"],
        ["X-Client-Secret", "•••"],
        ["X-Note", "[redacted]"],
        ["User-Agent", "claude-cli/2.0"],
    ]
    assert redact_headers(None) == "[]"


def test_a_failed_attempt_is_in_the_chain(logging_gateway, upstream):
    upstream.add(Behavior(status=500, error_message="boom"), model="gpt-4o-mini")
    reply = requests.post(logging_gateway.v1 + "/chat/completions", json=CHAT)
    assert reply.status_code >= 500
    row = latest_row(logging_gateway)
    with logging_gateway.admin() as admin:
        fragment = admin.get(
            logging_gateway.url + "/usage/requests/" + reference_of(row), headers=HX
        ).text
    assert 'data-attempt="failed"' in fragment and "data-status" in fragment


# -- request logs off: the summary and attempts, no headers or bodies --------------------------


def test_without_request_logs_the_detail_has_summary_and_attempts_only(connected):
    key = create_key(connected, "drawer-key")
    headers = {**bearer(key), "X-Secret-Token": CUSTOM_SECRET}
    reply = requests.post(connected.v1 + "/chat/completions", json=CHAT, headers=headers)
    assert reply.status_code == 200
    row = latest_row(connected)
    assert row["requestId"] is None  # nothing links it to a request log
    with connected.services.database.connection_context():
        assert RequestLog.select().count() == 0
    with connected.admin() as admin:
        page = admin.get(connected.url + "/usage/requests").text
        link = detail_links(page)[0]
        assert link.endswith(f"/usage/requests/{row['id']}")
        fragment = admin.get(connected.url + link, headers=HX)
        api = admin.get(connected.url + f"/api/usage/requests/{row['id']}")
    assert fragment.status_code == 200
    assert "data-not-logged" in fragment.text and "ENABLE_REQUEST_LOGS" in fragment.text
    assert "data-headers" not in fragment.text and "data-body" not in fragment.text
    assert "drawer-key" in fragment.text and "data-attempt" in fragment.text
    assert CUSTOM_SECRET not in fragment.text
    detail = api.json()
    assert detail["logged"] is False and detail["requestHeaders"] == []
    assert detail["requestBody"] is None and detail["responseBody"] is None
    assert detail["keyName"] == "drawer-key" and detail["attemptChain"]


# -- unknown requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["0123456789abcdef0123456789abcdef", "999999", "nope"])
def test_an_unknown_request_is_a_styled_404(connected, reference):
    with connected.admin() as admin:
        fragment = admin.get(connected.url + "/usage/requests/" + reference, headers=HX)
        page = admin.get(connected.url + "/usage/requests/" + reference)
        api = admin.get(connected.url + "/api/usage/requests/" + reference)
    assert fragment.status_code == 404 and "data-missing" in fragment.text
    assert "<html" not in fragment.text
    assert page.status_code == 404 and "<html" in page.text and 'id="error-heading"' in page.text
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "request_not_found"


def test_the_detail_needs_a_login(connected):
    assert requests.get(connected.url + "/api/usage/requests/1").status_code == 401
    page = requests.get(connected.url + "/usage/requests/1", allow_redirects=False)
    assert page.status_code in (302, 303)
