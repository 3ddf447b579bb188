"""Every CLI tools snippet parses in its tool's real format and names the right URL, key and model.

Files are read by the parsers of their formats (json, tomllib, PyYAML, Python's own parser, bash
for dotenv files and `export` lines); the target carries a key with characters that need quoting,
so a snippet that forgets to quote fails here."""

from __future__ import annotations

import ast
import json
import shlex
import subprocess
import tomllib

import pytest
import yaml

from omniroute.cli_tools.catalog import TOOLS, TOOLS_BY_ID
from omniroute.cli_tools.snippets import Target

BASE = "http://gateway.test:8080"
TARGET = Target(BASE, 'sk-"quoted" key $HOME', "cc/claude-opus-4-6")


def shell_values(script: str, names: list[str]) -> dict[str, str]:
    """What bash sees after sourcing `script` (dotenv lines or export lines)."""
    printing = "; ".join(f'printf "%s\\0" "${{{name}}}"' for name in names)
    result = subprocess.run(
        ["bash", "-c", f"set -a; {script}\n{printing}"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        check=True,
    )
    return dict(zip(names, result.stdout.split("\0")[:-1], strict=True))


def parsed(file) -> object:
    if file.format == "json":
        return json.loads(file.content)
    if file.format == "toml":
        return tomllib.loads(file.content)
    if file.format == "yaml":
        return yaml.safe_load(file.content)
    if file.format == "python":
        return ast.parse(file.content)
    if file.format == "env":
        names = [line.split("=", 1)[0] for line in file.content.splitlines()]
        return shell_values(file.content, names)
    raise AssertionError(f"unknown format {file.format}")


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.id)
def test_every_file_parses_in_its_format(tool):
    snippet = tool.build(TARGET)
    assert snippet.files or snippet.fields
    for file in snippet.files:
        parsed(file)


@pytest.mark.parametrize("tool", [t for t in TOOLS if t.build(TARGET).env], ids=lambda t: t.id)
def test_export_lines_give_the_shell_the_exact_values(tool):
    env = tool.build(TARGET).env
    exports = "\n".join(f"export {name}={shlex.quote(value)}" for name, value in env.items())
    assert shell_values(exports, list(env)) == env


def files_of(tool_id: str) -> dict[str, object]:
    return {f.path: parsed(f) for f in TOOLS_BY_ID[tool_id].build(TARGET).files}


def test_claude_code_settings_env_block():
    settings = files_of("claude-code")["~/.claude/settings.json"]
    assert settings == {
        "env": {
            "ANTHROPIC_BASE_URL": BASE,
            "ANTHROPIC_AUTH_TOKEN": TARGET.api_key,
            "ANTHROPIC_MODEL": TARGET.model,
            "ANTHROPIC_DEFAULT_HAIKU_MODEL": TARGET.model,
        }
    }


def test_codex_config_selects_the_omniroute_provider_on_the_responses_api():
    config = files_of("codex")["~/.codex/config.toml"]
    assert config["model"] == TARGET.model and config["model_provider"] == "omniroute"
    provider = config["model_providers"]["omniroute"]
    assert provider["base_url"] == BASE + "/v1" and provider["wire_api"] == "responses"
    assert TOOLS_BY_ID["codex"].build(TARGET).env == {provider["env_key"]: TARGET.api_key}


def test_gemini_cli_selects_api_key_auth_with_the_gateway_base_url():
    files = files_of("gemini-cli")
    assert files["~/.gemini/settings.json"] == {
        "security": {"auth": {"selectedType": "gemini-api-key"}},
        "model": {"name": TARGET.model},
    }
    assert files["~/.gemini/.env"] == {
        "GEMINI_API_KEY": TARGET.api_key,
        "GOOGLE_GEMINI_BASE_URL": BASE,
    }


def test_qwen_code_uses_openai_auth_against_v1():
    files = files_of("qwen-code")
    assert files["~/.qwen/settings.json"]["security"]["auth"]["selectedType"] == "openai"
    assert files["~/.qwen/.env"] == {
        "OPENAI_API_KEY": TARGET.api_key,
        "OPENAI_BASE_URL": BASE + "/v1",
        "OPENAI_MODEL": TARGET.model,
    }


def test_openclaw_config_has_the_guides_shape():
    config = files_of("openclaw")["~/.openclaw/openclaw.json"]
    assert config == {
        "agents": {"defaults": {"model": {"primary": "omniroute/cc/claude-opus-4-6"}}},
        "models": {
            "providers": {
                "omniroute": {
                    "baseUrl": BASE + "/v1",
                    "apiKey": TARGET.api_key,
                    "api": "openai-completions",
                    "models": [{"id": "cc/claude-opus-4-6", "name": "claude-opus-4-6"}],
                }
            }
        },
    }


def test_opencode_config_declares_an_openai_compatible_provider():
    config = files_of("opencode")["~/.config/opencode/opencode.json"]
    provider = config["provider"]["omniroute"]
    assert provider["npm"] == "@ai-sdk/openai-compatible"
    assert provider["options"] == {"baseURL": BASE + "/v1", "apiKey": TARGET.api_key}
    assert TARGET.model in provider["models"]
    assert config["model"] == f"omniroute/{TARGET.model}"


def test_aider_config_and_environment():
    config = files_of("aider")["~/.aider.conf.yml"]
    assert config == {
        "openai-api-base": BASE + "/v1",
        "openai-api-key": TARGET.api_key,
        "model": f"openai/{TARGET.model}",
    }
    env = TOOLS_BY_ID["aider"].build(TARGET).env
    assert env == {"OPENAI_API_BASE": BASE + "/v1", "OPENAI_API_KEY": TARGET.api_key}


def test_continue_config_and_editor_fields():
    snippet = TOOLS_BY_ID["cline"].build(TARGET)
    [model] = parsed(snippet.files[0])["models"]
    assert model["apiBase"] == BASE + "/v1" and model["apiKey"] == TARGET.api_key
    assert model["model"] == TARGET.model and model["provider"] == "openai"
    fields = dict(snippet.fields)
    assert fields["Base URL"] == BASE + "/v1" and fields["Model ID"] == TARGET.model
    cursor = dict(TOOLS_BY_ID["cursor"].build(TARGET).fields)
    assert cursor["Override OpenAI Base URL"] == BASE + "/v1"
    assert TARGET.api_key in cursor.values() and TARGET.model in cursor.values()


def call_keywords(tree: ast.AST, name: str) -> dict[str, object]:
    [call] = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name
    ]
    return {k.arg: ast.literal_eval(k.value) for k in call.keywords}


@pytest.mark.parametrize(
    "tool_id, client, base_url",
    [("openai-sdk", "OpenAI", BASE + "/v1"), ("anthropic-sdk", "Anthropic", BASE)],
)
def test_sdk_scripts_build_a_client_for_the_gateway(tool_id, client, base_url):
    tree = parsed(TOOLS_BY_ID[tool_id].build(TARGET).files[0])
    assert call_keywords(tree, client) == {"base_url": base_url, "api_key": TARGET.api_key}
    models = [
        ast.literal_eval(k.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for k in node.keywords
        if k.arg == "model"
    ]
    assert models == [TARGET.model]


def test_every_tool_has_a_unique_id_and_documentation():
    assert len(TOOLS_BY_ID) == len(TOOLS)
    assert all(t.docs.startswith("https://") for t in TOOLS)
