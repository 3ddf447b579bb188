"""The model an answer names is the one the client asked for, whichever format carried it.

A translated answer is built with the client's requested model id; an answer passed through
untouched (client and provider share a format) names the provider's own id. `echo_model`
rewrites that name in the raw JSON — every `"model"` value (OpenAI Chat, Responses, Anthropic)
and `"modelVersion"` (Gemini) — so that both paths answer alike; the provider's id stays in the
X-OmniRoute-Model header. Inside JSON strings a quote is always escaped, so the pattern only
meets real keys, never text that happens to contain them.
"""

from __future__ import annotations

import json
import re

_MODEL_VALUE = re.compile(rb'("(?:model|modelVersion)"\s*:\s*)"(?:[^"\\]|\\.)*"')


def echo_model(data: bytes, model: str) -> bytes:
    """`data` (JSON or SSE bytes) with every model name replaced by `model`."""
    value = json.dumps(model, ensure_ascii=False).encode("utf-8")
    return _MODEL_VALUE.sub(lambda match: match.group(1) + value, data)
