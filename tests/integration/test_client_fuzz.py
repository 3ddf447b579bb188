"""Fuzz of the client API (hypothesis, derandomized): every /v1 endpoint in its wire format —
chat completions, messages, count_tokens, responses, Gemini generateContent and
streamGenerateContent, embeddings, images — against one real gateway whose provider nodes of
every format point at the fake upstream on 127.0.0.1.

Bodies (any JSON value or bytes, plausible requests with random field values, deep nesting,
lone surrogates), header values (anthropic-version, authorization, content-type…: any character
an HTTP/1.1 header may carry) and model ids (any text: control characters, `..`, `?`, `#`, very
long). Every answer must be below 500, and every error JSON in the caller's own shape. The whole
module stays within about a minute (MAX_EXAMPLES per test).
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.client_requests import ENDPOINTS, FORMATS, add_nodes, check_error_shape, node_model
from tests.gateway_harness import start_gateway

MAX_EXAMPLES = 60
FUZZ = settings(
    derandomize=True,
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZED = ["chat", "messages", "count_tokens", "responses", "gemini", "gemini-stream"]
FUZZED += ["embeddings", "images"]
ALIASES = {"chat": "/chat/completions", "messages": "/messages", "responses": "/responses"}

# -- strategies -----------------------------------------------------------------------------------

TEXT = st.text(max_size=30)
SURROGATE_TEXT = st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
NODE_MODELS = st.sampled_from([node_model(fmt) for fmt in FORMATS])
NODE_PREFIXES = st.sampled_from([node_model(fmt, "") for fmt in FORMATS])
MODEL_IDS = st.one_of(
    NODE_MODELS,
    st.builds(str.__add__, NODE_PREFIXES, st.text(st.characters(codec="utf-8"), max_size=20)),
    TEXT,
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(["edge-openai/", "edge-gemini/", "..", "/", "?", "#", "%2e", "☃"])
            | st.characters(max_codepoint=0x9F),
            max_size=12,
        ),
    ),
    st.integers(200, 3000).map(lambda n: "edge-openai/" + "m" * n),
)
SERVED_MODELS = st.one_of(NODE_MODELS, NODE_MODELS, NODE_MODELS, MODEL_IDS)
HEADER_NAMES = ["anthropic-version", "anthropic-beta", "authorization", "content-type"]
HEADER_NAMES += ["x-api-key", "x-goog-api-key"]
HEADER_CHARS = "\t" + "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0x80, 0x100)))
HEADER_VALUES = st.text(st.sampled_from(HEADER_CHARS), max_size=60).map(lambda v: v.strip(" \t"))


def junk_or(strategy):
    """Mostly `strategy`, sometimes any JSON value in its place."""
    return st.one_of(strategy, strategy, strategy, JSON_VALUES)


def some(strategy, most: int = 3):
    return st.lists(strategy, min_size=1, max_size=most)


def objects(required: dict, optional: dict | None = None):
    return st.fixed_dictionaries(required, optional=optional or {})


TEXT_PARTS = some(objects({"type": junk_or(st.just("text")), "text": junk_or(TEXT)}))
CHAT_MESSAGE = objects(
    {"role": junk_or(st.sampled_from(["user", "assistant", "system", "tool", "developer"]))},
    {
        "content": junk_or(TEXT | TEXT_PARTS),
        "tool_calls": JSON_VALUES,
        "tool_call_id": junk_or(TEXT),
    },
)
ANTHROPIC_BLOCK = objects(
    {"type": junk_or(st.sampled_from(["text", "tool_use", "tool_result", "thinking", "image"]))},
    {
        "text": junk_or(TEXT),
        "id": junk_or(TEXT),
        "name": junk_or(TEXT),
        "input": JSON_VALUES,
        "tool_use_id": junk_or(TEXT),
        "content": JSON_VALUES,
        "thinking": junk_or(TEXT),
        "signature": junk_or(TEXT),
    },
)
ANTHROPIC_MESSAGE = objects(
    {
        "role": junk_or(st.sampled_from(["user", "assistant"])),
        "content": junk_or(TEXT | some(ANTHROPIC_BLOCK)),
    }
)
TOOLS = st.lists(
    objects({"type": junk_or(st.just("function"))}, {"name": TEXT, "function": JSON_VALUES}),
    max_size=2,
)
ANTHROPIC_FIELDS = {
    "system": junk_or(TEXT | TEXT_PARTS),
    "stream": junk_or(st.booleans()),
    "tools": junk_or(some(objects({"name": TEXT, "input_schema": JSON_VALUES}), 2)),
    "thinking": JSON_VALUES,
    "temperature": JSON_VALUES,
    "metadata": JSON_VALUES,
}
RESPONSES_ITEM = objects(
    {"type": junk_or(st.sampled_from(["message", "function_call", "function_call_output"]))},
    {
        "role": junk_or(st.sampled_from(["user", "assistant", "developer"])),
        "content": junk_or(TEXT | TEXT_PARTS),
        "call_id": junk_or(TEXT),
        "name": junk_or(TEXT),
        "arguments": junk_or(TEXT),
        "output": junk_or(TEXT),
    },
)
GEMINI_PART = objects(
    {},
    {
        "text": junk_or(TEXT),
        "functionCall": JSON_VALUES,
        "functionResponse": JSON_VALUES,
        "thought": JSON_VALUES,
    },
)
GEMINI_BODY = objects(
    {
        "contents": junk_or(
            st.lists(
                objects(
                    {"parts": junk_or(some(GEMINI_PART))},
                    {"role": junk_or(st.sampled_from(["user", "model"]))},
                ),
                min_size=1,
                max_size=3,
            )
        )
    },
    {
        "generationConfig": JSON_VALUES,
        "systemInstruction": JSON_VALUES,
        "tools": JSON_VALUES,
        "model": JSON_VALUES,
    },
)
PLAUSIBLE = {
    "chat": objects(
        {"model": SERVED_MODELS, "messages": junk_or(some(CHAT_MESSAGE))},
        {
            "stream": junk_or(st.booleans()),
            "stream_options": JSON_VALUES,
            "max_tokens": junk_or(st.integers(-5, 10**6)),
            "tools": junk_or(TOOLS),
            "tool_choice": JSON_VALUES,
            "temperature": JSON_VALUES,
            "response_format": JSON_VALUES,
        },
    ),
    "messages": objects(
        {
            "model": SERVED_MODELS,
            "max_tokens": junk_or(st.integers(-5, 10**6)),
            "messages": junk_or(some(ANTHROPIC_MESSAGE)),
        },
        ANTHROPIC_FIELDS,
    ),
    "count_tokens": objects(
        {"model": SERVED_MODELS, "messages": junk_or(some(ANTHROPIC_MESSAGE))},
        ANTHROPIC_FIELDS,
    ),
    "responses": objects(
        {"model": SERVED_MODELS, "input": junk_or(TEXT | some(RESPONSES_ITEM))},
        {
            "instructions": junk_or(TEXT),
            "stream": junk_or(st.booleans()),
            "tools": junk_or(TOOLS),
            "reasoning": JSON_VALUES,
            "max_output_tokens": JSON_VALUES,
            "previous_response_id": JSON_VALUES,
        },
    ),
    "gemini": GEMINI_BODY,
    "gemini-stream": GEMINI_BODY,
    "embeddings": objects(
        {"model": SERVED_MODELS, "input": junk_or(TEXT | some(TEXT))},
        {"encoding_format": JSON_VALUES, "dimensions": JSON_VALUES},
    ),
    "images": objects(
        {"model": SERVED_MODELS, "prompt": junk_or(TEXT)},
        {"n": JSON_VALUES, "size": JSON_VALUES, "stream": JSON_VALUES},
    ),
}

# -- the gateway and one request ------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_gateway(tmp_path_factory, upstream_server):
    upstream_server.reset()
    running = start_gateway(str(tmp_path_factory.mktemp("fuzz") / "data"))
    add_nodes(running, upstream_server.url)
    yield running
    running.stop()
    upstream_server.reset()


def send(gateway, path: str, body: bytes, headers: dict[str, str]):
    """POST over a fresh connection to the gateway on 127.0.0.1; (status, content type, body)."""
    address = urlsplit(gateway.url)
    assert address.hostname == "127.0.0.1"
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.putrequest("POST", path, skip_accept_encoding=True)
        for name, value in {"content-type": "application/json", **headers}.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def served_model(name: str) -> str:
    """A model the endpoint's own format serves (embeddings and images: an OpenAI node)."""
    endpoint = ENDPOINTS[name]
    return node_model("openai" if name in ("embeddings", "images") else endpoint.wire_format)


def check(endpoint, status: int, content_type: str, content: bytes) -> None:
    assert status < 500, (endpoint.name, status, content[:500])
    if status >= 400:
        check_error_shape(endpoint.wire_format, status, content_type, content)


def fuzz(gateway, name: str, body, model: str | None = None, headers=None, path=None) -> None:
    """Send `body` (JSON-encoded unless bytes; model into the URL for Gemini) and check."""
    endpoint = ENDPOINTS[name]
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    model = served_model(name) if model is None else model
    status, content_type, content = send(gateway, path or endpoint.path(model), raw, headers or {})
    check(endpoint, status, content_type, content)


# -- the fuzz -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FUZZED)
@FUZZ
@given(body=JSON_VALUES | st.binary(max_size=80))
def test_any_json_value_or_bytes(fuzz_gateway, name, body):
    fuzz(fuzz_gateway, name, body)


@pytest.mark.parametrize("name", FUZZED)
@FUZZ
@given(data=st.data())
def test_plausible_requests_with_random_values(fuzz_gateway, name, data):
    body = data.draw(PLAUSIBLE[name])
    model = data.draw(SERVED_MODELS) if name.startswith("gemini") else None
    aliased = name in ALIASES and data.draw(st.booleans())
    fuzz(fuzz_gateway, name, body, model, path=ALIASES[name] if aliased else None)


@pytest.mark.parametrize("name", FUZZED)
@FUZZ
@given(depth=st.integers(1, 3000), text=SURROGATE_TEXT | TEXT, where=st.sampled_from(["in", "at"]))
def test_deep_nesting_and_surrogates(fuzz_gateway, name, depth, text, where):
    raw = json.dumps(ENDPOINTS[name].body(served_model(name)))
    if where == "in":
        raw = raw[:-1] + f', "metadata": {"[" * depth}{json.dumps(text)}{"]" * depth}}}'
    else:
        raw = "[" * depth + raw + "]" * depth
    fuzz(fuzz_gateway, name, raw.encode())


@pytest.mark.parametrize("name", FUZZED)
@FUZZ
@given(headers=st.dictionaries(st.sampled_from(HEADER_NAMES), HEADER_VALUES, max_size=4))
def test_header_values(fuzz_gateway, name, headers):
    model = served_model(name)
    fuzz(fuzz_gateway, name, ENDPOINTS[name].body(model), model, headers)


@pytest.mark.parametrize("name", FUZZED)
@FUZZ
@given(model=MODEL_IDS)
def test_model_ids(fuzz_gateway, name, model):
    fuzz(fuzz_gateway, name, ENDPOINTS[name].body(model), model)
