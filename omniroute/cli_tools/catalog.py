"""The coding tools the CLI tools page knows: one row each (id, name, the binary that shows it is
installed, its documentation, and the generator of its configuration)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import editor_snippets, snippets
from .snippets import ConfigFile, Snippet, Target

SAMPLE = Target("http://gateway", "key", "model")


@dataclass(frozen=True)
class Tool:
    id: str
    name: str
    binary: str | None  # None: an editor extension or a library, nothing on PATH
    docs: str
    build: Callable[[Target], Snippet]

    @property
    def files(self) -> tuple[ConfigFile, ...]:
        """Its files' paths, formats and keys (their content filled with a sample target)."""
        return self.build(SAMPLE).files

    @property
    def can_apply(self) -> bool:
        return any(f.merge and f.in_home for f in self.files)


TOOLS: tuple[Tool, ...] = (
    Tool(
        "claude-code",
        "Claude Code",
        "claude",
        "https://docs.anthropic.com/en/docs/claude-code/settings",
        snippets.claude_code,
    ),
    Tool(
        "codex",
        "Codex CLI",
        "codex",
        "https://github.com/openai/codex/blob/main/docs/config.md",
        snippets.codex_cli,
    ),
    Tool(
        "gemini-cli",
        "Gemini CLI",
        "gemini",
        "https://github.com/google-gemini/gemini-cli/blob/main/docs/get-started/authentication.md",
        snippets.gemini_cli,
    ),
    Tool(
        "qwen-code",
        "Qwen Code",
        "qwen",
        "https://qwenlm.github.io/qwen-code-docs/en/cli/openai-auth",
        snippets.qwen_code,
    ),
    Tool(
        "openclaw",
        "OpenClaw",
        "openclaw",
        "https://docs.openclaw.ai/",
        snippets.openclaw,
    ),
    Tool(
        "opencode",
        "opencode",
        "opencode",
        "https://opencode.ai/docs/providers/",
        snippets.opencode,
    ),
    Tool(
        "aider",
        "aider",
        "aider",
        "https://aider.chat/docs/llms/openai-compat.html",
        snippets.aider,
    ),
    Tool(
        "cursor",
        "Cursor",
        "cursor",
        "https://docs.cursor.com/settings/api-keys",
        editor_snippets.cursor,
    ),
    Tool(
        "cline",
        "Cline / Continue / RooCode",
        None,
        "https://docs.continue.dev/reference",
        editor_snippets.cline_continue_roocode,
    ),
    Tool(
        "openai-sdk",
        "OpenAI SDK (Python)",
        None,
        "https://github.com/openai/openai-python",
        editor_snippets.openai_sdk,
    ),
    Tool(
        "anthropic-sdk",
        "Anthropic SDK (Python)",
        None,
        "https://github.com/anthropics/anthropic-sdk-python",
        editor_snippets.anthropic_sdk,
    ),
)

TOOLS_BY_ID = {tool.id: tool for tool in TOOLS}
