"""Sync models: read one account's list of models from its provider.

The GET is built like every upstream call (upstream_call.build_call): the account's base URL
(else the provider's) + the provider's `models_path`, the account's key in the provider's auth
style, a cloud platform's own URL and auth (providers/platforms.py; a platform whose list is
elsewhere — Azure, Bedrock, Vertex AI, Cloudflare — gives its own GET with `model_list`,
providers/cloud.py), and a signed-in account's token (`prepare`, as for its requests). It is
sent through the gateway's upstream, so the provider's outbound proxy applies. Anthropic and
Gemini are asked for the whole list in one page (providers/model_lists.py `list_query`).

`fetch_model_list` never raises for what the provider or the network does: a refusal, a
failure or an unreadable answer is a ListResult naming it (with the provider's status). The
fan-out pool runs it for many accounts at once (web/providers/model_sync_actions.py); nothing
here runs on a client request's path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UpstreamError
from ..formats.openai_chat.response import parse_error
from ..formats.registry import PROVIDER_FORMATS
from ..providers import ProviderSpec
from ..providers.accounts import ActiveConnection
from ..providers.model_lists import ListedId, ModelListError, list_query, parse_model_list
from ..routing.plan import Attempt
from .transport import Transport
from .upstream_call import AccountUnavailable, UpstreamCall, build_call, send_call

CONNECT_SECONDS, READ_SECONDS = 10.0, 30.0
MAX_LIST_BYTES = 16 * 1024 * 1024  # OpenRouter's full list with descriptions is a few MB

Prepare = Callable[[Attempt, UpstreamCall], UpstreamCall]


@dataclass(frozen=True)
class ListResult:
    """One account's list (`models`), or why there is none (`error`, and `upstream_status`
    when the provider answered with an error status)."""

    models: list[ListedId] | None
    error: str | None = None
    upstream_status: int | None = None

    @property
    def ok(self) -> bool:
        return self.models is not None


def unlistable_reason(spec: ProviderSpec) -> str | None:
    """Why the gateway cannot read this provider's model list (None: it can)."""
    if spec.discontinued:
        return f"{spec.name} is discontinued: {spec.discontinued}"
    if spec.needs_sign_in:
        return f"{spec.name}: its sign-in flow is not available yet"
    if spec.models_path is None:
        return f"{spec.name} publishes no list of models; add its models by hand"
    return None


def models_call(
    spec: ProviderSpec, connection: ActiveConnection, prepare: Prepare | None = None
) -> UpstreamCall:
    """The GET that lists the account's models (AccountUnavailable: it cannot be called now)."""
    if spec.models_path is None:
        raise ValueError(f"{spec.id} has no models path")
    query = list_query(spec.wire_format)
    path = spec.models_path + (f"?{query}" if query else "")
    attempt = Attempt(spec, connection, spec.default_model or "")
    call = build_call(attempt, None, path=path, method="GET", model_list=True)
    headers = {name: value for name, value in call.headers.items() if name != "Content-Type"}
    call = dataclasses.replace(call, headers=headers)
    return prepare(attempt, call) if prepare is not None else call


def fetch_model_list(
    client: Transport,
    spec: ProviderSpec,
    connection: ActiveConnection,
    prepare: Prepare | None = None,
) -> ListResult:
    """The account's models as its provider lists them (see the module docstring)."""
    reason = unlistable_reason(spec)
    if reason is not None:
        return ListResult(None, reason)
    try:
        call = models_call(spec, connection, prepare)
    except AccountUnavailable as unavailable:
        return ListResult(None, unavailable.message)
    timeout = (min(client.timeout[0], CONNECT_SECONDS), READ_SECONDS)
    try:
        with send_call(client, call, provider=spec.id, timeout=timeout) as response:
            status = response.status_code
            body = response.read_all(MAX_LIST_BYTES + 1)
    except UpstreamError as error:
        return ListResult(None, error.message)
    except OSError as error:  # the body could not be read to its end
        return ListResult(None, f"{spec.id}: the model list could not be read ({error})")
    if status >= 400:
        return ListResult(None, f"{spec.name} answered {status}: {_message(spec, body)}", status)
    if len(body) > MAX_LIST_BYTES:
        return ListResult(None, f"{spec.name}'s model list is larger than 16 MB", status)
    try:
        return ListResult(parse_model_list(body))
    except ModelListError as error:
        return ListResult(None, f"{spec.name}'s model list could not be read: {error}", status)


def _message(spec: ProviderSpec, body: bytes) -> str:
    """The error message in the provider's own error shape (else the body's text)."""
    wire = PROVIDER_FORMATS.get(spec.wire_format)
    return (wire.parse_error if wire is not None else parse_error)(body)[0]
