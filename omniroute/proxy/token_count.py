"""Anthropic's count_tokens from the provider's own token counter, where it has one.

Each format declares its counter (WireFormat.token_counter): Anthropic providers count at
/messages/count_tokens, Gemini at models/{model}:countTokens (the whole generateContent request),
Responses providers at /responses/input_tokens (the request's input fields). A signed-in
account's call is prepared like its chat call (`prepare`: its token and required headers).
Any failure is no count: the pipeline then answers its documented estimate.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

from ..errors import GatewayError
from ..formats.base import TokenCounter
from ..formats.registry import FORMATS, Registry
from ..routing.plan import Attempt
from .translation import Translation
from .transport import Transport
from .upstream_call import UpstreamCall, chat_call, send_call, upstream_url


def token_counter(wire_format: str, formats: Registry = FORMATS) -> TokenCounter | None:
    """The token counter of providers speaking `wire_format`, if they have one."""
    wire = formats.get(wire_format)
    return None if wire is None else wire.token_counter


def count_call(
    translation: Translation, attempt: Attempt, formats: Registry = FORMATS
) -> UpstreamCall | None:
    """The call asking the attempt's provider to count the request's tokens (None: it has no
    counter): the chat call's headers, sent to the counter with its counting request."""
    counter = token_counter(attempt.spec.wire_format, formats)
    if counter is None:
        return None
    call = chat_call(attempt, translation, formats)
    body = call.body or b""
    if counter.request is not None:
        body = json.dumps(counter.request(json.loads(body), attempt.model)).encode("utf-8")
    url = upstream_url(attempt, stream=False, path=counter.path(attempt.model), formats=formats)
    return dataclasses.replace(call, url=url, body=body)


def provider_count(
    client: Transport,
    translation: Translation,
    attempt: Attempt,
    formats: Registry = FORMATS,
    prepare: Callable[[Attempt, UpstreamCall], UpstreamCall] | None = None,
) -> dict | None:
    """The Anthropic count_tokens answer from the provider's own counter, or None when it
    has none or the call fails (the caller then estimates)."""
    call = count_call(translation, attempt, formats)
    counter = token_counter(attempt.spec.wire_format, formats)
    if call is None or counter is None:
        return None
    try:
        if prepare is not None:
            call = prepare(attempt, call)
        response = send_call(client, call, provider=attempt.spec.id)
    except GatewayError:
        return None
    with response:
        if response.status_code != 200:
            return None
        try:  # a broken or odd answer is no count: estimate instead
            answer = counter.answer(json.loads(response.read_all()))
            tokens = answer["input_tokens"]
        except Exception:
            return None
    return answer if type(tokens) is int and tokens >= 0 else None
