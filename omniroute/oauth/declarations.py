"""The subscription providers' sign-in declarations: every constant of each provider's flow in
one place (endpoints, client ids, scopes, redirects, refresh lead, required upstream headers).

Values are those the providers' own CLIs used in late 2026; they drift, so a user can override
any field in `DATA_DIR/oauth-providers.json` (overrides.py) without waiting for a release.
The upstream headers are only what each API requires to answer; nothing here imitates a
client's fingerprint (no forged billing headers, device ids or hidden client names).
"""

from __future__ import annotations

from .provider import OAuthProvider


def N_(text: str) -> str:
    """Marks a note for the message catalog; the dashboard translates it when it shows it."""
    return text


CLAUDE_CODE = OAuthProvider(
    id="claude-code",
    flows=("paste", "loopback", "import"),
    client_id="9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    authorize_url="https://claude.ai/oauth/authorize",
    token_url="https://platform.claude.com/v1/oauth/token",
    scopes=(
        "user:profile",
        "user:inference",
        "user:sessions:claude_code",
        "user:mcp_servers",
        "user:file_upload",
    ),
    # the hosted page shows `code#state` to paste: works on a VPS with no listener at all
    redirect_uri="https://platform.claude.com/oauth/code/callback",
    loopback_redirect="http://localhost:{port}/oauth/callback",  # any loopback port is accepted
    authorize_params={"code": "true", "prompt": "login"},
    token_body="json",
    exchange_sends_state=True,
    refresh_lead_seconds=600.0,  # access tokens live about 8 h; refresh tokens rotate
    reauth_errors=("invalid_grant", "invalid_request"),
    credential_files=("~/.claude/.credentials.json", "~/.config/claude/credentials.json"),
    upstream_headers={
        "anthropic-version": "2023-06-01",
        # the OAuth beta flag is what makes a Bearer subscription token acceptable
        "anthropic-beta": "claude-code-20250219,oauth-2025-04-20",
    },
    endpoints={
        "usage": "https://api.anthropic.com/api/oauth/usage",
        "profile": "https://api.anthropic.com/api/oauth/profile",
    },
    tos_risk="high",
    tos_note=N_(
        "Anthropic's terms limit Claude Pro/Max sign-in to its own apps; third-party traffic may "
        "draw from extra usage instead of the plan, and accounts have been suspended."
    ),
)

CODEX = OAuthProvider(
    id="codex",
    flows=("loopback", "paste", "device", "import"),
    client_id="app_EMoamEEZ73f0CkXaXp7hrann",
    authorize_url="https://auth.openai.com/oauth/authorize",
    token_url="https://auth.openai.com/oauth/token",
    device_code_url="https://auth.openai.com/api/accounts/deviceauth/usercode",
    device_token_url="https://auth.openai.com/api/accounts/deviceauth/token",
    verification_url="https://auth.openai.com/codex/device",
    scopes=("openid", "email", "profile", "offline_access"),
    loopback_redirect="http://localhost:1455/auth/callback",  # the only redirect it accepts
    authorize_params={
        "id_token_add_organizations": "true",
        "codex_cli_simplified_flow": "true",
        "prompt": "login",  # a second account must not reuse the first one's session
    },
    token_body="form",
    device_protocol="openai-deviceauth",
    refresh_lead_seconds=300.0,  # lifetime from the access token's `exp`
    reauth_errors=("refresh_token_reused", "invalid_grant", "token_expired", "invalid_token"),
    credential_files=("~/.codex/auth.json",),
    upstream_headers={"originator": "codex_cli_rs"},
    endpoints={
        "device_redirect": "https://auth.openai.com/deviceauth/callback",
        "usage": "https://chatgpt.com/backend-api/wham/usage",
    },
    tos_risk="medium",
    tos_note=N_(
        "The ChatGPT backend is not a public API; running many accounts through one gateway "
        "has led to account locks."
    ),
)

GITHUB_COPILOT = OAuthProvider(
    id="github-copilot",
    flows=("device", "import"),
    client_id="Iv1.b507a08c87ecfe98",
    token_url="https://github.com/login/oauth/access_token",
    device_code_url="https://github.com/login/device/code",
    verification_url="https://github.com/login/device",
    scopes=("read:user",),
    token_body="form",
    device_protocol="rfc8628",
    refresh_lead_seconds=300.0,  # the Copilot token lives about 30 min
    rotating_refresh=False,
    reauth_errors=("invalid_grant", "bad_refresh_token", "bad_verification_code"),
    credential_files=("~/.config/github-copilot/apps.json", "~/.config/github-copilot/hosts.json"),
    upstream_headers={  # the editor headers Copilot's API requires
        "copilot-integration-id": "vscode-chat",
        "editor-version": "vscode/1.117.0",
        "editor-plugin-version": "copilot-chat/0.45.1",
    },
    endpoints={
        "copilot_token": "https://api.github.com/copilot_internal/v2/token",
        "usage": "https://api.github.com/copilot_internal/user",
        "user": "https://api.github.com/user",
    },
    tos_risk="medium",
    tos_note=N_(
        "GitHub has suspended accounts for scripted use of Copilot through unsupported clients "
        "or many accounts."
    ),
)

KIRO = OAuthProvider(
    id="kiro",
    flows=("device", "import"),
    device_code_url="https://oidc.{region}.amazonaws.com/device_authorization",
    device_token_url="https://oidc.{region}.amazonaws.com/token",
    token_url="https://oidc.{region}.amazonaws.com/token",
    verification_url="https://view.awsapps.com/start/#/device",
    scopes=("codewhisperer:completions", "codewhisperer:analysis", "codewhisperer:conversations"),
    token_body="json",
    device_protocol="aws-oidc",
    refresh_lead_seconds=300.0,
    # AWS names the error in `__type` (InvalidGrantException) or in `error` (invalid_grant)
    reauth_errors=("InvalidGrantException", "ExpiredTokenException", "invalid_grant"),
    credential_files=("~/.aws/sso/cache/kiro-auth-token.json",),
    endpoints={
        "register": "https://oidc.{region}.amazonaws.com/client/register",
        "start_url": "https://view.awsapps.com/start",
        "region": "us-east-1",
        "usage": "https://codewhisperer.{region}.amazonaws.com",
    },
    tos_risk="high",
    tos_note=N_(
        "Kiro's terms forbid using it through a proxy or another harness; proxied accounts have "
        "been suspended, in one report together with the AWS account."
    ),
)

GEMINI_CLI = OAuthProvider(
    id="gemini-cli",
    flows=("paste", "loopback", "import"),
    client_id="681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com",
    client_secret_env="GEMINI_CLI_OAUTH_CLIENT_SECRET",
    authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    scopes=(
        "https://www.googleapis.com/auth/cloud-platform",
        "https://www.googleapis.com/auth/userinfo.email",
        "https://www.googleapis.com/auth/userinfo.profile",
    ),
    redirect_uri="https://codeassist.google.com/authcode",
    loopback_redirect="http://localhost:{port}/oauth/callback",
    authorize_params={"access_type": "offline", "prompt": "consent"},
    refresh_lead_seconds=900.0,  # Google access tokens live 1 h; refresh tokens do not rotate
    rotating_refresh=False,
    credential_files=("~/.gemini/oauth_creds.json",),
    status="enterprise",
    status_note=N_(
        "Personal Google sign-in ended on 2026-06-18: only Gemini Code Assist Standard and "
        "Enterprise accounts can sign in."
    ),
    tos_risk="high",
    tos_note=N_("Google's terms forbid using Gemini CLI sign-in from other software."),
)

QWEN = OAuthProvider(
    id="qwen",
    flows=(),
    status="discontinued",
    status_note=N_("Qwen Code's free sign-in tier ended on 2026-04-15."),
    tos_risk="low",
)

IFLOW = OAuthProvider(
    id="iflow",
    flows=(),
    status="discontinued",
    status_note=N_("iFlow closed on 2026-04-17."),
    tos_risk="low",
)

OAUTH_PROVIDERS: dict[str, OAuthProvider] = {
    provider.id: provider
    for provider in (CLAUDE_CODE, CODEX, GITHUB_COPILOT, KIRO, GEMINI_CLI, QWEN, IFLOW)
}
