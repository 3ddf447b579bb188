"""Strict fake subscription upstreams: Claude (a Claude Code sign-in), Codex (ChatGPT's backend)
and GitHub Copilot, each refusing a call the way the real API does when it lacks what it needs.

One `SubscriptionUpstream` (a FakeUpstream: same scripted rules, recording and four-format
answers) serves the three under their own path prefixes — `base_url("claude")` is
`…/claude/v1` (POST /messages, /messages/count_tokens), `base_url("codex")` is `…/codex`
(POST /responses), `base_url("copilot")` is `…/copilot` (POST /chat/completions, and
/responses, the only endpoint serving its `*-codex` models):

- Claude refuses an `x-api-key` (an OAuth token is never an API key), a Bearer token it did not
  issue, a Bearer token without the `oauth-2025-04-20` beta flag, a call without `?beta=true`
  and one without `anthropic-version`;
- Codex refuses an unknown token, a missing or foreign `chatgpt-account-id`, `store` other than
  false, a non-streaming call, a call without `instructions`, a string `input`, and each field
  it does not take (STRIPPED_FIELDS);
- Copilot refuses an unknown token, a call without its editor headers, and a `*-codex` model
  at /chat/completions (400 "… is not accessible via the /chat/completions endpoint").
A token is known when `issue` named it, or when `issuer` (provider, token) names its account:
`issued_by(oauth_fake)` accepts what the fake OAuth server issued (tests/fakes/oauth_server.py),
so a gateway signed in through its own sign-in flows calls this fake with its real tokens.
Claude and Codex send their quota headers on every answer (`anthropic-ratelimit-unified-*`,
`x-codex-*`). `exhaust(provider, until, …)` spends an account's window until `until` (by the
fake's clock, a wall clock a test may move): Claude answers 429 with the window `rejected`,
Codex 429 `usage_limit_reached` with `resets_at` — or, with `in_stream=True`, the same refusal
inside a 200 stream (`response.failed`). `refusals` lists every strict refusal as
(provider, reason), so a test can tell the gateway sent something the real API would refuse.

The gateway side (`signed_in_gateway`): a real gateway whose signed-in accounts take their
tokens from `FixedTokens` (grants set per connection, or an exception such as NeedsSignIn), with
its routing state, quota book and this fake on one clock a test moves, and each saved quota
snapshot kept in `saved`; `sign_in` adds an OAuth account pointing at this fake.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from omniroute.oauth.grants import AccessGrant
from omniroute.oauth.quota import QuotaBook
from omniroute.providers.accounts import OAUTH_ACCOUNT
from omniroute.proxy.subscription_calls import SubscriptionCalls
from omniroute.resilience.settings import ResilienceSettings
from omniroute.resilience.state import ResilienceState
from omniroute.routing.state import RoutingState
from omniroute.store.models import ProviderConnection
from tests.fakes import anthropic, openai_chat
from tests.fakes.oauth_tokens import chatgpt_account_id
from tests.fakes.recording import Recorded
from tests.fakes.script import Behavior
from tests.fakes.server import FakeUpstream
from tests.fakes.wire import send, send_json, send_stream, sse

PREFIXES = {"claude": "/claude/v1", "codex": "/codex", "copilot": "/copilot"}
OAUTH_BETA = "oauth-2025-04-20"
STRIPPED_FIELDS = (
    "max_output_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "truncation",
    "user",
    "stream_options",
    "previous_response_id",
    "safety_identifier",
    "prompt_cache_retention",
)
COPILOT_HEADERS = ("editor-version", "copilot-integration-id")
RESPONSES_ONLY_SUFFIX = "-codex"  # Copilot models served only at /responses
FIVE_HOURS, SEVEN_DAYS = 5 * 3600, 7 * 86400
USED = {"5h": 0.25, "7d": 0.1}
CLAUDE_WINDOWS = {"5h": "five_hour", "7d": "seven_day"}
CODEX_WINDOWS = {"5h": ("primary", 300), "7d": ("secondary", 10080)}


@dataclass
class Exhaustion:
    window: str  # "5h" or "7d"
    until: float  # the fake's clock
    in_stream: bool = False


class SubscriptionUpstream(FakeUpstream):
    def __init__(self, clock: Callable[[], float] = time.time):
        super().__init__()
        self.clock = clock
        self.tokens: dict[str, str] = {}  # token → ChatGPT account id ("" for the others)
        # (provider, token) → the account id of a token another fake issued, or None
        self.issuer: Callable[[str, str], str | None] | None = None
        self.exhausted: dict[tuple[str, str], Exhaustion] = {}  # (provider, token) → …
        self.used = dict(USED)  # the windows' use reported while not spent
        self.refusals: list[tuple[str, str]] = []

    # -- control -------------------------------------------------------------------------
    def base_url(self, provider: str) -> str:
        return f"http://{self.host}:{self.port}{PREFIXES[provider]}"

    def issue(self, token: str, account_id: str = "") -> None:
        """Accept `token` (for Codex: the workspace `account_id` it belongs to)."""
        self.tokens[token] = account_id

    def account_of(self, provider: str, token: str | None) -> str | None:
        """The account id `token` belongs to ("" outside Codex); None: an unknown token."""
        if token is None:
            return None
        if token in self.tokens:
            return self.tokens[token]
        return None if self.issuer is None else self.issuer(provider, token)

    def exhaust(
        self, provider: str, token: str, until: float, window: str = "5h", in_stream=False
    ) -> None:
        """Spend `window` of the account holding `token` until `until` (the fake's clock)."""
        self.exhausted[(provider, token)] = Exhaustion(window, until, in_stream)

    def reset(self) -> None:
        super().reset()
        self.tokens.clear()
        self.issuer = None
        self.exhausted.clear()
        self.refusals.clear()
        self.used = dict(USED)

    def requests_to(self, provider: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith(PREFIXES[provider] + "/")]

    # -- answers -------------------------------------------------------------------------
    def answer_headers(self, request: Recorded) -> dict[str, str]:
        provider = _provider_of(request)
        if provider == "claude":
            return self._claude_headers(None)
        if provider == "codex":
            return self._codex_headers(None)
        return {}

    async def _respond(self, request: Recorded, writer) -> bool:
        provider = _provider_of(request)
        if provider is None:
            return await super()._respond(request, writer)
        refusal = STRICT_CHECKS[provider](self, request)
        if refusal is None:
            spent = self.exhausted.get((provider, _bearer(request) or ""))
            if spent is not None and self.clock() < spent.until:
                with self._lock:
                    self.requests.append(request)
                await self._spent(provider, spent, writer)
                return True
            return await super()._respond(request, writer)
        status, message = refusal
        with self._lock:
            self.requests.append(request)
            self.refusals.append((provider, message))
        dialect = anthropic if provider == "claude" else openai_chat
        await send_json(writer, status, dialect.error(status, message))
        return True

    async def _spent(self, provider: str, spent: Exhaustion, writer) -> None:
        if provider == "claude":
            body = anthropic.error(
                429, "This request would exceed your account's rate limit. Please try again later."
            )
            headers = {
                **self._claude_headers(spent),
                "retry-after": str(int(spent.until - self.clock())),
            }
            await send_json(writer, 429, body, headers)
            return
        error = {
            "type": "usage_limit_reached",
            "message": "The usage limit has been reached",
            "plan_type": "plus",
            "resets_at": int(spent.until),
            "resets_in_seconds": int(spent.until - self.clock()),
        }
        headers = self._codex_headers(spent)
        if not spent.in_stream:
            await send(writer, 429, json.dumps({"error": error}).encode(), headers)
            return
        created = {"type": "response.created", "response": {"id": "resp_x", "status": "queued"}}
        failed = {
            "type": "response.failed",
            "response": {
                "id": "resp_x",
                "status": "failed",
                "error": {**error, "code": error["type"]},
            },
        }
        frames = [sse(created, created["type"]), sse(failed, failed["type"])]
        await send_stream(writer, Behavior(headers=headers), frames, b"", self.stream_log)

    def _claude_headers(self, spent: Exhaustion | None) -> dict[str, str]:
        now = self.clock()
        prefix = "anthropic-ratelimit-unified-"
        headers = {f"{prefix}status": "rejected" if spent else "allowed"}
        resets = {"5h": now + FIVE_HOURS / 2, "7d": now + SEVEN_DAYS / 2}
        for window in CLAUDE_WINDOWS:
            rejected = spent is not None and spent.window == window
            reset = spent.until if spent is not None and rejected else resets[window]
            headers[f"{prefix}{window}-status"] = "rejected" if rejected else "allowed"
            headers[f"{prefix}{window}-utilization"] = "1.0" if rejected else str(self.used[window])
            headers[f"{prefix}{window}-reset"] = str(int(reset))
        claim = CLAUDE_WINDOWS[spent.window if spent else "5h"]
        headers[f"{prefix}representative-claim"] = claim
        headers[f"{prefix}reset"] = str(int(spent.until if spent else resets["5h"]))
        return headers

    def _codex_headers(self, spent: Exhaustion | None) -> dict[str, str]:
        now = self.clock()
        headers = {}
        for window, (position, minutes) in CODEX_WINDOWS.items():
            rejected = spent is not None and spent.window == window
            reset = spent.until if spent is not None and rejected else now + minutes * 30
            percent = 100 if rejected else round(self.used[window] * 100)
            headers[f"x-codex-{position}-used-percent"] = str(percent)
            headers[f"x-codex-{position}-window-minutes"] = str(minutes)
            headers[f"x-codex-{position}-reset-at"] = str(int(reset))
            headers[f"x-codex-{position}-reset-after-seconds"] = str(int(reset - now))
        if spent is not None:
            headers["x-codex-limit-reached"] = "true"
        return headers


# -- the strict checks: (status, message) of the refusal, or None -----------------------------
def _claude_refusal(fake: SubscriptionUpstream, request: Recorded) -> tuple[int, str] | None:
    headers = request.headers
    if request.route.format != "anthropic":
        return 404, f"no route {request.path}"
    if "x-api-key" in headers:
        return 401, "invalid x-api-key"
    if fake.account_of("claude", _bearer(request)) is None:
        return 401, "Invalid bearer token"
    if OAUTH_BETA not in _flags(headers.get("anthropic-beta", "")):
        return 401, "OAuth authentication is currently not supported."
    if request.query.get("beta") != "true":
        return 400, "this credential requires the beta Messages API (?beta=true)"
    if "anthropic-version" not in headers:
        return 400, "anthropic-version: header is required"
    return None


def _codex_refusal(fake: SubscriptionUpstream, request: Recorded) -> tuple[int, str] | None:
    if request.route.format != "responses":
        return 404, f"no route {request.path}"
    account = fake.account_of("codex", _bearer(request))
    if account is None:
        return 401, "Could not parse your authentication token"
    if request.headers.get("chatgpt-account-id") != account:
        return 403, "chatgpt-account-id is missing or names another workspace"
    body = request.body if isinstance(request.body, dict) else {}
    if body.get("store") is not False:
        return 400, "Store must be set to false"
    if body.get("stream") is not True:
        return 400, "Stream must be set to true"
    if not isinstance(body.get("instructions"), str):
        return 400, "Instructions are required"
    if not isinstance(body.get("input"), list):
        return 400, "Input must be a list"
    refused = next((name for name in STRIPPED_FIELDS if name in body), None)
    if refused is not None:
        return 400, f"Unsupported parameter: {refused}"
    return None


def _copilot_refusal(fake: SubscriptionUpstream, request: Recorded) -> tuple[int, str] | None:
    if request.route.format not in ("openai", "responses"):
        return 404, f"no route {request.path}"
    if fake.account_of("copilot", _bearer(request)) is None:
        return 401, "unauthorized: token expired or invalid"
    missing = next((name for name in COPILOT_HEADERS if name not in request.headers), None)
    if missing is not None:
        return 400, f"bad request: missing {missing} header for IDE auth"
    model = str(request.model or "")
    if request.route.format == "openai" and model.endswith(RESPONSES_ONLY_SUFFIX):
        return 400, f'model "{model}" is not accessible via the /chat/completions endpoint'
    return None


STRICT_CHECKS = {"claude": _claude_refusal, "codex": _codex_refusal, "copilot": _copilot_refusal}


def _provider_of(request: Recorded) -> str | None:
    path = request.path
    return next((name for name, prefix in PREFIXES.items() if path.startswith(prefix + "/")), None)


def issued_by(oauth: Any) -> Callable[[str, str], str | None]:
    """An `issuer` accepting the access tokens the fake OAuth server `oauth` issued: Claude's,
    Codex's (with the ChatGPT account id of its account) and Copilot tokens whose GitHub token
    is not revoked (never the GitHub user token itself)."""

    def account_of(provider: str, token: str) -> str | None:
        state = oauth.state
        if provider == "copilot":  # revoking the GitHub token ends its Copilot tokens
            user_token = state.copilot.get(token)
            return "" if user_token is not None and user_token not in state.revoked else None
        issued = state.access.get(token)
        if issued is None or issued[0] != OAUTH_PROVIDER_OF[provider]:
            return None
        return chatgpt_account_id(issued[1]) if provider == "codex" else ""

    return account_of


OAUTH_PROVIDER_OF = {"claude": "claude-code", "codex": "codex"}


def _bearer(request: Recorded) -> str | None:
    auth = request.headers.get("authorization", "")
    return auth[7:] if auth.lower().startswith("bearer ") else None


def _flags(value: str) -> set[str]:
    return {flag.strip() for flag in value.split(",") if flag.strip()}


# -- the gateway side of a test: signed-in accounts on a real gateway --------------------------
class FixedTokens:
    """A TokenSource handing out fixed grants (or raising the exception set for an account)."""

    def __init__(self) -> None:
        self.grants: dict[int, AccessGrant | Exception] = {}
        self.asked: list[int] = []

    def access(self, connection_id: int) -> AccessGrant:
        self.asked.append(connection_id)
        grant = self.grants[connection_id]
        if isinstance(grant, Exception):
            raise grant
        return grant


@dataclass
class SignedInGateway:
    """A gateway whose subscription calls use `tokens`, whose routing state and quota book run
    on `clock`, and whose saved quota snapshots land in `saved` as (connection id, snapshot)."""

    gateway: Any
    fake: SubscriptionUpstream
    tokens: FixedTokens
    clock: Callable[[], float]
    saved: list = field(default_factory=list)

    @property
    def quotas(self) -> QuotaBook:
        return self.gateway.services.pipeline.subscriptions.quotas

    def sign_in(
        self, provider: str, token: str, name: str, extra: dict | None = None, base=None
    ) -> int:
        """A signed-in account of `provider` (catalog id) calling the fake with `token` (at
        `base`, when given: "" for the catalog's or the grant's base URL)."""
        account = (extra or {}).get("chatgpt_account_id", "")
        self.fake.issue(token, account)
        created = self.gateway.add_connection(
            self.fake.base_url(FAKE_OF[provider]) if base is None else base,
            provider=provider,
            name=name,
            apiKey="sk-never-sent-0000",
        )
        services = self.gateway.services
        with services.database.connection_context():
            ProviderConnection.update(auth_kind=OAUTH_ACCOUNT).where(
                ProviderConnection.id == created["id"]
            ).execute()
        services.routes.invalidate()
        self.tokens.grants[created["id"]] = AccessGrant(token, extra or {})
        return created["id"]

    def cooling(self) -> dict[tuple, float]:
        """{(connection id, model or None for the whole account): seconds left}"""
        active = self.gateway.services.pipeline.state.cooldowns.active()
        return {(account, model): left for account, model, left, _ in active}


def signed_in_gateway(gateway, fake: SubscriptionUpstream, clock) -> SignedInGateway:
    """Wire `gateway` for signed-in accounts against `fake`, all on `clock` (a wall clock)."""
    tokens = FixedTokens()
    wired = SignedInGateway(gateway, fake, tokens, clock)
    fake.clock = clock
    pipeline = gateway.services.pipeline
    book = QuotaBook(lambda cid, snapshot: wired.saved.append((cid, snapshot)), clock=clock)
    pipeline.subscriptions = SubscriptionCalls(tokens, book, clock=clock)
    # no per-account rate limits: their minimum gap between calls would wait for a clock that
    # only the test moves
    unlimited = ResilienceSettings(limited_tiers=())
    resilience = ResilienceState(unlimited, clock=clock)
    pipeline.state = RoutingState(clock=clock, resilience=resilience)
    return wired


FAKE_OF = {"claude-code": "claude", "codex": "codex", "github-copilot": "copilot"}
