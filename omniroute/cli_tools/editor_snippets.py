"""Snippets for the editors (settings typed into a form, Continue's config.yaml) and for the
OpenAI and Anthropic Python SDKs (a runnable script). Same `Target` → `Snippet` contract as
snippets.py."""

from __future__ import annotations

import json

from .snippets import ConfigFile, Snippet, Target, yaml_text


def cursor(target: Target) -> Snippet:
    fields = (
        ("Settings → Models → OpenAI API Key", target.api_key),
        ("Override OpenAI Base URL", target.v1),
        ("Add model", target.model),
    )
    return Snippet(fields=fields)


def cline_continue_roocode(target: Target) -> Snippet:
    fields = (
        ("API Provider", "OpenAI Compatible"),
        ("Base URL", target.v1),
        ("API Key", target.api_key),
        ("Model ID", target.model),
    )
    continue_config = {
        "name": "OmniRoute",
        "version": "1.0.0",
        "schema": "v1",
        "models": [
            {
                "name": f"OmniRoute {target.model}",
                "provider": "openai",
                "model": target.model,
                "apiBase": target.v1,
                "apiKey": target.api_key,
            }
        ],
    }
    config = ConfigFile("~/.continue/config.yaml", "yaml", yaml_text(continue_config))
    return Snippet(fields=fields, files=(config,))


def python_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def openai_sdk(target: Target) -> Snippet:
    script = (
        "from openai import OpenAI\n"
        "\n"
        f"client = OpenAI(base_url={python_string(target.v1)}, "
        f"api_key={python_string(target.api_key)})\n"
        "reply = client.chat.completions.create(\n"
        f"    model={python_string(target.model)},\n"
        '    messages=[{"role": "user", "content": "Hello"}],\n'
        ")\n"
        "print(reply.choices[0].message.content)\n"
    )
    env = {"OPENAI_BASE_URL": target.v1, "OPENAI_API_KEY": target.api_key}
    return Snippet(env=env, files=(ConfigFile("openai_example.py", "python", script),))


def anthropic_sdk(target: Target) -> Snippet:
    script = (
        "from anthropic import Anthropic\n"
        "\n"
        f"client = Anthropic(base_url={python_string(target.base_url)}, "
        f"api_key={python_string(target.api_key)})\n"
        "reply = client.messages.create(\n"
        f"    model={python_string(target.model)},\n"
        "    max_tokens=1024,\n"
        '    messages=[{"role": "user", "content": "Hello"}],\n'
        ")\n"
        "print(reply.content[0].text)\n"
    )
    env = {"ANTHROPIC_BASE_URL": target.base_url, "ANTHROPIC_API_KEY": target.api_key}
    return Snippet(env=env, files=(ConfigFile("anthropic_example.py", "python", script),))
