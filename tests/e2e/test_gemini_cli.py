"""Gemini CLI, offline, through the gateway to providers of OTHER wire formats.

The pinned `@google/gemini-cli` (e2e/package.json; `make test` installs it) runs headless
(`-p`, `--yolo` so its tools run unasked, `--skip-trust` for the fresh project folder,
`--output-format json`) with a HOME of its own whose ~/.gemini/settings.json selects API-key
auth and turns off everything that would reach the network (usage statistics, telemetry,
update checks, IDE integration); GEMINI_API_KEY and GOOGLE_GEMINI_BASE_URL point it at the
gateway, which it calls on `/v1beta/models/{model}:streamGenerateContent` (and `:countTokens`
for a prompt with an image). The provider is the strict fake upstream, whose CALLTOOL
convention makes it ask for one of the CLI's own tools and then answer "tool said: <result>".

- a model routed to an OpenAI Chat provider: a read_file round trip;
- a model routed to an Anthropic provider: an image counted by the provider's counter, then a
  list_directory round trip; and a provider that thinks before asking for the tool, whose
  thinking the CLI answers with a placeholder signature that must never reach Claude.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.e2e.test_e2e_clients import cli, run
from tests.fake_upstream import TOOL_SAID_PREFIX, Behavior

SECRET = "secret-file-content-42"
# a 1×1 PNG: a prompt naming an image file makes the CLI count its tokens first (:countTokens)
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# what the CLI puts on a function call whose thought it did not keep (never a real signature)
PLACEHOLDER_SIGNATURE = "skip_thought_signature_validator"
SETTINGS = {
    "security": {"auth": {"selectedType": "gemini-api-key"}},
    "general": {"enableAutoUpdate": False, "enableAutoUpdateNotification": False},
    "privacy": {"usageStatisticsEnabled": False},
    "telemetry": {"enabled": False},
    "ide": {"enabled": False},
}


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "hello.txt").write_text(SECRET + "\n")
    (folder / "pixel.png").write_bytes(PIXEL_PNG)
    return folder


def gemini(gateway, model: str, prompt: str, project: Path) -> dict:
    """Run the CLI once on `prompt` in `project`; its JSON result (it must succeed)."""
    home = project.parent / "home"
    (home / ".gemini").mkdir(parents=True)
    (home / ".gemini" / "settings.json").write_text(json.dumps(SETTINGS))
    env = {
        "HOME": str(home),
        "GEMINI_API_KEY": "gemini-local-key",
        "GOOGLE_GEMINI_BASE_URL": gateway.url,
        "NO_COLOR": "1",
    }
    command = [cli("gemini"), "-p", prompt, "-m", model, "--yolo", "--skip-trust"]
    result = run([*command, "--output-format", "json"], env, cwd=project)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    return json.loads(result.stdout)


def tool_succeeded(output: dict, name: str) -> bool:
    return output["stats"]["tools"]["byName"][name]["success"] == 1


def test_gemini_cli_tool_loop_through_an_openai_chat_provider(connected, upstream, project):
    prompt = f'read it CALLTOOL:read_file {{"file_path": "{project / "hello.txt"}"}}'
    output = gemini(connected, "openai/gpt-4o-mini", prompt, project)
    assert output["response"].startswith(TOOL_SAID_PREFIX) and SECRET in output["response"]
    assert tool_succeeded(output, "read_file")
    chat = upstream.requests_for("openai")
    assert len(chat) == 2 and chat[0].model == "gpt-4o-mini"
    messages = chat[-1].body["messages"]
    [call] = [c for m in messages for c in m.get("tool_calls", [])]
    assert call["function"]["name"] == "read_file"
    assert json.loads(call["function"]["arguments"]) == {"file_path": str(project / "hello.txt")}
    [result] = [m for m in messages if m["role"] == "tool"]
    assert result["tool_call_id"] == call["id"] and SECRET in json.dumps(result["content"])


def test_gemini_cli_tool_loop_through_an_anthropic_provider(gateway, upstream, project):
    gateway.add_connection(upstream.url, provider="anthropic", apiKey="sk-ant-upstream-1")
    prompt = f'look at @pixel.png then CALLTOOL:list_directory {{"dir_path": "{project}"}}'
    output = gemini(gateway, "anthropic/claude-sonnet-4-5", prompt, project)
    assert output["response"].startswith(TOOL_SAID_PREFIX)
    assert "hello.txt" in output["response"] and "pixel.png" in output["response"]
    assert tool_succeeded(output, "list_directory")
    anthropic = upstream.requests_for("anthropic")
    assert all(r.api_key == "sk-ant-upstream-1" for r in anthropic)
    # the CLI's :countTokens for the image reached the provider's own counter
    counts = [r for r in anthropic if r.route.action == "count_tokens"]
    assert counts and '"type": "image"' in json.dumps(counts[0].body["messages"])
    chats = [r for r in anthropic if r.route.action == "messages"]
    assert len(chats) == 2
    uses = [b for m in chats[-1].body["messages"] for b in blocks(m, "tool_use")]
    [result] = [b for m in chats[-1].body["messages"] for b in blocks(m, "tool_result")]
    assert [u["name"] for u in uses] == ["list_directory"]
    assert result["tool_use_id"] == uses[0]["id"] and "hello.txt" in json.dumps(result)


def test_gemini_cli_through_a_thinking_anthropic_provider(gateway, upstream, project):
    """Claude thinks, then asks for the tool; the CLI drops the thought from its history and
    marks the function call with its placeholder signature. The next request must be one
    Claude accepts: no thinking block with a signature Claude did not issue, and thinking on
    only when the assistant turn starts with Claude's own thinking block."""
    gateway.add_connection(upstream.url, provider="anthropic")
    listing = json.dumps({"dir_path": str(project)})
    thinks = Behavior(
        thinking="Listing the folder first.", tool_calls=[("list_directory", listing)]
    )
    upstream.add(thinks, times=1)
    output = gemini(gateway, "anthropic/claude-sonnet-4-5", "what is in this folder?", project)
    assert output["response"].startswith(TOOL_SAID_PREFIX) and "hello.txt" in output["response"]
    chats = [r for r in upstream.requests_for("anthropic") if r.route.action == "messages"]
    assert len(chats) == 2
    second = chats[-1].body
    assert PLACEHOLDER_SIGNATURE not in json.dumps(second)
    [assistant] = [m for m in second["messages"] if m["role"] == "assistant"]
    thinking = [b for b in blocks(assistant, "thinking")]
    assert all(b["signature"].startswith("sig-") for b in thinking)  # the fake's own
    if second.get("thinking", {}).get("type", "disabled") != "disabled":
        assert assistant["content"][0]["type"] == "thinking"
    assert [b["name"] for b in blocks(assistant, "tool_use")] == ["list_directory"]


def blocks(message: dict, kind: str) -> list[dict]:
    content = message["content"]
    return [b for b in content if b.get("type") == kind] if isinstance(content, list) else []
