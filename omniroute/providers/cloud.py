"""Cloud platforms whose calls need more than a key in a header: their connections' options,
secrets and call shapes, one quirk module each, looked up by provider id in CLOUD_PLATFORMS.

A connection of such a provider carries non-secret `options` (camelCase keys, e.g. Azure's
`apiVersion` and deployments, Vertex's `projectId` and `location`, Cloudflare's `accountId`),
checked when it is saved; its secret stays in the encrypted API-key field (Vertex: the
service-account JSON). For every upstream call, proxy/upstream_call.py hands the platform a
CloudRequest (the endpoint path the gateway would call, the model, the headers without the
key, the connection's options, secret and base URL) and sends what `shape` gives back: the URL,
the headers with the platform's own auth, and the model id the body must carry (or, for a
platform whose body differs, the body itself).

A platform whose list of models is not its chat prefix + `/models` says where it is with
`model_list`: given the same CloudRequest, it returns the GET that lists the account's models
(URL, headers with the platform's own auth, signed like its other calls); Sync models
(proxy/model_sync.py) sends that instead of what `shape` would give.

A new platform (Amazon Bedrock, IBM watsonx…) is one module exposing a CloudPlatform and one
line in CLOUD_PLATFORMS. `shape` may do one kind of I/O only: fetching a token through the
platform's own auth library (providers/vertex.py) or its token endpoint (providers/
exchanged_tokens.py); a failure there is a CloudAuthError, which
the proxy turns into an unavailable account (the attempt is skipped).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any


class OptionError(ValueError):
    """A bad connection option or secret; `field` names it as the API spells it
    (`options.apiVersion`, `apiKey`, `baseUrl`)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class CloudAuthError(RuntimeError):
    """The platform's credentials could not be turned into what a call needs (a token)."""


@dataclass(frozen=True)
class CloudRequest:
    """One call as the gateway built it for a cloud platform's connection."""

    path: str  # the endpoint path after the base URL: "/chat/completions", "/embeddings"…
    query: str  # the query string the gateway built ("" for none)
    model: str  # the provider's model id the attempt names
    headers: Mapping[str, str]  # the call's headers without any credential
    options: Mapping[str, Any]  # the connection's checked options
    secret: str  # the connection's decrypted API key (or service-account JSON)
    base_url: str | None  # the connection's own base URL, None for the platform's default
    account: Hashable  # the account's key, for what is cached per account (tokens)
    body: bytes | None = None  # the call's body, for a platform that signs it (Bedrock)


@dataclass(frozen=True)
class CloudCall:
    """The call as the platform takes it."""

    url: str
    headers: dict[str, str]
    model: str  # the model id the body carries (Azure: the deployment name)
    body: bytes | None = None  # the body in the platform's own shape (watsonx); None: as built
    ca_bundle: str | None = None  # the CA file its host's certificate chains to (GigaChat)


OptionsCheck = Callable[[Mapping[str, Any], str | None], dict[str, Any]]
SecretCheck = Callable[[str], str]
SecretLabel = Callable[[str], str | None]


def any_secret(secret: str) -> str:
    """A plain API key or token: one word."""
    if not secret or any(ch.isspace() for ch in secret):
        raise OptionError("apiKey", "must be one word without spaces")
    return secret


@dataclass(frozen=True)
class CloudPlatform:
    """What the gateway needs to know of one platform (see the module docstring).
    `check_options(options, base_url)` returns the options as stored (defaults filled in) or
    raises OptionError; `check_secret(secret)` returns the secret as stored;
    `secret_label(secret)` what the dashboard shows of a checked secret instead of its last
    characters (Vertex: the service account's masked e-mail), None for those;
    `model_list(request)` the GET listing the account's models, None when that is the chat
    prefix + the provider's models path (what `shape` gives)."""

    check_options: OptionsCheck
    shape: Callable[[CloudRequest], CloudCall]
    check_secret: SecretCheck = any_secret
    secret_label: SecretLabel = lambda secret: None
    model_list: Callable[[CloudRequest], CloudCall] | None = None


# --- helpers the platform modules share --------------------------------------------------


def known_keys(options: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in options:
        if key not in allowed:
            raise OptionError(f"options.{key}", f"is not an option; use {', '.join(allowed)}")


def text_option(
    options: Mapping[str, Any],
    key: str,
    pattern: re.Pattern[str],
    rule: str,
    *,
    default: str | None = None,
) -> str | None:
    """The option `key` as a string matching `pattern` (`rule` says how, for the message);
    `default` when it is absent, null or empty."""
    value = options.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str) or not pattern.fullmatch(value.strip()):
        raise OptionError(f"options.{key}", rule)
    return value.strip()


def required(value: str | None, key: str, rule: str) -> str:
    if value is None:
        raise OptionError(f"options.{key}", f"is required: {rule}")
    return value


def without_credentials(headers: Mapping[str, str], names: frozenset[str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() not in names}
