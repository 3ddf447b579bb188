"""One upstream call — method, URL, headers (auth included) and body — built in one place.

For one attempt (a provider, one of its accounts, the provider's model id) and the provider
format's WireFormat:
- URL: the account's base URL (else the provider's) + the format's upstream path for the model
  and the stream choice, or an explicit path (embeddings, images, token counters, transcription);
- headers: JSON in, SSE or JSON out, the account's key in the provider's auth style (none for a
  local node without a key), the format's version headers, and the client headers the format
  forwards to a provider of its own format (e.g. `anthropic-beta`);
- body (`chat_call`): the client's body passed through — only the model changed, and what the
  model refuses left out (formats/body_fitting.py) — when the provider speaks the client's
  format (the fast path), else the canonical request fitted to the model (formats/fitting.py;
  both from the capability table in providers/capabilities.py) and built in the provider's
  format.
The pipeline, the connection test and the media endpoints send the UpstreamCall through the
transport with `send_call`.

A cloud platform's connection (providers/platforms.py CLOUD_PLATFORMS: Azure, Vertex AI,
Cloudflare…) has its call reshaped by its platform right here, in `build_call`: the URL from
the connection's options, the platform's own auth instead of the key in the provider's header,
and the model the body carries. A platform whose credentials cannot give a token now makes the
account unavailable (AccountUnavailable), like a signed-in account that must sign in again.

A signed-in subscription account's call is then reshaped for its provider (proxy/
subscription_calls.py): its token, the headers its API requires, and an `AnswerCheck` that
reads every answer (quota windows; Codex errors inside a 200 stream) and says what a refusal
is about. An account that cannot be called now raises AccountUnavailable while its call is
built, and the pipeline moves on to the next attempt.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import InvalidRequestError, ServiceUnavailableError
from ..formats.base import WireFormat
from ..formats.body_fitting import fit_body
from ..formats.canonical import Request
from ..formats.dropped import DropNotes
from ..formats.envelopes import Envelope
from ..formats.fitting import fit_request
from ..formats.registry import PROVIDER_FORMATS, Registry
from ..providers import ProviderSpec
from ..providers.capabilities import traits_for
from ..providers.cloud import CloudAuthError, CloudRequest
from ..providers.platforms import CLOUD_PLATFORMS
from ..routing.plan import Attempt
from .transport import ProxyRoute, Timeout, Transport, UpstreamResponse

AUTH_HEADERS: dict[str, Callable[[str], dict[str, str]]] = {
    "bearer": lambda key: {"Authorization": f"Bearer {key}"},
    "x-api-key": lambda key: {"x-api-key": key},
    "x-goog-api-key": lambda key: {"x-goog-api-key": key},
    "token": lambda key: {"Authorization": f"Token {key}"},  # Deepgram
    "authorization": lambda key: {"Authorization": key},  # AssemblyAI: the raw key
    "api-key": lambda key: {"api-key": key},  # Azure
    "xi-api-key": lambda key: {"xi-api-key": key},  # ElevenLabs
    "x-key": lambda key: {"x-key": key},  # Black Forest Labs
    "key": lambda key: {"Authorization": f"Key {key}"},  # fal
}


class HeaderLookup(Protocol):
    """The client's request headers as the pipeline reads them (a dict, or werkzeug's Headers)."""

    def get(self, name: str, /) -> str | None: ...


ACCOUNT_SCOPE, MODEL_SCOPE, REQUEST_SCOPE = "account", "model", "request"


@dataclass(frozen=True)
class Refusal:
    """What a provider's refusal is about (one of the scopes above; see errors.py
    UpstreamStatusError.scope) and how long it lasts (seconds; None: not known)."""

    scope: str
    rest_seconds: float | None = None


class AnswerCheck(Protocol):
    """Reads the answers to one call: `received` sees each answer first (and may hand back
    another in its place, e.g. a refusal found inside a 200 stream before any output);
    `refusal` tells what an error answer is about (None: the ordinary fallback rules)."""

    def received(self, response: UpstreamResponse, deadline: float) -> UpstreamResponse: ...

    def refusal(
        self, status: int, headers: Mapping[str, str], body: bytes, message: str
    ) -> Refusal | None: ...


class AccountUnavailable(ServiceUnavailableError):
    """The account cannot be called now (it must sign in again, or its token cannot be renewed
    at the moment): its attempt is skipped, like one whose circuit breaker is open."""

    code = "account_unavailable"


@dataclass(frozen=True)
class UpstreamCall:
    """What is sent to a provider for one attempt (`wire_format`: whose shape its errors have;
    `check`: what reads its answers, for a subscription account; `route`: the outbound proxy
    it takes, None for the transport's own choice)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    wire_format: str
    check: AnswerCheck | None = None
    route: ProxyRoute | None = None


class ChatRequest(Protocol):
    """A client's chat request as its upstream calls need it (proxy.translation.Translation)."""

    client_format: WireFormat
    envelope: Envelope
    client_headers: HeaderLookup | None

    def canonical(self) -> Request: ...

    def is_passthrough(self, attempt: Attempt) -> bool: ...

    @property
    def drops(self) -> DropNotes | None: ...


def auth_headers(spec: ProviderSpec, api_key: str) -> dict[str, str]:
    """The account's key in the provider's auth style (nothing for a node without a key)."""
    if not api_key:
        return {}
    return AUTH_HEADERS[spec.auth](api_key)


def base_url(attempt: Attempt) -> str:
    return attempt.connection.base_url or attempt.spec.base_url


def upstream_url(
    attempt: Attempt, stream: bool, path: str | None = None, formats: Registry = PROVIDER_FORMATS
) -> str:
    """The attempt's URL: its base URL + `path`, or + its format's path for its model."""
    if path is not None:
        return base_url(attempt) + path
    wire = formats[attempt.spec.wire_format]
    return wire.upstream_url(base_url(attempt), attempt.model, stream)


def upstream_headers(
    attempt: Attempt,
    stream: bool,
    client_headers: HeaderLookup | None = None,
    formats: Registry = PROVIDER_FORMATS,
) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "Accept": "text/event-stream" if stream else "application/json",
        **auth_headers(attempt.spec, attempt.connection.api_key),
    }
    wire = formats.get(attempt.spec.wire_format)  # None: a speech-to-text API
    if wire is not None:
        headers.update(wire.version_headers)
        for name in wire.forwarded_headers:
            value = client_headers.get(name) if client_headers is not None else None
            if value:
                headers[name] = value
    return headers


def build_call(
    attempt: Attempt,
    body: bytes | None,
    *,
    stream: bool = False,
    path: str | None = None,
    client_headers: HeaderLookup | None = None,
    method: str = "POST",
    formats: Registry = PROVIDER_FORMATS,
    model_list: bool = False,
) -> UpstreamCall:
    """The call for `attempt` carrying `body` (to `path`, or to its format's endpoint);
    `model_list`: the GET listing the account's models, where its cloud platform says."""
    call = UpstreamCall(
        method,
        upstream_url(attempt, stream, path, formats),
        upstream_headers(attempt, stream, client_headers, formats),
        body,
        attempt.spec.wire_format,
    )
    if attempt.spec.id not in CLOUD_PLATFORMS:
        return call
    return cloud_call(attempt, call, model_list=model_list)


def cloud_call(attempt: Attempt, call: UpstreamCall, *, model_list: bool = False) -> UpstreamCall:
    """`call` as the attempt's cloud platform takes it (see the module docstring); with
    `model_list`, its platform's model list call when it has one."""
    connection = attempt.connection
    address, _, query = call.url.partition("?")
    request = CloudRequest(
        path=address[len(base_url(attempt)) :],
        query=query,
        model=attempt.model,
        headers=_without_key(call.headers, attempt.spec, connection.api_key),
        options=connection.options,
        secret=connection.api_key,
        base_url=connection.base_url,
        account=attempt.account,
        body=call.body,
    )
    platform = CLOUD_PLATFORMS[attempt.spec.id]
    shape = platform.model_list if model_list and platform.model_list else platform.shape
    try:
        shaped = shape(request)
    except CloudAuthError as error:
        raise AccountUnavailable(
            f"account '{connection.name}' of {attempt.spec.id}: {error}",
            code="cloud_auth_failed",
        ) from None
    body = call.body
    if shaped.body is not None:
        body = shaped.body
    elif shaped.model != attempt.model and body:
        body = _with_model(body, shaped.model)
    route = ProxyRoute(ca_bundle=shaped.ca_bundle) if shaped.ca_bundle else call.route
    return dataclasses.replace(call, url=shaped.url, headers=shaped.headers, body=body, route=route)


def _without_key(headers: Mapping[str, str], spec: ProviderSpec, key: str) -> dict[str, str]:
    """The headers without the one the provider's auth style put the key in."""
    names = {name.lower() for name in auth_headers(spec, key)}
    return {name: value for name, value in headers.items() if name.lower() not in names}


def _with_model(body: bytes, model: str) -> bytes:
    """A JSON body naming `model` (bodies that are not a JSON object are left as they are)."""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    if not isinstance(value, dict) or "model" not in value:
        return body
    value["model"] = model
    return json_body(value)


def provider_format(attempt: Attempt, formats: Registry = PROVIDER_FORMATS) -> WireFormat:
    """The chat format the attempt's provider speaks (a 400 for one that does not chat)."""
    wire = formats.get(attempt.spec.wire_format)
    if wire is None:  # e.g. a speech-to-text provider
        raise InvalidRequestError(
            f"'{attempt.spec.id}' models do not chat; use the endpoint for their kind "
            "(e.g. /v1/audio/transcriptions)",
            param="model",
        )
    return wire


def chat_call(
    attempt: Attempt, request: ChatRequest, formats: Registry = PROVIDER_FORMATS
) -> UpstreamCall:
    """The call sending a client's chat request to the attempt's provider (see the docstring)."""
    wire = provider_format(attempt, formats)
    envelope = request.envelope
    traits = traits_for(attempt.model)
    if request.is_passthrough(attempt):
        body = wire.passthrough_body(envelope, attempt.model, attempt.spec.stream_usage_option)
        body = fit_body(body, attempt.model, wire.body_fields, traits, request.drops)
    else:
        canonical = dataclasses.replace(request.canonical(), model=attempt.model)
        body = wire.build_request(fit_request(canonical, traits))
    return build_call(
        attempt,
        json_body(body),
        stream=envelope.stream,
        client_headers=request.client_headers,
        formats=formats,
    )


def json_body(value: Any) -> bytes:
    """Compact JSON in UTF-8 (non-ASCII kept as it is), as calls are sent."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def send_call(
    transport: Transport, call: UpstreamCall, *, provider: str, timeout: Timeout | None = None
) -> UpstreamResponse:
    """Send `call` through the transport (on its route, when it names one); the answer comes
    back with its body unread."""
    if call.route is not None:
        return _send_routed(transport, call, provider, timeout)
    if call.method == "GET":
        return transport.get(call.url, call.headers, provider=provider, timeout=timeout)
    if call.method != "POST":
        raise ValueError(f"no transport method for {call.method}")
    return transport.post(
        call.url, call.body or b"", call.headers, provider=provider, timeout=timeout
    )


def _send_routed(
    transport: Any, call: UpstreamCall, provider: str, timeout: Timeout | None
) -> UpstreamResponse:
    """`call` on its route (the transport must take one: proxies/upstream.py, the selector)."""
    if call.method == "GET":
        return transport.get(
            call.url, call.headers, provider=provider, timeout=timeout, route=call.route
        )
    if call.method != "POST":
        raise ValueError(f"no transport method for {call.method}")
    return transport.post(
        call.url,
        call.body or b"",
        call.headers,
        provider=provider,
        timeout=timeout,
        route=call.route,
    )
