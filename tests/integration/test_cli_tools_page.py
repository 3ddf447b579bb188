"""The CLI tools page over real HTTP: snippets filled with this gateway's URL, the picked model and
key (an existing key only as a placeholder, a new one shown once), each tool's detected status,
and Apply → diff → confirm → Restore on a temporary HOME, refused when not allowed."""

from __future__ import annotations

import json
import re
import stat
import tomllib
from html import unescape
from pathlib import Path

import pytest

from tests.dashboard_user import browser_session, csrf_from

MODEL = "openai/gpt-4o-mini"


@pytest.fixture
def home(tmp_path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def tools_gateway(start, upstream, home):
    gateway = start(CLI_TOOLS_HOME=str(home), CLI_TOOLS_APPLY=True)
    gateway.add_connection(upstream.url)
    return gateway


@pytest.fixture
def browser(tools_gateway):
    return browser_session(tools_gateway)


def page(browser, gateway, **params):
    response = browser.get(gateway.url + "/cli-tools", params=params)
    assert response.status_code == 200, response.text[:500]
    return response.text


def card(html: str, tool_id: str) -> str:
    start = html.index(f'data-tool="{tool_id}"')
    end = html.find("<section", start)
    return unescape(html[start : end if end > 0 else len(html)])


def status_of(html: str, tool_id: str) -> str | None:
    match = re.search(r'data-status="([^"]+)"', card(html, tool_id))
    return match.group(1) if match else None


def test_every_tool_has_a_card_filled_with_the_gateway_url_and_model(tools_gateway, browser):
    html = page(browser, tools_gateway, model=MODEL)
    for tool_id in ("claude-code", "codex", "cursor", "cline", "openclaw", "opencode", "aider",
                    "gemini-cli", "qwen-code", "openai-sdk", "anthropic-sdk"):  # fmt: skip
        assert f'data-tool="{tool_id}"' in html
    codex = card(html, "codex")
    assert f'base_url = "{tools_gateway.url}/v1"' in codex and f'model = "{MODEL}"' in codex
    assert f"ANTHROPIC_BASE_URL={tools_gateway.url}" in card(html, "claude-code")
    assert f'<option value="{MODEL}">' in html  # the routing table's models are offered
    assert html.count('data-copy="') >= 11
    assert re.search(r"/static/js/copy\.[0-9a-f]{10}\.js", html)  # fingerprinted


def test_a_model_outside_the_list_is_used_as_typed_and_nonsense_falls_back(tools_gateway, browser):
    assert '"name": "my-combo"' in card(
        page(browser, tools_gateway, model="my-combo"), "gemini-cli"
    )
    fallback = card(page(browser, tools_gateway, model="<script>"), "gemini-cli")
    assert f'"name": "{MODEL}"' in fallback and "<script>" not in fallback


def test_an_existing_key_appears_only_as_a_placeholder_with_its_prefix(tools_gateway, browser):
    created = tools_gateway.admin().post(tools_gateway.url + "/api/keys", json={"name": "cli"})
    key, record = created.json()["key"], created.json()
    html = page(browser, tools_gateway, key_id=record["id"], model=MODEL)
    assert key not in html
    assert f"<paste key {record['prefix']}…>" in card(html, "claude-code")
    assert f'value="{record["id"]}" selected' in html


def test_a_key_created_on_the_page_is_shown_once_and_fills_the_snippets(tools_gateway, browser):
    html = page(browser, tools_gateway)
    response = browser.post(
        tools_gateway.url + "/cli-tools/keys",
        data={"csrf_token": csrf_from(html), "name": "laptop tools", "model": MODEL},
    )
    assert response.status_code == 200
    key = re.search(r"<code data-new-key>([^<]+)</code>", response.text).group(1)
    assert f'"ANTHROPIC_AUTH_TOKEN": "{key}"' in card(response.text, "claude-code")
    assert f"OMNIROUTE_API_KEY={key}" in card(response.text, "codex")
    keys = tools_gateway.admin().get(tools_gateway.url + "/api/keys").json()["data"]
    assert [k["name"] for k in keys] == ["laptop tools"]
    assert key not in page(browser, tools_gateway, key_id=keys[0]["id"])
    chat = browser.post(
        tools_gateway.v1 + "/chat/completions",
        headers={"Authorization": f"Bearer {key}"},
        json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]},
    )
    assert chat.status_code == 200, chat.text


def test_a_key_without_a_name_is_a_400_with_the_field_named(tools_gateway, browser):
    html = page(browser, tools_gateway)
    response = browser.post(
        tools_gateway.url + "/cli-tools/keys", data={"csrf_token": csrf_from(html), "name": " "}
    )
    assert response.status_code == 400 and 'data-error="name"' in response.text


def test_detected_statuses(tools_gateway, browser, home, tmp_path, monkeypatch):
    binaries = tmp_path / "bin"
    binaries.mkdir()
    for name in ("claude", "codex"):
        (binaries / name).write_text("#!/bin/sh\n")
        (binaries / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(binaries))
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text(
        'model_provider = "x"\n[model_providers.omniroute]\nbase_url = "https://elsewhere/v1"\n'
    )
    (home / ".gemini").mkdir()
    (home / ".gemini" / ".env").write_text(f"GOOGLE_GEMINI_BASE_URL={tools_gateway.url}\n")
    html = page(browser, tools_gateway)
    assert status_of(html, "claude-code") == "installed"
    assert status_of(html, "codex") == "configured-elsewhere"
    assert status_of(html, "gemini-cli") == "configured-here"
    assert status_of(html, "aider") == "not-installed"
    assert status_of(html, "openai-sdk") is None


CLAUDE_SETTINGS = '{\n  "permissions": {"allow": ["Bash(ls)"]},\n  "env": {"DEBUG": "1"}\n}\n'


def apply_form(browser, gateway, tool_id: str, **fields):
    html = page(browser, gateway)
    data = {"csrf_token": csrf_from(html), "api_key": "sk-applied-1", "model": MODEL, **fields}
    return browser.post(
        f"{gateway.url}/cli-tools/{tool_id}/apply", data=data, allow_redirects=False
    )


def confirm_digest(preview_html: str) -> str:
    return re.search(r'name="confirm" value="([0-9a-f]{64})"', preview_html).group(1)


def test_apply_shows_the_diff_then_merges_and_restore_puts_the_file_back(
    tools_gateway, browser, home
):
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(CLAUDE_SETTINGS)
    preview = apply_form(browser, tools_gateway, "claude-code")
    assert preview.status_code == 200
    diff = unescape(re.search(r"<pre data-diff><code>(.*?)</code>", preview.text, re.S).group(1))
    assert '+    "ANTHROPIC_BASE_URL": "' + tools_gateway.url + '"' in diff
    assert settings.read_text() == CLAUDE_SETTINGS  # nothing written before the confirmation

    done = apply_form(browser, tools_gateway, "claude-code", confirm=confirm_digest(preview.text))
    assert done.status_code == 302 and "applied=claude-code" in done.headers["Location"]
    written = json.loads(settings.read_text())
    assert written["permissions"] == {"allow": ["Bash(ls)"]}
    assert written["env"]["DEBUG"] == "1"
    assert written["env"]["ANTHROPIC_AUTH_TOKEN"] == "sk-applied-1"
    assert written["env"]["ANTHROPIC_MODEL"] == MODEL
    backups = Path(tools_gateway.services.settings["DATA_DIR"]) / "cli-backups" / "claude-code"
    assert len(list(backups.iterdir())) == 1
    html = page(browser, tools_gateway)
    assert status_of(html, "claude-code") == "configured-here"
    assert "data-restore-form" in card(html, "claude-code")

    restored = browser.post(
        tools_gateway.url + "/cli-tools/claude-code/restore",
        data={"csrf_token": csrf_from(html)},
        allow_redirects=False,
    )
    assert restored.status_code == 302
    assert settings.read_text() == CLAUDE_SETTINGS
    assert list(backups.iterdir()) == []


def test_apply_creates_a_missing_toml_file_and_restore_removes_it(tools_gateway, browser, home):
    preview = apply_form(browser, tools_gateway, "codex")
    assert "--- /dev/null" in unescape(preview.text)
    apply_form(browser, tools_gateway, "codex", confirm=confirm_digest(preview.text))
    config_file = home / ".codex" / "config.toml"
    config = tomllib.loads(config_file.read_text())
    assert config["model_providers"]["omniroute"]["base_url"] == tools_gateway.v1
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    html = page(browser, tools_gateway)
    browser.post(
        tools_gateway.url + "/cli-tools/codex/restore", data={"csrf_token": csrf_from(html)}
    )
    assert not config_file.exists()


def test_a_confirmation_for_a_file_changed_since_the_diff_is_refused(tools_gateway, browser, home):
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text(CLAUDE_SETTINGS)
    digest = confirm_digest(apply_form(browser, tools_gateway, "claude-code").text)
    settings.write_text('{"model": "changed meanwhile"}\n')
    stale = apply_form(browser, tools_gateway, "claude-code", confirm=digest)
    assert stale.status_code == 409 and "data-stale" in stale.text
    assert settings.read_text() == '{"model": "changed meanwhile"}\n'


def test_a_file_that_is_not_valid_json_is_left_alone(tools_gateway, browser, home):
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text("{ // comments are not JSON\n}")
    response = apply_form(browser, tools_gateway, "claude-code")
    assert response.status_code == 409 and "is not valid JSON" in unescape(response.text)
    # the page's own words (translated), not the JSON parser's English
    assert "is not valid JSON: fix or move the file, then apply again." in unescape(response.text)
    assert "Expecting property name" not in response.text
    assert settings.read_text() == "{ // comments are not JSON\n}"


def test_restore_without_a_backup_is_a_404(tools_gateway, browser):
    html = page(browser, tools_gateway)
    response = browser.post(
        tools_gateway.url + "/cli-tools/codex/restore", data={"csrf_token": csrf_from(html)}
    )
    assert response.status_code == 404 and "no backup" in response.text


@pytest.mark.parametrize("api_key", ["", "sk-with space", "sk-line\nbreak"])
def test_apply_needs_a_key_without_spaces(tools_gateway, browser, home, api_key):
    response = apply_form(browser, tools_gateway, "claude-code", api_key=api_key)
    assert response.status_code == 400 and "data-error" in response.text
    assert not (home / ".claude").exists()


@pytest.mark.parametrize("tool_id", ["nope", "cursor", "openai-sdk"])
def test_tools_without_files_to_apply_are_404(tools_gateway, browser, tool_id):
    assert apply_form(browser, tools_gateway, tool_id).status_code == 404


@pytest.mark.parametrize(
    "settings, reason",
    [
        ({}, "CLI_TOOLS_APPLY"),
        ({"CLI_TOOLS_APPLY": True, "HOSTNAME": "0.0.0.0"}, "0.0.0.0"),
        ({"CLI_TOOLS_APPLY": True, "TRUSTED_PROXY": "127.0.0.1"}, "TRUSTED_PROXY"),
    ],
    ids=["setting-off", "beyond-loopback", "behind-a-proxy"],
)
def test_apply_and_restore_are_refused_when_not_allowed(start, home, settings, reason):
    gateway = start(CLI_TOOLS_HOME=str(home), **settings)
    browser = browser_session(gateway)
    html = page(browser, gateway, model=MODEL)
    assert "data-apply-form" not in html and reason in html
    response = apply_form(browser, gateway, "claude-code")
    assert response.status_code == 403 and reason in response.text
    restore = browser.post(
        gateway.url + "/cli-tools/claude-code/restore", data={"csrf_token": csrf_from(html)}
    )
    assert restore.status_code == 403
    assert not (home / ".claude").exists()
