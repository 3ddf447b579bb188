"""Thinking signatures reach only the provider that issued them.

A provider's reasoning comes with opaque data it wants back, untouched, on the next turn: an
Anthropic thinking `signature` and `redacted_thinking` data, a Gemini `thoughtSignature`, a
Responses reasoning item's `encrypted_content` and "rs_…" id. Only the issuer can check it;
another provider refuses it (Anthropic: "Invalid `signature` in `thinking` block"). So each
canonical ThinkingPart / RedactedThinkingPart holding such data names its issuer's wire format
in `origin`, and every hop respects it:

- provider answers: each format's parse_response and stream decoder set `origin` to its own
  name on every part that carries a signature, encrypted content or redacted data;
- answers for a client: a client of the issuer's format gets the data untouched; a client of
  another format gets it wrapped (`shown`, `wrap`) in the slot its format has for it (an
  Anthropic `signature`, a Gemini `thoughtSignature`, a Responses `encrypted_content`);
- client requests: each parse_request gives a wrapped value back to its issuer (`received`,
  `unwrap`); a value that is not wrapped is the client's own format's;
- provider requests: each build_request keeps only what the provider's own format issued
  (`keep_own`); the rest is taken out — a thinking part keeps its text where the target format
  can take text alone — and the drop is logged once per request.

The wrapped form is base64 of b"omniroute" + issuer + "#" + value, so it is valid base64 (SDKs
that hold signatures as bytes, like google-genai's `Part.thought_signature`, decode and
re-encode it intact, in either base64 alphabet) and always starts with WRAPPED_PREFIX. A
Responses value is "<item id>:<encrypted_content>"; redacted thinking is "redacted:<data>".

A part whose origin is None was made by the gateway's own code (tests, the translator bench),
not read from a wire: it is passed on as it is.
"""

from __future__ import annotations

import base64
import binascii
import operator
from collections import Counter
from dataclasses import replace

from .canonical import Message, Part, RedactedThinkingPart, Request, ThinkingPart, ToolResultPart
from .dropped import note_dropped

UNKNOWN = "unknown"  # the issuer of a value read back without provenance (see responses/output)
ISSUERS = frozenset({"anthropic", "gemini", "responses", "openai", "bedrock", UNKNOWN})
_MAGIC = b"omniroute"  # 9 bytes: its base64 is a fixed prefix in both alphabets
WRAPPED_PREFIX = base64.b64encode(_MAGIC).decode("ascii")
REDACTED = "redacted:"
_RESPONSES = "responses"
_FOREIGN = "only the provider that issued it accepts it"


def wrap(origin: str, value: str) -> str:
    """`value`, issued by `origin`, in the form a client of another format carries."""
    return base64.b64encode(_MAGIC + f"{origin}#{value}".encode()).decode("ascii")


def unwrap(value: str, own_format: str | None) -> tuple[str | None, str]:
    """(issuer, raw value) of a value a client sent back: a wrapped one names its issuer;
    anything else is `own_format`'s (the client's own provider issued it)."""
    if not value.startswith(WRAPPED_PREFIX):
        return own_format, value
    decoded = _b64decode(value)
    if decoded is None or not decoded.startswith(_MAGIC):
        return own_format, value
    origin, separator, rest = decoded[len(_MAGIC) :].partition(b"#")
    name = origin.decode("ascii", "replace")
    if not separator or name not in ISSUERS:
        return own_format, value
    try:
        return name, rest.decode("utf-8")
    except UnicodeDecodeError:
        return own_format, value


def _b64decode(value: str) -> bytes | None:
    text = value.replace("-", "+").replace("_", "/").rstrip("=")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Parts ⇄ the one opaque value a client of another format carries for them


def opaque_value(part: ThinkingPart | RedactedThinkingPart) -> str | None:
    """The provider data of a part as one string (see the module docstring), None without."""
    if isinstance(part, RedactedThinkingPart):
        return REDACTED + part.data
    if part.origin == _RESPONSES or part.encrypted:
        if not (part.encrypted or part.id):
            return None
        return f"{part.id or ''}:{part.encrypted or ''}"
    return part.signature or None


def part_of(origin: str, value: str, text: str = "") -> ThinkingPart | RedactedThinkingPart:
    """The part whose opaque_value is `value`, issued by `origin` (the inverse of opaque_value)."""
    if value.startswith(REDACTED):
        return RedactedThinkingPart(value[len(REDACTED) :], origin=origin)
    if origin == _RESPONSES:
        item_id, _, encrypted = value.partition(":")
        return ThinkingPart(text, encrypted=encrypted or None, id=item_id or None, origin=origin)
    return ThinkingPart(text, signature=value, origin=origin)


def is_foreign(part: Part, own_format: str) -> bool:
    """Whether `part` carries provider data that a format other than `own_format` issued."""
    if not isinstance(part, ThinkingPart | RedactedThinkingPart):
        return False
    return part.origin is not None and part.origin != own_format


def shown(part: Part, client_format: str) -> Part:
    """`part` as a client of `client_format` is given it: data its own format issued as it is,
    another format's wrapped into the signature slot (ThinkingPart.signature)."""
    if not is_foreign(part, client_format):
        return part
    assert isinstance(part, ThinkingPart | RedactedThinkingPart) and part.origin is not None
    value = opaque_value(part)
    text = part.text if isinstance(part, ThinkingPart) else ""
    if value is None:
        return ThinkingPart(text)
    return ThinkingPart(text, signature=wrap(part.origin, value), origin=client_format)


def shown_parts(parts: tuple[Part, ...], client_format: str) -> tuple[Part, ...]:
    return tuple(shown(part, client_format) for part in parts)


def streamed(start: ThinkingPart, signature: str) -> ThinkingPart | RedactedThinkingPart:
    """A streamed thinking block's part once its signature deltas are in: they are a Responses
    block's encrypted_content, any other format's signature — or, wrapped, the data of the
    issuer they name (a decoder learns that only at the block's end, after its BlockStart)."""
    if not signature:
        return start
    origin, value = unwrap(signature, None)
    if origin is not None:
        return part_of(origin, value, start.text)
    if start.origin == _RESPONSES:
        return replace(start, encrypted=(start.encrypted or "") + signature)
    return replace(start, signature=(start.signature or "") + signature)


def received(part: Part, client_format: str) -> Part:
    """A part a client of `client_format` sent: a wrapped signature back to its issuer's part
    (the text kept); anything else as the parser read it (its own format's)."""
    if not isinstance(part, ThinkingPart) or not part.signature:
        return part
    origin, value = unwrap(part.signature, None)
    if origin is None:
        return part if part.origin else replace(part, origin=client_format)
    return part_of(origin, value, part.text)


def rejoined(parts: list[Part], client_format: str) -> list[Part]:
    """`parts` with each thinking part another format issued joined to the unsigned thinking
    text right before it: a streamed block reaches a Gemini client as thought parts of text,
    its wrapped signature on the last one, and its issuer wants the text whole beside it."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, ThinkingPart) and is_foreign(part, client_format):
            pieces: list[str] = []
            while out and isinstance(last := out[-1], ThinkingPart) and _bare(last):
                pieces.insert(0, last.text)
                out.pop()
            part = replace(part, text="".join(pieces) + part.text) if pieces else part
        out.append(part)
    return out


def _bare(part: ThinkingPart) -> bool:
    """Thinking text with no provider data of its own."""
    return not (part.signature or part.encrypted or part.id)


# ---------------------------------------------------------------------------------------------
# Provider requests


def keep_own(request: Request, target: str) -> Request:
    """`request` with the provider data that `target` did not issue taken out (a thinking part
    keeps its text, for the target's builder to send as that format allows), each kind of drop
    logged once."""
    dropped: Counter[tuple[str, str]] = Counter()
    messages: list[Message] = []
    for message in request.messages:
        parts: list[Part] = []
        for part in message.parts:
            if not is_foreign(part, target):
                parts.append(part)
                continue
            assert isinstance(part, ThinkingPart | RedactedThinkingPart)
            dropped[(_kind(part), part.origin or "")] += 1
            if isinstance(part, ThinkingPart) and part.text:
                parts.append(ThinkingPart(part.text))  # the text alone, for what it is worth
        same = len(parts) == len(message.parts) and all(map(operator.is_, parts, message.parts))
        messages.append(message if same else Message(message.role, tuple(parts)))
    if not dropped:
        return request
    for (kind, origin), count in dropped.items():
        note_dropped(request, target, f"{count} {kind} from {origin}", _FOREIGN)
    return replace(request, messages=tuple(messages))


def _kind(part: ThinkingPart | RedactedThinkingPart) -> str:
    if isinstance(part, RedactedThinkingPart):
        return "redacted thinking block(s)"
    if part.origin == _RESPONSES:
        return "encrypted reasoning item(s)"
    return "thinking signature(s)"


def current_turn_start(messages: tuple[Message, ...]) -> int:
    """Index of the first message of the turn in progress: the one after the last user message
    that answers no tool call (a user message holding tool results continues the turn)."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message.role == "user" and not any(
            isinstance(part, ToolResultPart) for part in message.parts
        ):
            return index + 1
    return 0


_SIGNATURE_KEYS = frozenset(
    {"signature", "thoughtSignature", "thought_signature", "encrypted_content"}
)


def holds_wrapped(body: object) -> bool:
    """Whether a client body gives back provider data of another format (a wrapped value in a
    signature slot): such a body must be translated, not passed through, even to a provider of
    the client's own format (a combo that answered an earlier turn with another provider)."""
    stack = [body]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in _SIGNATURE_KEYS and isinstance(item, str):
                    if item.startswith(WRAPPED_PREFIX) and unwrap(item, None)[0] is not None:
                        return True
                elif isinstance(item, dict | list):
                    stack.append(item)
        elif isinstance(value, list):
            stack.extend(item for item in value if isinstance(item, dict | list))
    return False
