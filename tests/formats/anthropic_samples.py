"""Golden Anthropic Messages samples: a request using every block kind, an answer, a stream."""

from __future__ import annotations

# A request in the shape build_request produces, so build_request(parse_request(x)) == x.
RICH_REQUEST: dict = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 16000,
    "system": [
        {"type": "text", "text": "You are terse."},
        {"type": "text", "text": "Project rules.", "cache_control": {"type": "ephemeral"}},
    ],
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look at these."},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"},
                },
                {
                    "type": "image",
                    "source": {"type": "url", "url": "https://example.com/cat.png"},
                    "cache_control": {"type": "ephemeral"},
                },
                {
                    "type": "document",
                    "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"},
                    "title": "spec.pdf",
                    "context": "the spec",
                    "citations": {"enabled": True},
                    "cache_control": {"type": "ephemeral", "ttl": "1h"},
                },
                {
                    "type": "document",
                    "source": {"type": "text", "media_type": "text/plain", "data": "héllo\n"},
                },
                {
                    "type": "document",
                    "source": {"type": "url", "url": "https://example.com/a.pdf"},
                },
                {"type": "document", "source": {"type": "file", "file_id": "file_011"}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "Let me look.", "signature": "sig-1"},
                {"type": "redacted_thinking", "data": "EmwKAhgB"},
                {"type": "text", "text": "Searching.", "citations": None},
                {
                    "type": "server_tool_use",
                    "id": "srvtoolu_01",
                    "name": "web_search",
                    "input": {"query": "cats"},
                },
                {
                    "type": "web_search_tool_result",
                    "tool_use_id": "srvtoolu_01",
                    "content": [{"type": "web_search_result", "url": "https://x", "title": "X"}],
                },
                {
                    "type": "tool_use",
                    "id": "toolu_01",
                    "name": "get_weather",
                    "input": {"city": "Paris", "units": ["c"]},
                },
                {"type": "tool_use", "id": "toolu_02", "name": "noop", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_01",
                    "content": [
                        {"type": "text", "text": "sunny"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": "iVBO"},
                        },
                    ],
                    "cache_control": {"type": "ephemeral"},
                },
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_02",
                    "content": [
                        {
                            "type": "search_result",
                            "source": "https://x",
                            "title": "X",
                            "content": [{"type": "text", "text": "x"}],
                        }
                    ],
                    "is_error": True,
                },
                {"type": "text", "text": "Thanks."},
            ],
        },
        {"role": "assistant", "content": "Sure"},
    ],
    "tools": [
        {
            "name": "get_weather",
            "description": "Weather by city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
            "cache_control": {"type": "ephemeral"},
        },
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
        {
            "name": "noop",
            "input_schema": {"type": "object", "properties": {}},
            "defer_loading": True,
        },
    ],
    "tool_choice": {"type": "auto", "disable_parallel_tool_use": True},
    "metadata": {"user_id": "user-42"},
    "stop_sequences": ["\n\nHuman:"],
    "stream": True,
    "thinking": {"type": "enabled", "budget_tokens": 4096, "display": "summarized"},
    "output_config": {
        "effort": "max",
        "format": {"type": "json_schema", "schema": {"type": "object"}},
    },
    "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
    "service_tier": "auto",
    "container": "container_01",
}

RESPONSE: dict = {
    "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [
        {"type": "thinking", "thinking": "The user wants weather.", "signature": "EqQBCgIYAhIM"},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
        {"type": "text", "text": "Let me check."},
        {
            "type": "tool_use",
            "id": "toolu_01A09q90qw90lq917835lq9",
            "name": "get_weather",
            "input": {"location": "San Francisco, CA", "unit": "celsius"},
        },
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 2095,
        "cache_creation_input_tokens": 120,
        "cache_read_input_tokens": 18000,
        "output_tokens": 503,
    },
}

# A stream as Anthropic sends it: thinking + signature, text, a tool call whose JSON arrives in
# pieces (one empty), a ping in the middle and server-tool blocks the canonical model cannot hold.
STREAM = b"""event: message_start
data: {"type": "message_start", "message": {"id": "msg_01Stream", "type": "message", \
"role": "assistant", "model": "claude-sonnet-4-5", "content": [], "stop_reason": null, \
"stop_sequence": null, "usage": {"input_tokens": 25, "cache_creation_input_tokens": 10, \
"cache_read_input_tokens": 100, "output_tokens": 1}}}

event: ping
data: {"type": "ping"}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", \
"thinking": "", "signature": ""}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", \
"thinking": "Weather? "}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", \
"thinking": "Use the tool \\u2014 quickly."}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", \
"signature": "EqQBCgIYAhIMsig=="}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: content_block_start
data: {"type": "content_block_start", "index": 1, "content_block": {"type": "server_tool_use", \
"id": "srvtoolu_1", "name": "web_search", "input": {}}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", \
"partial_json": "{\\"query\\": \\"paris\\"}"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 1}

event: content_block_start
data: {"type": "content_block_start", "index": 2, "content_block": {"type": "text", "text": ""}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 2, "delta": {"type": "text_delta", \
"text": "Checking the weather in "}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type": "content_block_delta", "index": 2, "delta": {"type": "text_delta", \
"text": "Paris \xe2\x98\x80"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 2}

event: content_block_start
data: {"type": "content_block_start", "index": 3, "content_block": {"type": "tool_use", \
"id": "toolu_01T1x", "name": "get_weather", "input": {}}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 3, "delta": {"type": "input_json_delta", \
"partial_json": ""}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 3, "delta": {"type": "input_json_delta", \
"partial_json": "{\\"location\\": \\"Par"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 3, "delta": {"type": "input_json_delta", \
"partial_json": "is, FR\\", \\"unit\\""}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 3, "delta": {"type": "input_json_delta", \
"partial_json": ": \\"celsius\\"}"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 3}

event: message_delta
data: {"type": "message_delta", "delta": {"type": "message_delta", "stop_reason": "tool_use", \
"stop_sequence": null}, "usage": {"output_tokens": 87}}

event: message_stop
data: {"type": "message_stop"}

"""

STREAM_THINKING = "Weather? Use the tool \u2014 quickly."
STREAM_TEXT = "Checking the weather in Paris \u2600"
STREAM_TOOL_INPUT = {"location": "Paris, FR", "unit": "celsius"}
