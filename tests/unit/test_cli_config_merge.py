"""Apply's merge puts only our keys into a tool's existing file and keeps everything else: other
JSON keys, TOML comments, keys and tables, other dotenv lines; a file it cannot edit safely is
refused (MergeError) rather than rewritten. Detect's URL comparison lives here too."""

from __future__ import annotations

import json
import tomllib

import pytest

from omniroute.cli_tools.catalog import TOOLS_BY_ID
from omniroute.cli_tools.detect import same_gateway
from omniroute.cli_tools.formats import MergeError, merge, parse_env
from omniroute.cli_tools.snippets import Target

TARGET = Target("http://127.0.0.1:20128", "sk-new", "openai/gpt-4o-mini")


def file_of(tool_id: str, path: str):
    return next(f for f in TOOLS_BY_ID[tool_id].build(TARGET).files if f.path == path)


CLAUDE = file_of("claude-code", "~/.claude/settings.json")
CODEX = file_of("codex", "~/.codex/config.toml")
GEMINI_ENV = file_of("gemini-cli", "~/.gemini/.env")


def test_a_missing_or_empty_file_gets_our_content():
    assert merge(CLAUDE, None) == CLAUDE.content
    assert merge(CODEX, "  \n") == CODEX.content


def test_json_merge_keeps_other_keys_and_other_env_variables():
    existing = {
        "permissions": {"allow": ["Bash(ls)"]},
        "env": {"ANTHROPIC_BASE_URL": "https://elsewhere", "DEBUG": "1"},
    }
    merged = json.loads(merge(CLAUDE, json.dumps(existing)))
    assert merged["permissions"] == {"allow": ["Bash(ls)"]}
    assert merged["env"]["DEBUG"] == "1"
    assert merged["env"]["ANTHROPIC_BASE_URL"] == TARGET.base_url
    assert merged["env"]["ANTHROPIC_AUTH_TOKEN"] == "sk-new"


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '"text"'])
def test_json_that_is_not_an_object_is_refused(text):
    with pytest.raises(MergeError):
        merge(CLAUDE, text)


CODEX_EXISTING = """# my codex settings
model = "o3"
approval_policy = "never"  # keep this

[model_providers.omniroute]
name = "old"
base_url = "http://old/v1"

[model_providers.omniroute.http_headers]
X-Old = "1"

[model_providers.other]
name = "Other"
base_url = "https://other/v1"

[mcp_servers.docs]
command = "docs-server"
"""


def test_toml_merge_replaces_our_keys_and_table_and_keeps_the_rest_verbatim():
    merged = merge(CODEX, CODEX_EXISTING)
    config = tomllib.loads(merged)
    assert config["model"] == TARGET.model and config["model_provider"] == "omniroute"
    assert config["model_providers"]["omniroute"] == {
        "name": "OmniRoute",
        "base_url": TARGET.base_url + "/v1",
        "env_key": "OMNIROUTE_API_KEY",
        "wire_api": "responses",
    }
    assert config["model_providers"]["other"]["name"] == "Other"
    assert config["mcp_servers"] == {"docs": {"command": "docs-server"}}
    for kept in ("# my codex settings", 'approval_policy = "never"  # keep this'):
        assert kept in merged.splitlines()
    assert "X-Old" not in merged and "http://old/v1" not in merged


def test_toml_merge_adds_top_level_keys_before_the_first_table():
    merged = merge(CODEX, '[profiles.fast]\nmodel = "gpt-5"\n')
    config = tomllib.loads(merged)
    assert config["profiles"] == {"fast": {"model": "gpt-5"}}
    assert config["model"] == TARGET.model
    assert merged.index("model_provider =") < merged.index("[profiles.fast]")


def test_toml_the_merge_cannot_edit_safely_is_refused():
    dotted = 'model_providers.omniroute.name = "inline"\n'
    with pytest.raises(MergeError):
        merge(CODEX, dotted)
    with pytest.raises(MergeError):
        merge(CODEX, "model = [unclosed\n")


def test_dotenv_merge_replaces_our_lines_in_place_and_keeps_the_others():
    existing = "# keys\nexport GEMINI_API_KEY=old\nOTHER='x y'\n"
    merged = merge(GEMINI_ENV, existing)
    assert merged.splitlines()[:3] == ["# keys", "GEMINI_API_KEY=sk-new", "OTHER='x y'"]
    assert parse_env(merged) == {
        "GEMINI_API_KEY": "sk-new",
        "OTHER": "x y",
        "GOOGLE_GEMINI_BASE_URL": TARGET.base_url,
    }


@pytest.mark.parametrize(
    "url, same",
    [
        ("http://127.0.0.1:20128", True),
        ("http://localhost:20128/v1", True),
        ("http://127.0.0.1:20128/", True),
        ("http://127.0.0.1:20129/v1", False),
        ("https://api.openai.com/v1", False),
        ("not a url", False),
    ],
)
def test_same_gateway(url, same):
    assert same_gateway(url, TARGET.base_url) is same
