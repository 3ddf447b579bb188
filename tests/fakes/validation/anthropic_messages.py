"""Anthropic Messages: the `messages` array — roles, content blocks, tool pairing and thinking.

Rules (each with the API's message; SOURCE: Anthropic Messages API reference, "Tool use" and
"Extended thinking" guides, and the API's own error messages as reported verbatim):
- `messages` is a non-empty list ("messages: at least one message is required"); each message
  an object with `role` "user" or "assistant" ("messages.0.role: Input should be 'user' or
  'assistant'") — or "system", the mid-conversation system turn Claude Code 2.1 sends (captured
  in /work/shared/fixtures/clients) — and `content` ("messages.0.content: Field required"), a
  string or a list of blocks; empty content only in the final assistant message ("messages.0:
  all messages must have non-empty content except for the optional final assistant
  message"); a text block's text is non-empty ("messages: text content blocks must be
  non-empty") and a message's text is not only whitespace ("messages: text content blocks
  must contain non-whitespace text"; one blank block beside real text passes).
- Block `type` is one the API knows ("Input tag 'x' found using 'type' does not match any of
  the expected tags: …"); for `claude-*` models a message carries only role and content (a
  system turn also output_config, Claude Code's per-turn control) and a block only its own
  fields ("messages.0.name: Extra inputs are not permitted",
  "messages.1.content.0.thinking.cache_control: Extra inputs are not permitted").
- tool_use needs id, name and an object input; tool_result needs tool_use_id.
- Every tool_use of an assistant message is answered by a tool_result at the start of the next
  message ("messages.N: `tool_use` ids were found without `tool_result` blocks immediately
  after: ids. Each `tool_use` block must have a corresponding `tool_result` block in the next
  message."), and every tool_result answers a tool_use of the previous message ("messages.N.
  content.M: unexpected `tool_use_id` found in `tool_result` blocks: id. Each `tool_result`
  block must have a corresponding `tool_use` block in the previous message.").
- A thinking block carries a `signature` the Anthropic dialect of this fake issued, and a
  redacted_thinking block `data` it issued ("messages.N.content.M: Invalid `signature` in
  `thinking` block") — never another provider's, never a placeholder.
- With thinking on, the last assistant message holding tool_use in the current tool loop (the
  messages after the last user message that is not only tool results) starts with a thinking
  or redacted_thinking block ("messages.N.content.0.type: Expected `thinking` or
  `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final `assistant`
  message must start with a thinking block …").
"""

from __future__ import annotations

from tests.fakes.validation.common import Invalid, dicts
from tests.fakes.validation.signatures import issued_by

BLOCK_FIELDS: dict[str, frozenset[str] | None] = {  # None: fields not checked
    "text": frozenset({"type", "text", "cache_control", "citations"}),
    "image": frozenset({"type", "source", "cache_control"}),
    "document": frozenset({"type", "source", "title", "context", "citations", "cache_control"}),
    "search_result": frozenset(
        {"type", "source", "title", "content", "citations", "cache_control"}
    ),
    "thinking": frozenset({"type", "thinking", "signature"}),
    "redacted_thinking": frozenset({"type", "data"}),
    "tool_use": frozenset({"type", "id", "name", "input", "cache_control", "caller"}),
    "tool_result": frozenset({"type", "tool_use_id", "content", "is_error", "cache_control"}),
    "server_tool_use": None,
    "web_search_tool_result": None,
    "web_fetch_tool_result": None,
    "code_execution_tool_result": None,
    "bash_code_execution_tool_result": None,
    "text_editor_code_execution_tool_result": None,
    "tool_search_tool_result": None,
    "mcp_tool_use": None,
    "mcp_tool_result": None,
    "container_upload": None,
}
THINKING_TYPES = ("thinking", "redacted_thinking")
ROLES = ("user", "assistant", "system")  # "system": a mid-conversation system turn
THINKING_DOCS = "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"


def check_messages(messages: object, thinking_on: bool, claude: bool) -> None:
    if not isinstance(messages, list):
        raise Invalid("messages: Input should be a valid list")
    if not messages:
        raise Invalid("messages: at least one message is required")
    for index, message in enumerate(messages):
        _check_message(message, index, index == len(messages) - 1, claude)
    for index in range(len(messages)):
        _check_pairing(messages, index)
    if thinking_on:
        _check_thinking_first(messages)


def blocks_of(message: dict) -> list[dict]:
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [block for _, block in dicts(content)]


def _check_message(message: object, index: int, last: bool, claude: bool) -> None:
    at = f"messages.{index}"
    if not isinstance(message, dict):
        raise Invalid(f"{at}: Input should be a valid dictionary")
    if message.get("role") not in ROLES:
        raise Invalid(f"{at}.role: Input should be 'user', 'assistant' or 'system'")
    if "content" not in message:
        raise Invalid(f"{at}.content: Field required")
    if claude:
        extra = ("output_config",) if message["role"] == "system" else ()  # per-turn control
        for name in message:
            if name not in ("role", "content", *extra):
                raise Invalid(f"{at}.{name}: Extra inputs are not permitted")
    content = message["content"]
    if not isinstance(content, (str, list)):
        raise Invalid(f"{at}.content: Input should be a valid list")
    if not content and not (last and message["role"] == "assistant"):
        raise Invalid(
            f"{at}: all messages must have non-empty content except for the optional final "
            "assistant message"
        )
    if isinstance(content, list):
        for position, block in enumerate(content):
            _check_block(block, f"{at}.content.{position}", claude)
    texts = [b["text"] for b in blocks_of(message) if b.get("type") == "text"]
    if texts and all(t and not t.strip() for t in texts):
        raise Invalid("messages: text content blocks must contain non-whitespace text")


def _check_block(block: object, at: str, claude: bool) -> None:
    if not isinstance(block, dict):
        raise Invalid(f"{at}: Input should be a valid dictionary")
    kind = block.get("type")
    if kind not in BLOCK_FIELDS:
        expected = ", ".join(f"'{name}'" for name in BLOCK_FIELDS)
        raise Invalid(
            f"{at}: Input tag '{kind}' found using 'type' does not match any of the expected "
            f"tags: {expected}"
        )
    allowed = BLOCK_FIELDS[kind]
    if claude and allowed is not None:
        for name in block:
            if name not in allowed:
                raise Invalid(f"{at}.{kind}.{name}: Extra inputs are not permitted")
    if kind == "text" and (not isinstance(block.get("text"), str) or not block["text"]):
        raise Invalid("messages: text content blocks must be non-empty")
    if kind == "thinking":
        _check_thinking_block(block, at)
    elif kind == "redacted_thinking" and not issued_by("anthropic", block.get("data")):
        raise Invalid(f"{at}: Invalid `data` in `redacted_thinking` block")
    elif kind == "tool_use":
        for name in ("id", "name"):
            if not isinstance(block.get(name), str):
                raise Invalid(f"{at}.tool_use.{name}: Field required")
        if not isinstance(block.get("input"), dict):
            raise Invalid(f"{at}.tool_use.input: Input should be a valid dictionary")
    elif kind == "tool_result" and not isinstance(block.get("tool_use_id"), str):
        raise Invalid(f"{at}.tool_result.tool_use_id: Field required")


def _check_thinking_block(block: dict, at: str) -> None:
    if not isinstance(block.get("thinking"), str):
        raise Invalid(f"{at}.thinking.thinking: Field required")
    if "signature" not in block:
        raise Invalid(f"{at}.thinking.signature: Field required")
    if not issued_by("anthropic", block["signature"]):
        raise Invalid(f"{at}: Invalid `signature` in `thinking` block")


def _tool_use_ids(message: dict) -> list[str]:
    if message.get("role") != "assistant":
        return []
    return [b["id"] for b in blocks_of(message) if b.get("type") == "tool_use"]


def _check_pairing(messages: list, index: int) -> None:
    message = messages[index]
    ids = _tool_use_ids(message)
    following = messages[index + 1] if index + 1 < len(messages) else None
    answered: list[str] = []
    if ids and isinstance(following, dict) and following.get("role") == "user":
        for block in blocks_of(following):
            if block.get("type") != "tool_result":
                break
            answered.append(block.get("tool_use_id"))
    missing = [tool_id for tool_id in ids if tool_id not in answered]
    if missing:
        raise Invalid(
            f"messages.{index}: `tool_use` ids were found without `tool_result` blocks "
            f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
            "corresponding `tool_result` block in the next message."
        )
    if message.get("role") != "user":
        return
    previous = _tool_use_ids(messages[index - 1]) if index else []
    for position, block in enumerate(blocks_of(message)):
        if block.get("type") == "tool_result" and block.get("tool_use_id") not in previous:
            raise Invalid(
                f"messages.{index}.content.{position}: unexpected `tool_use_id` found in "
                f"`tool_result` blocks: {block.get('tool_use_id')}. Each `tool_result` block "
                "must have a corresponding `tool_use` block in the previous message."
            )


def _only_tool_results(message: dict) -> bool:
    blocks = blocks_of(message)
    return bool(blocks) and all(b.get("type") == "tool_result" for b in blocks)


def _check_thinking_first(messages: list) -> None:
    start = 0
    for index, message in enumerate(messages):
        if message.get("role") == "user" and not _only_tool_results(message):
            start = index + 1
    holders = [i for i in range(start, len(messages)) if _tool_use_ids(messages[i])]
    if not holders:
        return
    index = holders[-1]
    first = blocks_of(messages[index])[0].get("type")
    if first not in THINKING_TYPES:
        raise Invalid(
            f"messages.{index}.content.0.type: Expected `thinking` or `redacted_thinking`, "
            f"but found `{first}`. When `thinking` is enabled, a final `assistant` message "
            "must start with a thinking block (preceeding the lastmost set of `tool_use` and "
            "`tool_result` blocks). We recommend you include thinking blocks from previous "
            "turns. To avoid this requirement, disable `thinking`. Please consult our "
            f"documentation at {THINKING_DOCS}"
        )
