"""Request logs (ENABLE_REQUEST_LOGS): bodies kept per request, secrets redacted, bounded."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from omniroute.store.models import RequestLog
from omniroute.store.request_logs import prune_request_logs
from omniroute.usage.request_log import MAX_BODY_BYTES, redact
from tests.gateway_harness import start_gateway

SECRET = "sk-proj-abcdefghijklmnop1234"


@pytest.fixture
def logging_gateway(tmp_path, upstream):
    gateway = start_gateway(str(tmp_path / "logs"), ENABLE_REQUEST_LOGS=True)
    gateway.add_connection(upstream.url)
    yield gateway
    gateway.stop()


def chat(gateway, **extra):
    body = {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": f"my key is {SECRET}"}],
        "metadata": {"api_key": "plain-value-123"},
        **extra,
    }
    return requests.post(gateway.v1 + "/chat/completions", json=body)


@pytest.mark.parametrize("stream", [False, True])
def test_bodies_are_kept_with_secrets_redacted(logging_gateway, stream):
    reply = chat(logging_gateway, stream=stream)
    assert reply.status_code == 200
    row = logging_gateway.last_usage_row()
    assert row.request_id
    with logging_gateway.admin() as admin:
        log = admin.get(logging_gateway.url + f"/api/usage/requests/{row.request_id}/log").json()
    assert log["status"] == 200 and log["model"] == "openai/gpt-4o-mini"
    assert SECRET not in log["request"] and "plain-value-123" not in log["request"]
    assert "[redacted]" in log["request"] and "my key is" in log["request"]
    assert "echo" in log["response"] and SECRET not in log["response"]  # the echo is redacted
    if stream:
        assert "data: [DONE]" in log["response"]


def test_an_error_answer_is_logged_too(logging_gateway):
    reply = requests.post(logging_gateway.v1 + "/chat/completions", json={"model": "x/y"})
    assert reply.status_code == 400
    row = logging_gateway.last_usage_row()
    with logging_gateway.admin() as admin:
        log = admin.get(logging_gateway.url + f"/api/usage/requests/{row.request_id}/log").json()
    assert log["status"] == 400 and '"error"' in log["response"]


def test_nothing_is_kept_when_request_logs_are_off(connected):
    assert chat(connected).status_code == 200
    row = connected.last_usage_row()
    assert row.request_id is None
    with connected.services.database.connection_context():
        assert RequestLog.select().count() == 0
    with connected.admin() as admin:
        missing = admin.get(connected.url + "/api/usage/requests/nope/log")
    assert missing.status_code == 404


def test_redaction_and_size_cap():
    body = (
        b'{"authorization": "Bearer abcdefghijkl", "x": "AIzaSyA1234567890abcdefghijklmn",'
        b' "refresh_token": "r-1", "text": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
    )
    text = redact(body)
    assert "abcdefghijkl" not in text and "AIzaSy" not in text and "r-1" not in text
    assert text.endswith("…[cut]") and len(text) < MAX_BODY_BYTES + 20


def test_pruning_keeps_the_newest_rows_within_the_hours(logging_gateway):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        {
            "request_id": f"old-{i}",
            "created_at": now - dt.timedelta(hours=30),
            "endpoint": "x",
            "status": 200,
        }
        for i in range(3)
    ] + [
        {"request_id": f"new-{i}", "created_at": now, "endpoint": "x", "status": 200}
        for i in range(5)
    ]
    with logging_gateway.services.database.connection_context():
        RequestLog.insert_many(rows).execute()
        assert prune_request_logs(24, max_rows=2) == 6
        kept = [r.request_id for r in RequestLog.select().order_by(RequestLog.id)]
    assert kept == ["new-3", "new-4"]
