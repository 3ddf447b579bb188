"""Test Connection: send a 1-token request with one account and explain a failure.

The hint tells the user what to check, following the admin guide's troubleshooting table:
401/403 → the API key, 404 → the model id, connection errors → the base URL, timeouts → network.
A signed-in account's test call is prepared like its requests (`prepare`: its token and the
headers its API requires); one that must sign in again says so instead of calling.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UpstreamError, UpstreamStatusError, UpstreamTimeoutError
from ..formats import canonical as c
from ..formats.openai_chat.response import parse_error
from ..formats.registry import PROVIDER_FORMATS
from ..lazy_text import lazy_gettext as _l
from ..providers import ProviderSpec, cartesia
from ..providers.accounts import ActiveConnection
from ..routing.plan import Attempt
from .attempts import send_until_answered
from .subscription_calls import SIGN_IN_AGAIN
from .upstream_call import AccountUnavailable, UpstreamCall, auth_headers, build_call

TEST_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class TestResult:
    ok: bool
    latency_ms: float | None
    error: str | None = None
    hint_code: str | None = None
    model: str | None = None

    @property
    def hint(self) -> str | None:
        return None if self.hint_code is None else str(HINTS[self.hint_code])

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "latencyMs": self.latency_ms,
            "error": self.error,
            "hint": self.hint,
            "hintCode": self.hint_code,
            "model": self.model,
        }


def run_connection_test(
    client,
    spec: ProviderSpec,
    connection: ActiveConnection,
    test_model: str | None,
    prepare: Callable[[Attempt, UpstreamCall], UpstreamCall] | None = None,
) -> TestResult:
    """Send one 1-token request in the provider's own format and time it (speech-to-text
    providers, which have no chat endpoint, get a read-only call that checks the key). A
    discontinued provider is not called at all."""
    if spec.discontinued:
        return TestResult(False, None, f"{spec.name} is discontinued: {spec.discontinued}")
    if spec.wire_format in MEDIA_KEY_CHECKS:
        return _check_media_key(client, spec, connection)
    if spec.wire_format not in PROVIDER_FORMATS:  # fal: every call makes (and bills) an image
        return TestResult(False, None, f"{spec.name} has no call that only checks a key")
    model = test_model or spec.default_model
    if not model:
        return TestResult(False, None, "no model to test with: set a test model", "model")
    attempt = Attempt(spec, connection, model)
    ping = c.Request(
        model=model, max_tokens=1, messages=(c.Message("user", (c.TextPart("ping"),)),)
    )
    body = json.dumps(PROVIDER_FORMATS[spec.wire_format].build_request(ping)).encode()
    try:  # a cloud platform's token, a signed-in account's: either may be unavailable
        request = build_call(attempt, body)
        if prepare is not None:
            request = prepare(attempt, request)
    except AccountUnavailable as unavailable:
        hint = "sign_in" if unavailable.code == SIGN_IN_AGAIN else "provider"
        return TestResult(False, None, unavailable.message, hint, model)
    started = time.perf_counter()
    try:
        answer = send_until_answered(
            client,
            [attempt],
            lambda _attempt: request,
            timeout=(min(client.timeout[0], TEST_TIMEOUT_SECONDS), TEST_TIMEOUT_SECONDS),
        )
        answer.response.close()
    except UpstreamError as error:
        latency = round((time.perf_counter() - started) * 1000, 1)
        return TestResult(False, latency, error.message, hint_for(error), model)
    return TestResult(True, round((time.perf_counter() - started) * 1000, 1), model=model)


MEDIA_KEY_CHECKS = {
    "deepgram": "/projects",
    "assemblyai": "/transcript?limit=1",
    "elevenlabs": "/models",
    "cartesia": "/voices?limit=1",
    "stability": "/v1/user/balance",
    "bfl": "/credits",
}
MEDIA_KEY_HEADERS = {"cartesia": cartesia.speech_headers()}  # its API version, on every call


def _check_media_key(client, spec: ProviderSpec, connection: ActiveConnection) -> TestResult:
    url = (connection.base_url or spec.base_url) + MEDIA_KEY_CHECKS[spec.wire_format]
    started = time.perf_counter()
    try:
        with client.get(
            url,
            {
                **auth_headers(spec, connection.api_key),
                **MEDIA_KEY_HEADERS.get(spec.wire_format, {}),
            },
            provider=spec.id,
            timeout=(min(client.timeout[0], TEST_TIMEOUT_SECONDS), TEST_TIMEOUT_SECONDS),
        ) as response:
            status, body = response.status_code, response.read_all(65536)
    except UpstreamError as error:
        latency = round((time.perf_counter() - started) * 1000, 1)
        return TestResult(False, latency, error.message, hint_for(error))
    latency = round((time.perf_counter() - started) * 1000, 1)
    if status >= 400:
        message = parse_error(body)[0]
        refusal = UpstreamStatusError(
            f"{spec.id}: {message}", provider=spec.id, upstream_status=status
        )
        return TestResult(False, latency, refusal.message, hint_for(refusal))
    return TestResult(True, latency)


HINTS = {
    "api_key": _l("Check the API key: it may be wrong, expired or lack access. Paste a new one."),
    "model": _l(
        "Check the model id (e.g. gpt-4o vs gpt-4) and that the base URL ends in /v1 "
        "or /chat/completions."
    ),
    "quota": _l("The account is rate-limited or out of quota; wait or add another account."),
    "provider": _l("The provider returned an error; see the message."),
    "network": _l("No answer in time: check firewall or proxy settings and the provider's status."),
    "base_url": _l("Could not connect: check the base URL (it should end in /v1) and the network."),
    "sign_in": _l("Sign in to this account again from its card (Providers)."),
}


def hint_for(error: UpstreamError) -> str:
    """The HINTS key that explains `error`."""
    if isinstance(error, UpstreamStatusError):
        return {401: "api_key", 403: "api_key", 404: "model", 429: "quota"}.get(
            error.upstream_status, "provider"
        )
    if isinstance(error, UpstreamTimeoutError):
        return "network"
    return "base_url"
