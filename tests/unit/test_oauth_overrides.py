"""DATA_DIR/oauth-providers.json over the provider declarations: each field checked against
OAuthProvider, mappings merged key by key, and every bad file a ValueError naming the provider
and the field."""

from __future__ import annotations

import json

import pytest

from omniroute.oauth.declarations import OAUTH_PROVIDERS
from omniroute.oauth.overrides import OVERRIDES_FILE, apply_overrides, providers_for


def write(tmp_path, content) -> None:
    text = content if isinstance(content, str) else json.dumps(content)
    (tmp_path / OVERRIDES_FILE).write_text(text, encoding="utf-8")


def test_without_a_file_the_declarations_stand(tmp_path):
    assert providers_for(tmp_path) == OAUTH_PROVIDERS
    assert providers_for(None) == OAUTH_PROVIDERS


def test_fields_are_replaced_and_the_declarations_are_left_alone(tmp_path):
    write(
        tmp_path,
        {
            "claude-code": {"token_url": "http://127.0.0.1:9/token", "scopes": ["a", "b"]},
            "codex": {"refresh_lead_seconds": 60, "rotating_refresh": False},
        },
    )
    providers = providers_for(tmp_path)
    assert providers["claude-code"].token_url == "http://127.0.0.1:9/token"
    assert providers["claude-code"].scopes == ("a", "b")
    assert providers["claude-code"].client_id == OAUTH_PROVIDERS["claude-code"].client_id
    assert providers["codex"].refresh_lead_seconds == 60.0
    assert providers["codex"].rotating_refresh is False
    assert providers["kiro"] == OAUTH_PROVIDERS["kiro"]
    assert OAUTH_PROVIDERS["claude-code"].token_url.startswith("https://")


def test_mapping_fields_merge_key_by_key_and_null_removes_a_key(tmp_path):
    write(
        tmp_path,
        {"github-copilot": {"endpoints": {"user": "http://127.0.0.1:9/user", "usage": None}}},
    )
    endpoints = providers_for(tmp_path)["github-copilot"].endpoints
    assert endpoints["user"] == "http://127.0.0.1:9/user"
    assert "usage" not in endpoints
    assert (
        endpoints["copilot_token"] == OAUTH_PROVIDERS["github-copilot"].endpoints["copilot_token"]
    )


BAD_FILES = [
    # (file content, what the message names)
    ("{not json", "not valid JSON"),
    ("[]", "expected {provider id: {field: value}}"),
    ({"codex": "https://x"}, "expected {provider id: {field: value}}"),
    ({"nobody": {"token_url": "x"}}, "unknown provider 'nobody'"),
    ({"codex": {"token_uri": "x"}}, "codex.token_uri: no such field"),
    ({"codex": {"id": "claude-code"}}, "codex.id: no such field can be overridden"),
    ({"codex": {"token_url": 5}}, "codex.token_url: expected a string"),
    ({"codex": {"scopes": "openid email"}}, "codex.scopes: expected a list of strings"),
    ({"codex": {"scopes": ["openid", 1]}}, "codex.scopes: expected a list of strings"),
    ({"codex": {"endpoints": ["x"]}}, "codex.endpoints: expected an object of strings"),
    ({"codex": {"endpoints": {"usage": 1}}}, "codex.endpoints.usage: expected a string"),
    ({"codex": {"refresh_lead_seconds": "300"}}, "codex.refresh_lead_seconds: expected a number"),
    ({"codex": {"refresh_lead_seconds": -1}}, "codex.refresh_lead_seconds: expected a number"),
    ({"codex": {"refresh_lead_seconds": True}}, "codex.refresh_lead_seconds: expected a number"),
    ({"codex": {"rotating_refresh": "no"}}, "codex.rotating_refresh: expected true or false"),
    ({"codex": {"token_body": "xml"}}, "codex.token_body: 'xml' is not one of"),
    ({"codex": {"flows": ["paste", "magic"]}}, "codex.flows: 'magic' is not one of"),
    ({"codex": {"status": "dead"}}, "codex.status: 'dead' is not one of"),
    ({"codex": {"device_protocol": "smoke"}}, "codex.device_protocol: 'smoke' is not one of"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES, ids=[m for _, m in BAD_FILES])
def test_a_bad_file_is_a_clear_error_naming_provider_and_field(tmp_path, content, message):
    write(tmp_path, content)
    with pytest.raises(ValueError) as error:
        providers_for(tmp_path)
    assert message in str(error.value)


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    (tmp_path / OVERRIDES_FILE).write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="cannot be read"):
        providers_for(tmp_path)


def test_apply_overrides_works_on_any_declarations():
    changed = apply_overrides(OAUTH_PROVIDERS, {"kiro": {"endpoints": {"region": "eu-west-1"}}})
    assert changed["kiro"].endpoints["region"] == "eu-west-1"
    assert changed["kiro"].endpoints["register"] == OAUTH_PROVIDERS["kiro"].endpoints["register"]
