"""Real coding agents, offline, through the gateway to a provider of ANOTHER wire format.

- Claude Code (speaks Anthropic Messages) → gateway → an OpenAI Chat provider: a Read tool loop,
  with the provider's reasoning shown as thinking.
- Codex CLI (speaks OpenAI Responses) → gateway → an Anthropic provider: an exec_command loop.
The provider is the fake upstream, whose CALLTOOL convention makes it ask for a tool call and
then answer "tool said: <result>". The CLIs are the pinned npm packages in e2e/ (`make test`
installs them); they talk only to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.fake_upstream import Behavior

ROOT = Path(__file__).resolve().parents[2]  # the repository
BIN = ROOT / "e2e" / "node_modules" / ".bin"
OFFLINE_ENV = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "NO_PROXY": "*",
}


def cli(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make test` (it installs e2e/ with npm ci)")
    return str(path)


def run(
    command: list[str], env: dict, cwd: Path, timeout: int = 120
) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "OPENAI_", "CLAUDE", "CODEX", "GEMINI_", "GOOGLE_"))
    }
    return subprocess.run(
        command,
        env={**base, **OFFLINE_ENV, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_claude_code_tool_loop_through_an_openai_chat_provider(connected, upstream, tmp_path):
    secret = tmp_path / "project" / "hello.txt"
    secret.parent.mkdir()
    secret.write_text("secret-file-content-42\n")
    home = tmp_path / "home"
    home.mkdir()
    prompt = f'read it CALLTOOL:Read {{"file_path": "{secret}"}}'
    result = run(
        [
            cli("claude"),
            "-p",
            prompt,
            "--model",
            "openai/gpt-4o-mini",
            "--allowedTools",
            "Read",
            "--output-format",
            "json",
        ],
        claude_env(connected, home),
        cwd=secret.parent,
    )
    assert result.returncode == 0, result.stderr[-2000:] + result.stdout[-2000:]
    output = json.loads(result.stdout)
    assert "secret-file-content-42" in output["result"], output
    chat = upstream.requests_for("openai")
    assert len(chat) >= 2
    tool_messages = [m for m in chat[-1].body["messages"] if m["role"] == "tool"]
    assert tool_messages and "secret-file-content-42" in json.dumps(tool_messages)
    calls = [m for m in chat[-1].body["messages"] if m.get("tool_calls")]
    assert calls[0]["tool_calls"][0]["function"]["name"] == "Read"


def claude_env(gateway, home: Path) -> dict:
    return {
        "ANTHROPIC_BASE_URL": gateway.url,
        "ANTHROPIC_API_KEY": "sk-ant-local-test",
        "HOME": str(home),
        "CLAUDE_CONFIG_DIR": str(home / ".claude"),
    }


def test_claude_code_sees_the_providers_reasoning_as_thinking(connected, upstream, tmp_path):
    upstream.add(Behavior(thinking="The user greets me; answer kindly.", text="Hello there!"))
    home = tmp_path / "home"
    home.mkdir()
    result = run(
        [
            cli("claude"),
            "-p",
            "hi",
            "--model",
            "openai/gpt-4o-mini",
            "--output-format",
            "stream-json",
            "--verbose",
        ],
        claude_env(connected, home),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:] + result.stdout[-2000:]
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    blocks = [
        block for m in messages if m.get("type") == "assistant" for block in m["message"]["content"]
    ]
    assert any(b["type"] == "thinking" and "answer kindly" in b["thinking"] for b in blocks)
    assert any(b["type"] == "text" and b["text"] == "Hello there!" for b in blocks)
    assert messages[-1]["result"] == "Hello there!"


def codex_config(tmp_path, model: str, base_url: str):
    """A CODEX_HOME whose config.toml points the Codex CLI at the gateway (Responses API)."""
    codex_home = tmp_path / "codex"
    codex_home.mkdir()
    (codex_home / "config.toml").write_text(f"""
model = "{model}"
model_provider = "omniroute"

[model_providers.omniroute]
name = "OmniRoute"
base_url = "{base_url}"
env_key = "OMNIROUTE_API_KEY"
wire_api = "responses"

[analytics]
enabled = false

[features]
plugins = false
""")
    return codex_home


def test_codex_tool_loop_through_an_anthropic_provider(gateway, upstream, tmp_path):
    gateway.add_connection(upstream.url, provider="anthropic", apiKey="sk-ant-upstream-1")
    codex_home = codex_config(tmp_path, "anthropic/claude-sonnet-4-5", gateway.v1)
    project = tmp_path / "project"
    project.mkdir()
    prompt = 'CALLTOOL:exec_command {"cmd": "echo from-codex-$((6*7))"}'
    result = run(
        [
            cli("codex"),
            "exec",
            "--skip-git-repo-check",
            "--dangerously-bypass-approvals-and-sandbox",
            prompt,
        ],
        {"CODEX_HOME": str(codex_home), "OMNIROUTE_API_KEY": "sk-local", "HOME": str(tmp_path)},
        cwd=project,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    assert "from-codex-42" in result.stdout
    anthropic = upstream.requests_for("anthropic")
    assert len(anthropic) >= 2 and anthropic[0].api_key == "sk-ant-upstream-1"
    results = [
        block
        for m in anthropic[-1].body["messages"]
        if isinstance(m["content"], list)
        for block in m["content"]
        if block.get("type") == "tool_result"
    ]
    assert results and "from-codex-42" in json.dumps(results)
