"""Importing each CLI's own credentials file: the sign-in it holds, and a clear ValueError
(saying what was expected) for anything else."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from omniroute.oauth.declarations import OAUTH_PROVIDERS
from omniroute.oauth.imports import ServerFilesDisabled, import_credentials, read_credentials
from tests.fakes.oauth_tokens import unsigned_jwt

OPENAI_AUTH = {"chatgpt_account_id": "acct-7", "chatgpt_plan_type": "pro"}


def load(provider: str, content: object, **options):
    raw = content if isinstance(content, bytes) else json.dumps(content).encode()
    return import_credentials(OAUTH_PROVIDERS[provider], raw, **options)


def test_claude_credentials():
    signed_in = load(
        "claude-code",
        {
            "claudeAiOauth": {
                "accessToken": "sk-ant-oat01-a",
                "refreshToken": "sk-ant-ort01-r",
                "expiresAt": 1_900_000_000_000,
                "scopes": ["user:inference"],
                "subscriptionType": "max",
            },
            "other": "kept by the CLI, ignored here",
        },
    )
    assert signed_in.provider == "claude-code"
    assert (signed_in.access_token, signed_in.refresh_token) == ("sk-ant-oat01-a", "sk-ant-ort01-r")
    assert signed_in.expires_at == 1_900_000_000.0
    assert signed_in.extra == {"subscriptionType": "max"}


def test_codex_auth_json_reads_expiry_account_and_plan_from_the_jwts():
    id_token = unsigned_jwt({"email": "me@example.com", "https://api.openai.com/auth": OPENAI_AUTH})
    signed_in = load(
        "codex",
        {
            "OPENAI_API_KEY": None,
            "tokens": {
                "access_token": unsigned_jwt({"exp": 1_900_000_000}),
                "refresh_token": "rt_1",
                "id_token": id_token,
                "account_id": "acct-7",
            },
            "last_refresh": "2026-11-01T00:00:00Z",
        },
    )
    assert signed_in.refresh_token == "rt_1"
    assert signed_in.expires_at == 1_900_000_000.0
    assert signed_in.account == "me@example.com"
    assert signed_in.extra == {"chatgpt_account_id": "acct-7", "chatgpt_plan_type": "pro"}


def test_codex_account_id_comes_from_the_file_when_the_id_token_lacks_it():
    tokens = {"access_token": "opaque", "refresh_token": "rt", "account_id": "acct-9"}
    signed_in = load("codex", {"tokens": tokens})
    assert signed_in.extra == {"chatgpt_account_id": "acct-9"}
    assert signed_in.expires_at is None


@pytest.mark.parametrize(
    "content",
    [
        {"github.com:Iv1.b507a08c87ecfe98": {"user": "octocat", "oauth_token": "ghu_a"}},
        {"github.com": {"user": "octocat", "oauth_token": "ghu_a"}},  # the older hosts.json
        {
            "github.com:Iv1.other": {"user": "someone", "oauth_token": "ghu_other"},
            "github.com:Iv1.b507a08c87ecfe98": {"user": "octocat", "oauth_token": "ghu_a"},
        },
    ],
    ids=["apps.json", "hosts.json", "the Copilot app preferred"],
)
def test_copilot_apps_and_hosts_files(content):
    signed_in = load("github-copilot", content)
    assert (signed_in.access_token, signed_in.account) == ("ghu_a", "octocat")
    assert signed_in.refresh_token is None


def test_kiro_token_cache_keeps_region_and_client_in_extra():
    signed_in = load(
        "kiro",
        {
            "accessToken": "aoa1",
            "refreshToken": "aorAAAAAG1",
            "expiresAt": "2026-11-22T10:00:00.000Z",
            "authMethod": "IdC",
            "provider": "BuilderId",
            "region": "eu-west-1",
            "clientIdHash": "abc123",
        },
        registration=json.dumps({"clientId": "cid", "clientSecret": "csec"}).encode(),
    )
    assert signed_in.refresh_token == "aorAAAAAG1"
    assert signed_in.expires_at == dt.datetime(2026, 11, 22, 10, tzinfo=dt.UTC).timestamp()
    assert signed_in.extra == {
        "authMethod": "IdC",
        "provider": "BuilderId",
        "clientIdHash": "abc123",
        "clientId": "cid",
        "clientSecret": "csec",
        "region": "eu-west-1",
    }


def test_kiro_region_defaults_to_the_declaration():
    signed_in = load("kiro", {"accessToken": "a", "refreshToken": "r"})
    assert signed_in.extra["region"] == "us-east-1"


def test_gemini_oauth_creds():
    signed_in = load(
        "gemini-cli",
        {
            "access_token": "ya29.a",
            "refresh_token": "1//r",
            "expiry_date": 1_900_000_000_500,
            "id_token": unsigned_jwt({"email": "g@example.com"}),
        },
    )
    assert (signed_in.access_token, signed_in.refresh_token) == ("ya29.a", "1//r")
    assert signed_in.expires_at == 1_900_000_000.5
    assert signed_in.account == "g@example.com"


MALFORMED = [
    # (provider, file content, part of the message)
    ("claude-code", b"", "not valid JSON"),
    ("claude-code", b"\xff\xfe", "not text"),
    ("claude-code", b"[1, 2]", "not a JSON object"),
    ("claude-code", {"accessToken": "a"}, "no claudeAiOauth object"),
    ("claude-code", {"claudeAiOauth": {"refreshToken": "r"}}, "no accessToken"),
    ("claude-code", {"claudeAiOauth": {"accessToken": "a", "refreshToken": 5}}, "no refreshToken"),
    ("claude-code", {"claudeAiOauth": {"accessToken": "a", "expiresAt": "soon"}}, "milliseconds"),
    ("codex", {"OPENAI_API_KEY": "sk-1"}, "holds an OpenAI API key"),
    ("codex", {"auth_mode": "chatgpt"}, "no tokens object"),
    ("codex", {"tokens": {"refresh_token": "r"}}, "no access_token"),
    ("github-copilot", {}, "no github.com entry"),
    ("github-copilot", {"gitlab.com": {"oauth_token": "x"}}, "no github.com entry"),
    ("github-copilot", {"github.com:app": {"user": "octocat"}}, "no github.com entry"),
    ("kiro", {"refreshToken": "r"}, "no accessToken"),
    ("kiro", {"accessToken": "a", "expiresAt": "next week"}, "not an ISO time"),
    ("kiro", {"accessToken": "a", "region": "us-east-1.evil.com/"}, "region is not valid"),
    ("gemini-cli", {"token": {"access_token": "a"}}, "no access_token"),
    ("gemini-cli", {"access_token": "a", "expiry_date": True}, "milliseconds"),
]


@pytest.mark.parametrize(
    ("provider", "content", "message"), MALFORMED, ids=[m for *_, m in MALFORMED]
)
def test_a_malformed_file_is_a_clear_error_saying_what_was_expected(provider, content, message):
    with pytest.raises(ValueError) as error:
        load(provider, content)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        ("claude-code", 'expected Claude Code\'s .credentials.json: {"claudeAiOauth": {'),
        ("codex", 'expected Codex\'s auth.json: {"tokens": {"access_token"'),
        ("github-copilot", "expected GitHub Copilot's apps.json or hosts.json"),
        ("kiro", 'expected Kiro\'s kiro-auth-token.json: {"accessToken"'),
        ("gemini-cli", 'expected Gemini CLI\'s oauth_creds.json: {"access_token"'),
    ],
)
def test_the_message_shows_the_expected_shape(provider, expected):
    with pytest.raises(ValueError) as error:
        load(provider, {"unrelated": True})
    assert expected in str(error.value)


def test_the_error_never_echoes_the_file():
    with pytest.raises(ValueError) as error:
        load("claude-code", {"claudeAiOauth": {"refreshToken": "sk-ant-ort01-secret"}})
    assert "secret" not in str(error.value)


def test_a_huge_file_is_refused():
    with pytest.raises(ValueError, match="too large"):
        load("claude-code", b" " * 1_000_001)


@pytest.mark.parametrize("provider", ["qwen", "iflow"])
def test_providers_without_a_credentials_file_refuse_imports(provider):
    with pytest.raises(ValueError, match="no credentials file to import"):
        load(provider, {})


def test_server_files_are_read_only_when_allowed(tmp_path):
    path = tmp_path / "auth.json"
    path.write_text(json.dumps({"tokens": {"access_token": "a", "refresh_token": "r"}}))
    with pytest.raises(ServerFilesDisabled):
        read_credentials(OAUTH_PROVIDERS["codex"], str(path), allowed=False)
    assert read_credentials(OAUTH_PROVIDERS["codex"], str(path), allowed=True).access_token == "a"


def test_a_missing_server_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no credentials file found for codex"):
        read_credentials(OAUTH_PROVIDERS["codex"], str(tmp_path / "nope.json"), allowed=True)


def test_kiro_reads_its_client_registration_beside_the_token_cache(tmp_path):
    token = {"accessToken": "a", "refreshToken": "r", "clientIdHash": "f00d"}
    (tmp_path / "kiro-auth-token.json").write_text(json.dumps(token))
    (tmp_path / "f00d.json").write_text(json.dumps({"clientId": "cid", "clientSecret": "cs"}))
    path = str(tmp_path / "kiro-auth-token.json")
    signed_in = read_credentials(OAUTH_PROVIDERS["kiro"], path, allowed=True)
    assert (signed_in.extra["clientId"], signed_in.extra["clientSecret"]) == ("cid", "cs")
