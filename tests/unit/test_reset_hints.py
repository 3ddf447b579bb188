"""Cooldown hints from upstream headers, bodies and messages; context-overflow detection."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from urllib3 import HTTPHeaderDict

from omniroute.resilience.reset_hints import MAX_COOLDOWN, cooldown_seconds, is_context_overflow

NOW = datetime(2026, 11, 22, 10, 0, 0, tzinfo=UTC).timestamp()


def hint(headers=None, body=None, message=None):
    return cooldown_seconds(headers or {}, body, message, NOW)


def gemini_body(delay: str) -> dict:
    return {
        "error": {
            "code": 429,
            "message": "You exceeded your current quota. Please retry in 59.5s.",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                    "violations": [{"quotaMetric": "generativelanguage.googleapis.com/x"}],
                },
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay},
            ],
        }
    }


def test_no_hint_is_none():
    assert hint() is None
    assert hint({"content-type": "application/json"}, b'{"error": "x"}', "Bad gateway") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("30", 30.0), ("1.5", 1.5), ("0", 0.0), ("Sun, 22 Nov 2026 10:02:00 GMT", 120.0)],
)
def test_retry_after_seconds_and_http_date(value, expected):
    assert hint({"Retry-After": value}) == pytest.approx(expected)


def test_retry_after_ms():
    assert hint({"retry-after-ms": "1500"}) == pytest.approx(1.5)
    assert hint({"retry-after-ms": "250", "retry-after": "1"}) == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("20ms", 0.02),
        ("1h2m3.5s", 3723.5),
        ("59.059s", 59.059),
    ],
)
def test_openai_reset_durations(value, expected):
    assert hint({"x-ratelimit-reset-requests": value}) == pytest.approx(expected)
    assert hint({"x-ratelimit-reset-tokens": value}) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        ("1m30s", 90.0),
        (str(int(NOW) + 45), 45.0),
        (str(int(NOW * 1000) + 2500), 2.5),
    ],
)
def test_generic_reset_seconds_duration_or_epoch(value, expected):
    assert hint({"X-RateLimit-Reset": value}) == pytest.approx(expected)


@pytest.mark.parametrize("kind", ["requests", "tokens", "input-tokens", "output-tokens"])
def test_anthropic_reset_timestamps(kind):
    headers = {f"anthropic-ratelimit-{kind}-reset": "2026-11-22T10:00:30Z"}
    assert hint(headers) == pytest.approx(30.0)


def test_anthropic_reset_with_offset_and_fraction():
    headers = {"anthropic-ratelimit-tokens-reset": "2026-11-22T11:00:12.5+01:00"}
    assert hint(headers) == pytest.approx(12.5)


def test_largest_reset_wins_without_remaining_headers():
    headers = {"x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s"}
    assert hint(headers) == pytest.approx(360.0)


def test_exhausted_dimension_wins_over_larger_reset():
    headers = {
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "2s",
        "x-ratelimit-remaining-tokens": "148000",
        "x-ratelimit-reset-tokens": "6m0s",
    }
    assert hint(headers) == pytest.approx(2.0)


def test_anthropic_exhausted_tokens_win():
    headers = {
        "anthropic-ratelimit-requests-remaining": "49",
        "anthropic-ratelimit-requests-reset": "2026-11-22T10:05:00Z",
        "anthropic-ratelimit-tokens-remaining": "0",
        "anthropic-ratelimit-tokens-reset": "2026-11-22T10:00:20Z",
    }
    assert hint(headers) == pytest.approx(20.0)


def test_largest_among_several_exhausted():
    headers = {
        "anthropic-ratelimit-input-tokens-remaining": "0",
        "anthropic-ratelimit-input-tokens-reset": "2026-11-22T10:00:10Z",
        "anthropic-ratelimit-output-tokens-remaining": "0",
        "anthropic-ratelimit-output-tokens-reset": "2026-11-22T10:00:40Z",
        "anthropic-ratelimit-requests-remaining": "10",
        "anthropic-ratelimit-requests-reset": "2026-11-22T10:10:00Z",
    }
    assert hint(headers) == pytest.approx(40.0)


@pytest.mark.parametrize(("delay", "expected"), [("37s", 37.0), ("0.5s", 0.5), ("12.345s", 12.345)])
def test_gemini_retry_delay(delay, expected):
    assert hint(body=json.dumps(gemini_body(delay)).encode()) == pytest.approx(expected)


def test_gemini_retry_delay_in_list_wrapped_stream_error():
    assert hint(body=json.dumps([gemini_body("8s")])) == pytest.approx(8.0)


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>502 Bad Gateway</body></html>",
        b"\xff\xfe{not json",
        b'{"error": {"details": ["oops", 3, {"retryDelay": 5}]}}',
        b"[1, 2, null]",
        b"[" * 100000,
        "",
        None,
    ],
)
def test_garbage_bodies_give_no_hint(body):
    assert hint(body=body) is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Your quota will reset after 2h30m.", 9000.0),
        ("Quota exhausted; reset after 45m", 2700.0),
        ("Resource has been exhausted. Please retry in 37.5s.", 37.5),
        ("Please try again in 20s.", 20.0),
        ("Too many requests, try again in 1m30s", 90.0),
        (
            "Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): "
            "Limit 30000, Used 29990, Requested 40. Please try again in 6ms.",
            0.006,
        ),
        ("Server busy, retry after 10 seconds", 10.0),
        ("Daily limit hit; resets in 3 hours", 10800.0),
        ("Overloaded. Try again in 2 minutes.", 120.0),
        ("Please wait 1 minute and 30 seconds", 90.0),
        ("RETRY AFTER 5 SEC", 5.0),
    ],
)
def test_message_phrases(message, expected):
    assert hint(message=message) == pytest.approx(expected)


def test_message_phrase_found_in_body_text():
    body = b'{"error": {"type": "rate_limit", "message": "Please try again in 1.898s."}}'
    assert hint(body=body) == pytest.approx(1.898)


def test_message_argument_is_read_before_body():
    assert hint(body=b"try again in 9s", message="try again in 3s") == pytest.approx(3.0)


def test_precedence_order():
    gemini = json.dumps(gemini_body("37s"))
    resets = {"x-ratelimit-reset-requests": "12s"}
    message = "Please try again in 99s"
    assert hint({"Retry-After": "5", **resets}, gemini, message) == pytest.approx(5.0)
    assert hint(resets, gemini, message) == pytest.approx(37.0)
    assert hint(resets, "quota exceeded", message) == pytest.approx(12.0)
    assert hint({}, "quota exceeded", message) == pytest.approx(99.0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "-5"}, 0.0),
        ({"Retry-After": "Sun, 22 Nov 2026 09:00:00 GMT"}, 0.0),
        ({"anthropic-ratelimit-requests-reset": "2026-11-22T09:59:00Z"}, 0.0),
        ({"x-ratelimit-reset": str(int(NOW) - 100)}, 0.0),
        ({"Retry-After": "99999999"}, MAX_COOLDOWN),
        ({"x-ratelimit-reset-tokens": "400h"}, MAX_COOLDOWN),
    ],
)
def test_clamped_to_zero_and_capped_at_seven_days(headers, expected):
    assert MAX_COOLDOWN == 7 * 86400
    assert hint(headers) == pytest.approx(expected)


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "soon"},
        {"Retry-After": "nan"},
        {"Retry-After": "inf"},
        {"retry-after-ms": "1e3"},
        {"x-ratelimit-reset-requests": "1 fortnight"},
        {"x-ratelimit-reset": "tomorrow"},
        {"anthropic-ratelimit-tokens-reset": "2026-13-45T99:00:00Z"},
        {"x-ratelimit-remaining-tokens": "0"},
    ],
)
def test_unparseable_values_are_ignored(headers):
    assert hint(headers) is None


def test_unparseable_value_falls_through_to_next_source():
    headers = {"Retry-After": "later", "x-ratelimit-reset-requests": "bogus"}
    assert hint(headers, message="try again in 4s") == pytest.approx(4.0)


@pytest.mark.parametrize("name", ["retry-after", "RETRY-AFTER", "Retry-After", "rEtRy-AfTeR"])
def test_header_names_are_case_insensitive_in_plain_dicts(name):
    assert hint({name: "7"}) == pytest.approx(7.0)


def test_header_names_are_case_insensitive_in_urllib3_headers():
    headers = HTTPHeaderDict()
    headers.add("X-RateLimit-Remaining-Tokens", "0")
    headers.add("X-RateLimit-Reset-Tokens", "1m")
    headers.add("X-RateLimit-Reset-Requests", "5m")
    assert hint(headers) == pytest.approx(60.0)
    headers.add("Retry-After", "3")
    assert hint(headers) == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("status", "message", "code"),
    [
        (
            400,
            "This model's maximum context length is 8192 tokens. However, your messages "
            "resulted in 9000 tokens. Please reduce the length of the messages.",
            "context_length_exceeded",
        ),
        (400, "Input too long", "context_length_exceeded"),
        (400, "prompt is too long: 210000 tokens > 200000 maximum", None),
        (
            400,
            "The input token count (1200000) exceeds the maximum number of tokens allowed "
            "(1048576).",
            None,
        ),
        (413, "Request exceeds the model's context window", None),
        (422, "Context length exceeded for this model", None),
        (400, "Too many tokens in prompt", None),
        (
            400,
            "prompt token count of 130412 exceeds the limit of 128000",
            "model_max_prompt_tokens_exceeded",
        ),
        (400, "Please reduce the length of the messages or completion.", None),
    ],
)
def test_context_overflow_positives(status, message, code):
    assert is_context_overflow(status, message, code) is True


@pytest.mark.parametrize(
    ("status", "message", "code"),
    [
        (400, "Invalid value for 'temperature': must be between 0 and 2.", "invalid_value"),
        (400, "messages: field required", "invalid_request_error"),
        (400, None, None),
        (422, "", ""),
        (429, "This model's maximum context length is 8192 tokens.", None),
        (500, "prompt is too long: 210000 tokens > 200000 maximum", None),
        (200, None, "context_length_exceeded"),
    ],
)
def test_context_overflow_negatives(status, message, code):
    assert is_context_overflow(status, message, code) is False
