"""The CLI tools page's configuration works: Claude Code, Codex CLI and Gemini CLI each answer one
prompt through the gateway using ONLY what the page generates for them, written by Apply into an
empty temporary HOME (Codex also takes the page's one environment variable, the key's `env_key`).

The gateway requires API keys, so a run that did not carry the page's key would fail; the
provider is the fake upstream (an OpenAI Chat account), so each CLI's own wire format is
translated there and back. Only the offline switches of the existing CLI tests are added."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omniroute.cli_tools.apply import apply_plan, plan_apply
from omniroute.cli_tools.catalog import TOOLS_BY_ID
from omniroute.cli_tools.snippets import Target
from tests.e2e.test_e2e_clients import cli, run
from tests.fake_upstream import Behavior

MODEL = "openai/gpt-4o-mini"
ANSWER = "Configured by OmniRoute"


@pytest.fixture
def home(tmp_path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def configure(tool_id: str, gateway, home: Path) -> dict[str, str]:
    """Write the tool's generated files into `home` as Apply does; the tool's env variables."""
    target = Target(gateway.url, gateway.key, MODEL)
    tool = TOOLS_BY_ID[tool_id]
    apply_plan(plan_apply(tool, target, home), gateway.services.settings["DATA_DIR"])
    return tool.build(target).env


def reached_the_chosen_model(upstream) -> bool:
    requests = upstream.requests_for("openai")
    return bool(requests) and all(r.model == "gpt-4o-mini" for r in requests)


def test_claude_code_runs_on_its_generated_settings_json(keyed, upstream, home, tmp_path):
    upstream.add(Behavior(text=ANSWER))
    configure("claude-code", keyed, home)
    command = [cli("claude"), "-p", "hi", "--output-format", "json"]
    result = run(command, {"HOME": str(home)}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:] + result.stdout[-2000:]
    assert json.loads(result.stdout)["result"] == ANSWER
    assert reached_the_chosen_model(upstream)


def test_codex_runs_on_its_generated_config_toml(keyed, upstream, home, tmp_path):
    upstream.add(Behavior(text=ANSWER))
    env = configure("codex", keyed, home)
    project = tmp_path / "project"
    project.mkdir()
    command = [cli("codex"), "exec", "--skip-git-repo-check", "say hi"]
    result = run(command, {"HOME": str(home), **env}, cwd=project)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    assert ANSWER in result.stdout
    assert reached_the_chosen_model(upstream)


def test_gemini_cli_runs_on_its_generated_settings_and_env_file(keyed, upstream, home, tmp_path):
    upstream.add(Behavior(text=ANSWER))
    configure("gemini-cli", keyed, home)
    project = tmp_path / "project"
    project.mkdir()
    command = [cli("gemini"), "-p", "hi", "--skip-trust", "--output-format", "json"]
    result = run(command, {"HOME": str(home), "NO_COLOR": "1"}, cwd=project)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-2000:]
    assert json.loads(result.stdout)["response"] == ANSWER
    assert reached_the_chosen_model(upstream)
