"""Real coding agents, offline, asking for progress events (`X-OmniRoute-Progress: true`, each
with its own way to send a custom header) while the provider streams slowly: each completes its
prompt with the whole answer, and the gateway's request log shows the progress events it sent.

- Claude Code: ANTHROPIC_CUSTOM_HEADERS; Anthropic Messages, `: progress {...}` comments;
- Codex CLI: `http_headers` of its model provider in config.toml; Responses, comments;
- Gemini CLI: GEMINI_CLI_CUSTOM_HEADERS; Gemini, `data: {"progress": {...}}` chunks (its stream
  reader takes `data:` lines only, so a comment would stall it).
The provider is the fake upstream behind an OpenAI account (so each stream is translated).
And Gemini CLI behind a provider slow to start (STREAM_KEEPALIVE_SECONDS=0.2): it completes with
the keep-alives (blank lines for it, not comments) and with progress events in their place.
"""

from __future__ import annotations

import json

import pytest

from omniroute.store.usage_queries import recent_usage
from tests.e2e.test_e2e_clients import claude_env, cli, codex_config, run
from tests.e2e.test_gemini_cli import SETTINGS
from tests.fake_upstream import Behavior

CHUNKS = [f"slowly-streamed-word-{n} " for n in range(11)] + ["the-end."]
TEXT = "".join(CHUNKS)
HEADER = "X-OmniRoute-Progress: true"


@pytest.fixture
def progress_gateway(start, upstream):
    gateway = start(ENABLE_REQUEST_LOGS=True, PROGRESS_INTERVAL_SECONDS=0.05)
    gateway.add_connection(upstream.url)
    upstream.add(Behavior(chunks=CHUNKS, chunk_interval=0.1))
    return gateway


def progress_sent(gateway) -> list[dict]:
    """The progress payloads of every logged streamed answer."""
    gateway.flush_usage()
    with gateway.services.database.connection_context():
        ids = [row.request_id for row in recent_usage(50) if row.stream and row.request_id]
    found = []
    with gateway.admin() as admin:
        for request_id in ids:
            log = admin.get(gateway.url + f"/api/usage/requests/{request_id}/log").json()
            for line in log["response"].splitlines():
                if line.startswith(": progress "):
                    found.append(json.loads(line[len(": progress ") :]))
                elif line.startswith('data: {"progress"'):
                    found.append(json.loads(line[len("data: ") :])["progress"])
    return found


def assert_progress(gateway) -> None:
    progress = progress_sent(gateway)
    assert len(progress) >= 2, progress
    assert max(p["tokens"] for p in progress) > 0


def test_claude_code_completes_with_progress_events(progress_gateway, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**claude_env(progress_gateway, home), "ANTHROPIC_CUSTOM_HEADERS": HEADER}
    command = [cli("claude"), "-p", "hi", "--model", "openai/gpt-4o-mini"]
    result = run([*command, "--output-format", "json"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:] + result.stdout[-2000:]
    assert json.loads(result.stdout)["result"] == TEXT
    assert_progress(progress_gateway)


def test_codex_completes_with_progress_events(progress_gateway, tmp_path):
    codex_home = codex_config(tmp_path, "openai/gpt-4o-mini", progress_gateway.v1)
    config = codex_home / "config.toml"
    config.write_text(
        config.read_text().replace(
            'wire_api = "responses"\n',
            'wire_api = "responses"\nhttp_headers = { "X-OmniRoute-Progress" = "true" }\n',
        )
    )
    project = tmp_path / "project"
    project.mkdir()
    result = run(
        [cli("codex"), "exec", "--skip-git-repo-check", "hi"],
        {"CODEX_HOME": str(codex_home), "OMNIROUTE_API_KEY": "sk-local", "HOME": str(tmp_path)},
        cwd=project,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    assert TEXT in result.stdout
    assert_progress(progress_gateway)


def gemini_answer(gateway, tmp_path, headers: dict) -> str:
    """Gemini CLI's answer to "hi" (it must succeed)."""
    home = tmp_path / "home"
    (home / ".gemini").mkdir(parents=True)
    (home / ".gemini" / "settings.json").write_text(json.dumps(SETTINGS))
    project = tmp_path / "project"
    project.mkdir()
    env = {
        "HOME": str(home),
        "GEMINI_API_KEY": "gemini-local-key",
        "GOOGLE_GEMINI_BASE_URL": gateway.url,
        "NO_COLOR": "1",
        **headers,
    }
    command = [cli("gemini"), "-p", "hi", "-m", "openai/gpt-4o-mini", "--skip-trust"]
    result = run([*command, "--output-format", "json"], env, cwd=project)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    return json.loads(result.stdout)["response"]


def test_gemini_cli_completes_with_progress_events(progress_gateway, tmp_path):
    headers = {"GEMINI_CLI_CUSTOM_HEADERS": HEADER}
    assert gemini_answer(progress_gateway, tmp_path, headers) == TEXT
    assert_progress(progress_gateway)


@pytest.mark.parametrize("progress", [False, True], ids=["keepalives", "progress"])
def test_gemini_cli_waits_for_a_provider_slow_to_start(start, upstream, tmp_path, progress):
    gateway = start(STREAM_KEEPALIVE_SECONDS=0.2, PROGRESS_INTERVAL_SECONDS=0.05)
    gateway.add_connection(upstream.url)
    upstream.add(Behavior(first_event_delay=1.5, text="Hello after the wait."))
    headers = {"GEMINI_CLI_CUSTOM_HEADERS": HEADER} if progress else {}
    assert gemini_answer(gateway, tmp_path, headers) == "Hello after the wait."
