"""What a provider's format cannot take from a request, named in a log line as it is dropped.

Some request features have no counterpart in another format and are left out of the built body:
Anthropic server tools (web_search_20250305, bash_…, kept in `anthropic.server_tools`) for a
non-Anthropic provider, Gemini's built-in tools (googleSearch, codeExecution, urlContext…, kept in
`gemini.tools`) for a non-Gemini provider, a `json_object` response format for Anthropic
(which has no JSON mode; a json_schema format is sent as output_config.format), and stop
sequences for a Responses provider (the Responses API has none). Each build_request
calls `log_dropped(request, its format name)` so that nothing disappears silently. (Responses
built-in and namespace tools are logged when parsed, in responses/tools.py.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from .canonical import Request

log = logging.getLogger("omniroute.formats.dropped")


def log_dropped(request: Request, target: str) -> None:
    """Log one line per request feature the `target` format's body will not carry."""
    for what in dropped_features(request, target):
        log.info("%s: dropping %s (the provider's API cannot take it)", target, what)


def dropped_features(request: Request, target: str) -> Iterator[str]:
    extra = request.extra
    if target != "anthropic":
        for _, tool in extra.get("anthropic.server_tools") or ():
            kind = tool.get("type") if isinstance(tool, dict) else None
            yield f"Anthropic server tool {kind!r}"
    if target != "gemini":
        for entry in extra.get("gemini.tools") or ():
            for name in entry if isinstance(entry, dict) else ():
                yield f"Gemini tool {name!r}"
    if target == "responses" and request.stop:
        yield "stop sequences (the Responses API has none)"
    fmt = request.response_format
    if target == "anthropic" and fmt is not None and fmt.kind == "json_object":
        yield "the json_object response format (Anthropic has no JSON mode)"
