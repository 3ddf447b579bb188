"""A real fake upstream: an HTTP server on 127.0.0.1 speaking OpenAI Chat, OpenAI Responses,
Anthropic Messages and Gemini generateContent (see `tests.fakes`).

Tests (and the benchmark) script its behaviour with rules matched on the request's model and
API key: status codes and error bodies, Retry-After, delays before the headers, the text chunks
of a stream and the time between them, tool calls, thinking, usage and cached tokens, and a
connection reset after N events. Every request it receives is recorded for assertions.
"""

from tests.fakes.recording import FORMATS, Recorded
from tests.fakes.script import ECHO_PREFIX, TOOL_SAID_PREFIX, Behavior, Rule
from tests.fakes.server import FakeUpstream

__all__ = [
    "ECHO_PREFIX",
    "FORMATS",
    "TOOL_SAID_PREFIX",
    "Behavior",
    "FakeUpstream",
    "Recorded",
    "Rule",
]
