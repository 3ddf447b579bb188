"""Anthropic's count_tokens from the provider's own token counter, where it has one.

Anthropic providers count at /messages/count_tokens, Gemini at models/{model}:countTokens (the
whole generateContent request), Responses providers at /responses/input_tokens (the request's
input fields). Any failure is no count: the pipeline then answers its documented estimate.
"""

from __future__ import annotations

import json

from ..errors import GatewayError
from ..routing.plan import Attempt
from .endpoints import model_segment, upstream_url
from .translation import Translation
from .upstream import UpstreamClient


def _gemini_count_request(body: dict, model: str) -> dict:
    """models.countTokens takes the whole generateContent request, naming its model."""
    return {"generateContentRequest": {"model": f"models/{model}", **body}}


RESPONSES_COUNT_FIELDS = (
    "model",
    "input",
    "instructions",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "reasoning",
    "text",
    "truncation",
    "conversation",
    "previous_response_id",
)


def _responses_count_request(body: dict, model: str) -> dict:
    """/responses/input_tokens takes the request's input fields, not stream or output limits."""
    return {name: body[name] for name in RESPONSES_COUNT_FIELDS if name in body}


# The providers' own token counters, by wire format: the path under the base URL, the counting
# request from the provider-format request body (None: send it as it is) and the Anthropic
# count_tokens answer from the provider's.
TOKEN_COUNTERS = {
    "anthropic": ("/messages/count_tokens", None, lambda answer: answer),
    "gemini": (
        "/models/{model}:countTokens",
        _gemini_count_request,
        lambda answer: {"input_tokens": answer["totalTokens"]},
    ),
    "responses": (
        "/responses/input_tokens",
        _responses_count_request,
        lambda answer: {"input_tokens": answer["input_tokens"]},
    ),
}


def provider_count(
    client: UpstreamClient, translation: Translation, attempt: Attempt
) -> dict | None:
    """The Anthropic count_tokens answer from the provider's own counter, or None when it
    has none or the call fails (the caller then estimates)."""
    counter = TOKEN_COUNTERS.get(attempt.spec.wire_format)
    if counter is None:
        return None
    path, count_request, count_answer = counter
    request = translation.upstream_request(attempt)
    body = request.body
    if count_request is not None:
        body = json.dumps(count_request(json.loads(body), attempt.model)).encode("utf-8")
    url = upstream_url(attempt, stream=False, path=path.format(model=model_segment(attempt.model)))
    try:
        response = client.post(url, body, request.headers, provider=attempt.spec.id)
    except GatewayError:
        return None
    with response:
        if response.status_code != 200:
            return None
        try:  # a broken or odd answer is no count: estimate instead
            answer = count_answer(json.loads(response.read_all()))
            tokens = answer["input_tokens"]
        except Exception:
            return None
    return answer if type(tokens) is int and tokens >= 0 else None
