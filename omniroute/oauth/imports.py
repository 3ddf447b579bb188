"""Signing in by importing a provider CLI's own credentials file, uploaded in the dashboard or
read on the server (only when the caller allows it):

    claude-code     ~/.claude/.credentials.json       {claudeAiOauth: {accessToken, refreshToken,
                                                       expiresAt (ms)}}
    codex           ~/.codex/auth.json                {tokens: {access_token, refresh_token,
                                                       id_token, account_id}} (expiry: JWT exp)
    github-copilot  ~/.config/github-copilot/apps.json or hosts.json
                                                      {"github.com:<app>": {oauth_token, user}}
    kiro            ~/.aws/sso/cache/kiro-auth-token.json  camelCase {accessToken, refreshToken,
                                                       expiresAt (ISO), region, clientIdHash, …}
    gemini-cli      ~/.gemini/oauth_creds.json        {access_token, refresh_token, expiry_date}

A file that does not have the expected shape is a ValueError saying what was expected (the API
answers 400 and saves nothing); its content is never echoed in the message.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .authorization import account_claims
from .device import check_region
from .grants import SignedIn
from .jwt_claims import jwt_claims, jwt_expiry
from .provider import OAuthProvider

MAX_FILE_BYTES = 1_000_000
KIRO_CLIENT_FIELDS = ("clientId", "clientSecret")
KIRO_EXTRA_FIELDS = ("authMethod", "provider", "profileArn", "clientIdHash", *KIRO_CLIENT_FIELDS)

Clock = Callable[[], float]
Reader = Callable[[OAuthProvider, dict[str, Any], Clock], SignedIn]


class ServerFilesDisabled(PermissionError):
    """Reading credential files on the server is not allowed by the settings."""


def import_credentials(
    provider: OAuthProvider,
    content: bytes,
    *,
    registration: bytes | None = None,
    clock: Clock = time.time,
) -> SignedIn:
    """The sign-in held in a CLI credentials file's content. `registration` is Kiro's sibling
    `<clientIdHash>.json` (its client id and secret), when there is one."""
    reader = READERS.get(provider.id)
    if reader is None or not provider.offers("import"):
        raise ValueError(f"{provider.id} has no credentials file to import")
    data = _json_object(content, EXPECTED[provider.id])
    if registration is not None:
        client = _json_object(registration, "a Kiro client registration ({clientId, clientSecret})")
        data = {
            **{k: client[k] for k in KIRO_CLIENT_FIELDS if isinstance(client.get(k), str)},
            **data,
        }
    return reader(provider, data, clock)


def read_credentials(
    provider: OAuthProvider,
    path: str | None = None,
    *,
    allowed: bool,
    clock: Clock = time.time,
) -> SignedIn:
    """Import from a file on the server: `path`, or the first of the provider's usual files that
    exists. ServerFilesDisabled unless `allowed`; ValueError when there is no such file."""
    if not allowed:
        raise ServerFilesDisabled("reading credential files on the server is turned off")
    candidates = [path] if path else list(provider.credential_files)
    for candidate in candidates:
        file = Path(candidate).expanduser()
        if file.is_file():
            return import_credentials(
                provider, _read(file), registration=_kiro_registration(file), clock=clock
            )
    names = ", ".join(candidates) or "(none declared)"
    raise ValueError(f"no credentials file found for {provider.id}: looked for {names}")


def _read(file: Path) -> bytes:
    if file.stat().st_size > MAX_FILE_BYTES:
        raise ValueError(f"{file} is too large to be a credentials file")
    try:
        return file.read_bytes()
    except OSError as error:
        raise ValueError(f"{file} cannot be read: {error.strerror}") from None


def _kiro_registration(token_file: Path) -> bytes | None:
    """Kiro keeps an IdC login's client registration in `<clientIdHash>.json` beside it."""
    try:
        token = json.loads(token_file.read_bytes())
        name = token.get("clientIdHash") if isinstance(token, dict) else None
    except ValueError:
        return None
    if not isinstance(name, str) or not name.isalnum():
        return None
    sibling = token_file.with_name(f"{name}.json")
    return _read(sibling) if sibling.is_file() else None


def _json_object(content: bytes, expected: str) -> dict[str, Any]:
    if len(content) > MAX_FILE_BYTES:
        raise ValueError("the file is too large to be a credentials file")
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError(f"the file is not text; expected {expected}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"the file is not valid JSON ({error.msg}); expected {expected}") from None
    if not isinstance(data, dict):
        raise ValueError(f"the file is not a JSON object; expected {expected}")
    return data


def _token(data: Mapping[str, Any], name: str, expected: str, required: bool = True) -> str:
    value = data.get(name)
    if isinstance(value, str) and value:
        return value
    if required or value is not None:
        raise ValueError(f"the file has no {name}; expected {expected}")
    return ""


def _strings(data: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    return {name: data[name] for name in names if isinstance(data.get(name), str) and data[name]}


def _epoch_ms(value: Any, expected: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"the file's expiry is not a number of milliseconds; expected {expected}")
    return value / 1000.0


def _iso_time(value: Any, expected: str) -> float | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"the file's expiresAt is not an ISO time; expected {expected}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _claude(provider: OAuthProvider, data: dict[str, Any], clock: Clock) -> SignedIn:
    expected = EXPECTED[provider.id]
    tokens = data.get("claudeAiOauth")
    if not isinstance(tokens, dict):
        raise ValueError(f"the file has no claudeAiOauth object; expected {expected}")
    return SignedIn(
        provider=provider.id,
        access_token=_token(tokens, "accessToken", expected),
        refresh_token=_token(tokens, "refreshToken", expected, required=False) or None,
        expires_at=_epoch_ms(tokens.get("expiresAt"), expected),
        extra=_strings(tokens, ("subscriptionType", "rateLimitTier")),
    )


def _codex(provider: OAuthProvider, data: dict[str, Any], clock: Clock) -> SignedIn:
    expected = EXPECTED[provider.id]
    tokens = data.get("tokens")
    if not isinstance(tokens, dict):
        if data.get("OPENAI_API_KEY"):
            raise ValueError("this auth.json holds an OpenAI API key, not a ChatGPT sign-in")
        raise ValueError(f"the file has no tokens object; expected {expected}")
    access_token = _token(tokens, "access_token", expected)
    claims = jwt_claims(_token(tokens, "id_token", expected, required=False))
    extra = account_claims(claims)
    if isinstance(tokens.get("account_id"), str) and tokens["account_id"]:
        extra.setdefault("chatgpt_account_id", tokens["account_id"])
    return SignedIn(
        provider=provider.id,
        access_token=access_token,
        refresh_token=_token(tokens, "refresh_token", expected, required=False) or None,
        expires_at=jwt_expiry(access_token),
        account=str(claims.get("email") or ""),
        extra=extra,
    )


def _copilot(provider: OAuthProvider, data: dict[str, Any], clock: Clock) -> SignedIn:
    expected = EXPECTED[provider.id]
    preferred = f"github.com:{provider.client_id}"
    hosts = [preferred] + [
        key for key in data if key == "github.com" or key.startswith("github.com:")
    ]
    for key in hosts:
        entry = data.get(key)
        if isinstance(entry, dict) and isinstance(entry.get("oauth_token"), str):
            return SignedIn(
                provider=provider.id,
                access_token=_token(entry, "oauth_token", expected),
                refresh_token=None,
                expires_at=None,
                account=str(entry.get("user") or ""),
            )
    raise ValueError(f"the file has no github.com entry with an oauth_token; expected {expected}")


def _kiro(provider: OAuthProvider, data: dict[str, Any], clock: Clock) -> SignedIn:
    expected = EXPECTED[provider.id]
    region = data.get("region") or provider.endpoints.get("region", "")
    try:
        region = check_region(str(region))
    except ValueError as error:
        raise ValueError(f"the file's region is not valid: {error}") from None
    return SignedIn(
        provider=provider.id,
        access_token=_token(data, "accessToken", expected),
        refresh_token=_token(data, "refreshToken", expected, required=False) or None,
        expires_at=_iso_time(data.get("expiresAt"), expected),
        account=str(data.get("email") or ""),
        extra={**_strings(data, KIRO_EXTRA_FIELDS), "region": region},
    )


def _google(provider: OAuthProvider, data: dict[str, Any], clock: Clock) -> SignedIn:
    expected = EXPECTED[provider.id]
    claims = jwt_claims(_token(data, "id_token", expected, required=False))
    return SignedIn(
        provider=provider.id,
        access_token=_token(data, "access_token", expected),
        refresh_token=_token(data, "refresh_token", expected, required=False) or None,
        expires_at=_epoch_ms(data.get("expiry_date"), expected),
        account=str(claims.get("email") or ""),
    )


READERS: dict[str, Reader] = {
    "claude-code": _claude,
    "codex": _codex,
    "github-copilot": _copilot,
    "kiro": _kiro,
    "gemini-cli": _google,
}
EXPECTED = {
    "claude-code": 'Claude Code\'s .credentials.json: {"claudeAiOauth": {"accessToken", '
    '"refreshToken", "expiresAt"}}',
    "codex": 'Codex\'s auth.json: {"tokens": {"access_token", "refresh_token", "id_token", '
    '"account_id"}}',
    "github-copilot": 'GitHub Copilot\'s apps.json or hosts.json: {"github.com:<app>": '
    '{"oauth_token", "user"}}',
    "kiro": 'Kiro\'s kiro-auth-token.json: {"accessToken", "refreshToken", "expiresAt", "region"}',
    "gemini-cli": 'Gemini CLI\'s oauth_creds.json: {"access_token", "refresh_token", '
    '"expiry_date"}',
}
