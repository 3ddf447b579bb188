"""OpenAI Chat Completions (`POST /v1/chat/completions`) ⇄ the canonical model.

request.py (peek_request, parse_request, build_request), response.py (answers, usage, errors),
stream.py (StreamDecoder, StreamEncoder; parallel tool calls untangled by tool_calls.py),
parts.py (message content, finish reasons, usage), passthrough.py (same-format passthrough:
`passthrough_body()` rewrites only the model and asks for stream usage, leaving everything else
byte-for-byte as the client sent it) and wire.py (the format's WireFormat).

Mapping notes: `system`/`developer` messages before the first other message become the
canonical system prompt, later ones stay in place; `role:"tool"` messages become ToolResultParts;
DeepSeek-style `reasoning_content` is thinking (it carries no signature); `max_tokens` and
`max_completion_tokens` both map to `Request.max_tokens` (built back as `max_completion_tokens`
for o-series and gpt-5 models, which refuse `max_tokens`).
"""

NAME = "openai"
