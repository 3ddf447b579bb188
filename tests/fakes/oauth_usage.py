"""The fake OAuth server's usage endpoints, each as strict as the real one about who may ask:

- claude-code.usage     GET /claude/api/oauth/usage — Bearer of a Claude access token it issued
                        and the `oauth-2025-04-20` beta flag, else 401 authentication_error;
                        `{five_hour, seven_day, seven_day_<model>: {utilization 0–100,
                        resets_at ISO}, extra_usage}`
- codex.usage           GET /codex/backend-api/wham/usage — Bearer of a Codex token (401) and
                        the `chatgpt-account-id` of its workspace (403); `{plan_type,
                        rate_limit: {allowed, limit_reached, primary_window: {used_percent,
                        limit_window_seconds, reset_after_seconds, reset_at}, secondary_window}}`
- github-copilot.usage  GET /github/copilot_internal/user — the GitHub user token (`token` or
                        Bearer scheme); a Copilot token, a revoked or unknown token: 401 Bad
                        credentials. The paid plan's `quota_snapshots` (chat and completions
                        unlimited) or, with `copilot_plan = "free"`, `monthly_quotas` and
                        `limited_user_quotas` (what remains)
- kiro.usage            POST /kiro/{region}/usage — Bearer of a Kiro token (403
                        AccessDeniedException), `x-amz-target:
                        AmazonCodeWhispererService.GetUsageLimits` and an x-amz-json-1.0 body
                        with `origin` (400 otherwise); `{usageBreakdownList, nextDateReset,
                        subscriptionInfo}` with dates in unix seconds

Each reports the percent used that `fake.usage[provider][window]` holds (`default_usage()`),
with resets counted from the fake's clock. `fake.fail_usage(provider, 429, retry_after=…)`
scripts a refusal.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tests.fakes.oauth_tokens import Answer, FakeRequest, chatgpt_account_id

if TYPE_CHECKING:
    from tests.fakes.oauth_server import OAuthFake

OAUTH_BETA = "oauth-2025-04-20"
KIRO_TARGET = "AmazonCodeWhispererService.GetUsageLimits"
HOUR, DAY = 3600, 86400
COPILOT_PREMIUM, COPILOT_FREE_CHAT, COPILOT_FREE_COMPLETIONS, KIRO_CREDITS = 300, 50, 2000, 50


def default_usage() -> dict[str, dict[str, float]]:
    """{provider: {window: percent used}} the usage endpoints report until a test changes it."""
    return {
        "claude-code": {"five_hour": 30.0, "seven_day": 60.0, "seven_day_opus": 5.0},
        "codex": {"primary_window": 30.0, "secondary_window": 60.0},
        "github-copilot": {"premium_interactions": 40.0, "chat": 10.0, "completions": 2.0},
        "kiro": {"monthly": 24.0},
    }


def _token_of(fake: OAuthFake, request: FakeRequest, provider: str) -> str:
    """The request's token if the fake issued it for `provider` and it is not revoked."""
    token = request.bearer
    known = fake.state.access.get(token)
    if not token or known is None or known[0] != provider or token in fake.state.revoked:
        return ""
    return token


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat()


def claude_usage(fake: OAuthFake, request: FakeRequest) -> Answer:
    flags = {flag.strip() for flag in request.headers.get("anthropic-beta", "").split(",")}
    token = _token_of(fake, request, "claude-code")
    if not token or OAUTH_BETA not in flags:
        message = "Invalid bearer token" if not token else "OAuth authentication is not supported"
        error = {"type": "authentication_error", "message": message}
        return Answer(401, {"type": "error", "error": error})
    now, used = fake.clock(), fake.usage["claude-code"]
    lengths = {"five_hour": 5 * HOUR}
    body: dict = {
        window: {
            "utilization": percent,
            "resets_at": _iso(now + lengths.get(window, 7 * DAY) / 2),
        }
        for window, percent in used.items()
    }
    body["extra_usage"] = {"is_enabled": False, "monthly_limit": None, "used_credits": None}
    return Answer(200, body)


def codex_usage(fake: OAuthFake, request: FakeRequest) -> Answer:
    token = _token_of(fake, request, "codex")
    if not token:
        return Answer(401, {"detail": "Could not parse your authentication token."})
    account = fake.state.access[token][1]
    if request.headers.get("chatgpt-account-id") != chatgpt_account_id(account):
        return Answer(403, {"detail": "chatgpt-account-id is missing or names another workspace"})
    now, used = fake.clock(), fake.usage["codex"]
    lengths = {"primary_window": 5 * HOUR, "secondary_window": 7 * DAY}
    limits: dict = {"allowed": True, "limit_reached": False}
    for window, percent in used.items():
        after = lengths[window] // 2
        limits[window] = {
            "used_percent": percent,
            "limit_window_seconds": lengths[window],
            "reset_after_seconds": after,
            "reset_at": int(now + after),
        }
        if percent >= 100:
            limits.update(allowed=False, limit_reached=True)
    return Answer(200, {"plan_type": "plus", "rate_limit": limits, "credits": None})


def copilot_usage(fake: OAuthFake, request: FakeRequest) -> Answer:
    token = _token_of(fake, request, "github-copilot")  # a Copilot token is not one of them
    if not token:
        return Answer(401, {"message": "Bad credentials"})
    used = fake.usage["github-copilot"]
    reset = dt.datetime.fromtimestamp(fake.clock() + 20 * DAY, dt.UTC).date()
    if fake.copilot_plan == "free":
        allowance = {"chat": COPILOT_FREE_CHAT, "completions": COPILOT_FREE_COMPLETIONS}
        left = {kind: total * (1 - used[kind] / 100) for kind, total in allowance.items()}
        return Answer(
            200,
            {
                "copilot_plan": "free",
                "access_type_sku": "free_limited_copilot",
                "monthly_quotas": allowance,
                "limited_user_quotas": left,
                "limited_user_reset_date": reset.isoformat(),
            },
        )
    premium = used["premium_interactions"]
    unlimited = {"entitlement": 0, "remaining": 0, "percent_remaining": 100.0, "unlimited": True}
    snapshots = {
        "premium_interactions": {
            "entitlement": COPILOT_PREMIUM,
            "remaining": COPILOT_PREMIUM * (1 - premium / 100),
            "percent_remaining": 100.0 - premium,
            "unlimited": False,
            "overage_permitted": False,
        },
        "chat": unlimited,
        "completions": unlimited,
    }
    return Answer(
        200,
        {
            "copilot_plan": "individual",
            "quota_snapshots": snapshots,
            "quota_reset_date": reset.isoformat(),
            "quota_reset_date_utc": f"{reset.isoformat()}T00:00:00.000Z",
        },
    )


def kiro_usage(fake: OAuthFake, request: FakeRequest) -> Answer:
    if not _token_of(fake, request, "kiro"):
        return Answer(403, {"__type": "AccessDeniedException", "message": "Invalid token"})
    if request.headers.get("x-amz-target") != KIRO_TARGET:
        return Answer(400, {"__type": "UnknownOperationException"})
    content_type = request.headers.get("content-type", "")
    if "x-amz-json-1.0" not in content_type or request.body.get("origin") != "AI_EDITOR":
        return Answer(400, {"__type": "ValidationException", "message": "origin is required"})
    reset = int(fake.clock() + 20 * DAY)
    used = KIRO_CREDITS * fake.usage["kiro"]["monthly"] / 100
    credit = {
        "resourceType": "CREDIT",
        "displayName": "Credit",
        "currentUsage": int(used),
        "currentUsageWithPrecision": used,
        "usageLimit": KIRO_CREDITS,
        "usageLimitWithPrecision": float(KIRO_CREDITS),
        "nextDateReset": float(reset),
    }
    return Answer(
        200,
        {
            "usageBreakdownList": [credit],
            "nextDateReset": float(reset),
            "subscriptionInfo": {"subscriptionTitle": "KIRO FREE"},
        },
    )
