"""What a tool needs to reach the gateway, as pure data: environment variables, settings typed
into a form, and files with their exact content in the tool's own format.

`Target` is what the user picked (base URL, key, model); every generator turns one into a
`Snippet`. Strings are written through each format's own quoting (json.dumps for JSON, TOML
basic strings, Python literals and YAML double-quoted scalars), so any key or model id stays
valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Target:
    base_url: str  # the gateway's external base URL, without a trailing slash
    api_key: str  # the key, or a clearly marked placeholder
    model: str

    @property
    def v1(self) -> str:
        return self.base_url.rstrip("/") + "/v1"


@dataclass(frozen=True)
class ConfigFile:
    path: str  # as shown to the user: ~/… relative to the home folder, or a project file name
    format: str  # json | toml | env | yaml | python | text
    content: str
    url_at: tuple[str, ...] = ()  # where the base URL lives in the parsed file (detect)
    merge: str = ""  # how Apply merges it (json, toml, env); "": shown for copying only
    tables: tuple[str, ...] = ()  # TOML: dotted tables that belong to us entirely

    @property
    def in_home(self) -> bool:
        return self.path.startswith("~/")


@dataclass(frozen=True)
class Snippet:
    env: dict[str, str] = field(default_factory=dict)
    files: tuple[ConfigFile, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()  # (label, value) typed into the tool's settings

    @property
    def applicable(self) -> tuple[ConfigFile, ...]:
        return tuple(f for f in self.files if f.merge and f.in_home)


def json_text(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def env_text(values: dict[str, str]) -> str:
    """KEY=value lines as dotenv readers take them: a value other than plain characters goes in
    single quotes (read literally, `"` and `$` included), or double quotes if it holds a `'`."""
    lines = []
    for name, value in values.items():
        if value and all(c.isalnum() or c in "-_./:@+" for c in value):
            quoted = value
        elif "'" not in value:
            quoted = f"'{value}'"
        else:
            quoted = json.dumps(value, ensure_ascii=False)
        lines.append(f"{name}={quoted}")
    return "\n".join(lines) + "\n"


def yaml_text(document: dict[str, Any], indent: str = "") -> str:
    """Block-style YAML of mappings, lists of mappings and scalars (strings double-quoted)."""
    lines = []
    for key, value in document.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:\n" + yaml_text(value, indent + "  "))
        elif isinstance(value, list):
            lines.append(f"{indent}{key}:\n")
            for item in value:
                nested = yaml_text(item, indent + "    ")
                lines.append(indent + "  - " + nested[len(indent) + 4 :])
        else:
            lines.append(f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}\n")
    return "".join(lines)


def claude_code(target: Target) -> Snippet:
    env = {
        "ANTHROPIC_BASE_URL": target.base_url,
        "ANTHROPIC_AUTH_TOKEN": target.api_key,
        "ANTHROPIC_MODEL": target.model,
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": target.model,  # its background tasks
    }
    settings = ConfigFile(
        "~/.claude/settings.json",
        "json",
        json_text({"env": env}),
        url_at=("env", "ANTHROPIC_BASE_URL"),
        merge="json",
    )
    return Snippet(env=env, files=(settings,))


CODEX_KEY_VARIABLE = "OMNIROUTE_API_KEY"


def codex_cli(target: Target) -> Snippet:
    content = (
        f"model = {toml_string(target.model)}\n"
        'model_provider = "omniroute"\n'
        "\n"
        "[model_providers.omniroute]\n"
        'name = "OmniRoute"\n'
        f"base_url = {toml_string(target.v1)}\n"
        f'env_key = "{CODEX_KEY_VARIABLE}"\n'
        'wire_api = "responses"\n'
    )
    config = ConfigFile(
        "~/.codex/config.toml",
        "toml",
        content,
        url_at=("model_providers", "omniroute", "base_url"),
        merge="toml",
        tables=("model_providers.omniroute",),
    )
    return Snippet(env={CODEX_KEY_VARIABLE: target.api_key}, files=(config,))


def gemini_cli(target: Target) -> Snippet:
    env = {"GEMINI_API_KEY": target.api_key, "GOOGLE_GEMINI_BASE_URL": target.base_url}
    settings = {
        "security": {"auth": {"selectedType": "gemini-api-key"}},
        "model": {"name": target.model},
    }
    files = (
        ConfigFile("~/.gemini/settings.json", "json", json_text(settings), merge="json"),
        ConfigFile(
            "~/.gemini/.env",
            "env",
            env_text(env),
            url_at=("GOOGLE_GEMINI_BASE_URL",),
            merge="env",
        ),
    )
    return Snippet(env=env, files=files)


def qwen_code(target: Target) -> Snippet:
    env = {
        "OPENAI_API_KEY": target.api_key,
        "OPENAI_BASE_URL": target.v1,
        "OPENAI_MODEL": target.model,
    }
    settings = {"security": {"auth": {"selectedType": "openai"}}, "model": {"name": target.model}}
    files = (
        ConfigFile("~/.qwen/settings.json", "json", json_text(settings), merge="json"),
        ConfigFile("~/.qwen/.env", "env", env_text(env), url_at=("OPENAI_BASE_URL",), merge="env"),
    )
    return Snippet(env=env, files=files)


def openclaw(target: Target) -> Snippet:
    """The shape the user guide shows: a provider named omniroute speaking OpenAI completions."""
    short_name = target.model.rsplit("/", 1)[-1]
    document = {
        "agents": {"defaults": {"model": {"primary": f"omniroute/{target.model}"}}},
        "models": {
            "providers": {
                "omniroute": {
                    "baseUrl": target.v1,
                    "apiKey": target.api_key,
                    "api": "openai-completions",
                    "models": [{"id": target.model, "name": short_name}],
                }
            }
        },
    }
    config = ConfigFile(
        "~/.openclaw/openclaw.json",
        "json",
        json_text(document),
        url_at=("models", "providers", "omniroute", "baseUrl"),
        merge="json",
    )
    return Snippet(files=(config,))


def opencode(target: Target) -> Snippet:
    document = {
        "$schema": "https://opencode.ai/config.json",
        "provider": {
            "omniroute": {
                "npm": "@ai-sdk/openai-compatible",
                "name": "OmniRoute",
                "options": {"baseURL": target.v1, "apiKey": target.api_key},
                "models": {target.model: {"name": target.model}},
            }
        },
        "model": f"omniroute/{target.model}",
    }
    config = ConfigFile(
        "~/.config/opencode/opencode.json",
        "json",
        json_text(document),
        url_at=("provider", "omniroute", "options", "baseURL"),
        merge="json",
    )
    return Snippet(files=(config,))


def aider(target: Target) -> Snippet:
    """aider talks to OpenAI-compatible servers through litellm's `openai/` prefix."""
    document = {
        "openai-api-base": target.v1,
        "openai-api-key": target.api_key,
        "model": f"openai/{target.model}",
    }
    config = ConfigFile(
        "~/.aider.conf.yml", "yaml", yaml_text(document), url_at=("openai-api-base",)
    )
    env = {"OPENAI_API_BASE": target.v1, "OPENAI_API_KEY": target.api_key}
    return Snippet(env=env, files=(config,))
