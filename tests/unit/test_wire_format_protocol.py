"""Every registered wire format is one complete WireFormat, and every per-format table of the
gateway is derived from the registry.

The second half registers a fake fifth format in a test-local copy of the registry (the real
OpenAI Chat converters under another name, path, endpoint, auth style, version header and token
counter) and hands that copy to each function that used to hold a table of its own: the format
shows up everywhere, so adding a format is one sub-package and one registry line.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from omniroute.errors import InvalidRequestError
from omniroute.formats import canonical as c
from omniroute.formats.base import Forwarded, TokenCounter, WireFormat, fixed_path
from omniroute.formats.envelopes import Envelope
from omniroute.formats.registry import FORMATS, format_for_path, registry_of
from omniroute.formats.sse import SSESplitter
from omniroute.providers import ENDPOINT_PATHS, endpoint_paths, normalize_base_url
from omniroute.providers.accounts import ActiveConnection, ActiveNode
from omniroute.providers.spec import AUTH_STYLES, WIRE_FORMATS, ProviderSpec, wire_formats
from omniroute.proxy.stream_relay import DecodingReader, PassthroughSink, TranslatingSink
from omniroute.proxy.token_count import count_call, token_counter
from omniroute.proxy.translation import ClientCall, Translation
from omniroute.proxy.upstream_call import chat_call, upstream_headers, upstream_url
from omniroute.routing.plan import Attempt
from omniroute.routing.table import node_spec
from omniroute.translator.examples import FORMAT_BY_PATH, FORMAT_ORDER
from omniroute.translator.reasons import FORMAT_LABELS
from omniroute.usage.trace import RequestTrace

NAMES = sorted(FORMATS)
HELLO = c.Request(
    model="m-1",
    messages=(c.Message("user", (c.TextPart("hello there"),)),),
    max_tokens=64,
)
ANSWER = c.Response(
    id="resp_1",
    model="m-1",
    parts=(c.TextPart("hi back"),),
    stop_reason="end_turn",
    usage=c.Usage(input_tokens=3, output_tokens=2),
)
FAKE = dataclasses.replace(
    FORMATS["openai"],
    name="fake",
    label="Fake",
    short_label="Fake",
    client_endpoint="fake",
    client_paths=("/v1/fake",),
    path_marker="/fake",
    endpoint_path="/fake",
    upstream_path=fixed_path("/fake/generate"),
    auth_style="x-api-key",
    version_headers={"fake-version": "7"},
    forwarded_headers=("fake-beta",),
    token_counter=TokenCounter(
        lambda model: f"/fake/{model}/count",
        lambda body, model: {"count": body},
        lambda answer: {"input_tokens": answer["n"]},
    ),
)
WITH_FAKE = registry_of(*FORMATS.values(), FAKE)


def texts(parts) -> list[str]:
    return [part.text for part in parts if isinstance(part, c.TextPart)]


def fake_attempt(wire_format: str = "fake", key: str = "sk-1") -> Attempt:
    spec = ProviderSpec(
        id="p", name="P", prefix="p", base_url="http://up.test/v1", wire_format=wire_format
    )
    spec = dataclasses.replace(spec, auth=WITH_FAKE[wire_format].auth_style)
    account = ActiveConnection(None, "p", "P", key, None, 0)
    return Attempt(spec, account, "m-1")


# -- the protocol ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_format_declares_every_field_of_the_protocol(name: str) -> None:
    wire = FORMATS[name]
    assert isinstance(wire, WireFormat) and wire.name == name
    assert str(wire.label) and wire.short_label and wire.client_endpoint
    assert wire.client_paths and all(p.startswith("/") for p in wire.client_paths)
    assert all(p.startswith("/") for p in wire.count_paths)
    assert wire.client_path("m-1", True).startswith("/")
    assert wire.path_prefix is None or wire.path_prefix.startswith("/")
    assert wire.path_marker is None or wire.path_marker.startswith("/")
    for field in (
        "parse_request",
        "build_request",
        "parse_response",
        "build_response",
        "usage_of",
        "error_body",
        "parse_error",
        "stream_decoder",
        "stream_encoder",
        "peek_request",
        "passthrough_body",
        "passthrough_stream",
        "upstream_path",
    ):
        assert callable(getattr(wire, field)), field
    assert wire.endpoint_path.startswith("/")
    assert wire.upstream_path("m-1", False).startswith("/")
    assert wire.auth_style in AUTH_STYLES
    assert all(isinstance(v, str) for v in wire.version_headers.values())
    assert all(h == h.lower() for h in wire.forwarded_headers)
    counter = wire.token_counter
    if counter is not None:
        assert counter.path("m-1").startswith("/") and callable(counter.answer)
        assert counter.request is None or callable(counter.request)


@pytest.mark.parametrize("name", NAMES)
def test_a_stream_decoder_encoder_and_passthrough_watch_have_their_methods(name: str) -> None:
    wire = FORMATS[name]
    decoder, encoder = wire.stream_decoder(), wire.stream_encoder(HELLO)
    assert callable(decoder.feed) and callable(decoder.close)
    assert callable(encoder.encode) and callable(encoder.close)
    watch = wire.passthrough_stream(HELLO, False)
    forwarded = watch.forward([])
    assert isinstance(forwarded, Forwarded) and forwarded.data == b""
    assert watch.complete() is False  # nothing went by: the stream did not end properly
    assert watch.error_event(c.StreamError(502, "broke")).strip()


def test_client_paths_are_unique_across_formats() -> None:
    paths = [p for wire in FORMATS.values() for p in wire.client_paths + wire.count_paths]
    assert len(paths) == len(set(paths))
    with pytest.raises(ValueError, match="client path"):
        registry_of(*FORMATS.values(), dataclasses.replace(FAKE, client_paths=("/v1/messages",)))
    with pytest.raises(ValueError, match="two wire formats"):
        registry_of(*FORMATS.values(), FORMATS["gemini"])


@pytest.mark.parametrize("name", NAMES)
def test_a_minimal_request_round_trips_through_parse_and_build(name: str) -> None:
    wire = FORMATS[name]
    body = wire.build_request(HELLO)
    json.dumps(body)
    back = wire.parse_request(body)
    assert texts(back.messages[0].parts) == ["hello there"]
    assert back.max_tokens == 64
    assert back.model == ("" if wire.model_in_url else "m-1")
    envelope = wire.peek_request(body, "m-1" if wire.model_in_url else None, None)
    assert isinstance(envelope, Envelope) and envelope.model == "m-1"
    assert envelope.stream is False
    passed = wire.passthrough_body(envelope, "provider-model", True)
    assert texts(wire.parse_request(passed).messages[0].parts) == ["hello there"]


@pytest.mark.parametrize("name", NAMES)
def test_an_answer_and_a_stream_round_trip_and_errors_read_back(name: str) -> None:
    wire = FORMATS[name]
    answer = wire.parse_response(wire.build_response(ANSWER))
    assert texts(answer.parts) == ["hi back"]
    assert wire.usage_of(wire.build_response(ANSWER)) == answer.usage
    encoder, decoder = wire.stream_encoder(HELLO), wire.stream_decoder()
    wire_bytes = b"".join(
        encoder.encode(event)
        for event in (
            c.MessageStart("resp_1", "m-1"),
            c.BlockStart(0, c.TextPart("")),
            c.BlockDelta(0, text="streamed"),
            c.BlockStop(0),
            c.MessageDelta("end_turn"),
            c.MessageStop(),
        )
    )
    events = decoder.feed(wire_bytes + encoder.close()) + decoder.close()
    assert "".join(e.text for e in events if isinstance(e, c.BlockDelta)) == "streamed"
    watch = wire.passthrough_stream(HELLO, False)
    assert watch.forward(SSESplitter().feed(wire_bytes + encoder.close())).data
    assert watch.complete()
    error = InvalidRequestError("'messages' is wrong", param="messages")
    raw = json.dumps(wire.error_body(error)).encode()
    assert wire.parse_error(raw)[0] == "'messages' is wrong"


def test_every_error_path_belongs_to_the_format_that_claims_it() -> None:
    for wire in FORMATS.values():
        for path in wire.client_paths + wire.count_paths:
            assert format_for_path(path) is wire
    assert format_for_path("/v1/unknown") is next(iter(FORMATS.values()))
    assert format_for_path("/v1/fake", WITH_FAKE) is FAKE


# -- every former table comes from the registry ------------------------------------------------


def test_the_providers_wire_formats_and_endpoint_paths_come_from_the_registry() -> None:
    assert WIRE_FORMATS == tuple(FORMATS) == wire_formats()
    assert "fake" in wire_formats(WITH_FAKE)
    for name, wire in FORMATS.items():
        assert ENDPOINT_PATHS[name] == wire.endpoint_path
    paths = endpoint_paths(WITH_FAKE)
    assert paths["fake"] == "/fake" and paths["deepgram"] == "/listen"
    assert normalize_base_url("http://h.test/v1/fake/", "fake", paths) == "http://h.test/v1"


def test_a_node_gets_the_auth_style_of_its_format() -> None:
    for name, wire in FORMATS.items():
        node = ActiveNode(1, "n", "n", "http://h.test/v1", name, "k")
        assert node_spec(node).auth == wire.auth_style
    fake_node = ActiveNode(1, "n", "n", "http://h.test/v1", "fake", "k")
    assert node_spec(fake_node, WITH_FAKE).auth == "x-api-key"


def test_the_upstream_url_and_headers_come_from_the_provider_format() -> None:
    attempt = fake_attempt()
    assert upstream_url(attempt, True, formats=WITH_FAKE) == "http://up.test/v1/fake/generate"
    headers = upstream_headers(attempt, True, {"fake-beta": "on"}, WITH_FAKE)
    assert headers["x-api-key"] == "sk-1" and headers["fake-version"] == "7"
    assert headers["fake-beta"] == "on" and headers["Accept"] == "text/event-stream"


def test_a_chat_call_to_a_fake_provider_is_built_in_its_format() -> None:
    raw = json.dumps({"model": "p/m-1", "messages": [{"role": "user", "content": "hello"}]})
    translation = Translation(ClientCall("openai", raw.encode(), "chat.completions"))
    call = chat_call(fake_attempt(), translation, WITH_FAKE)
    assert call.method == "POST" and call.url == "http://up.test/v1/fake/generate"
    assert call.wire_format == "fake" and call.headers["x-api-key"] == "sk-1"
    body = json.loads(call.body or b"")
    assert body["model"] == "m-1" and body["messages"] == [{"role": "user", "content": "hello"}]


def test_the_token_counter_comes_from_the_provider_format() -> None:
    assert token_counter("fake", WITH_FAKE) is FAKE.token_counter
    assert token_counter("fake") is None and token_counter("deepgram") is None
    for name, wire in FORMATS.items():
        assert token_counter(name) is wire.token_counter
    raw = json.dumps({"model": "p/m-1", "messages": [{"role": "user", "content": "hi"}]})
    translation = Translation(ClientCall("openai", raw.encode(), "chat.completions"))
    call = count_call(translation, fake_attempt(), WITH_FAKE)
    assert call is not None and call.url == "http://up.test/v1/fake/m-1/count"
    assert json.loads(call.body or b"")["count"]["model"] == "m-1"


def test_the_stream_relay_decodes_encodes_and_watches_with_the_registry() -> None:
    encoder = FAKE.stream_encoder(HELLO)
    raw = encoder.encode(c.MessageStart("r", "m-1")) + encoder.encode(
        c.BlockStart(0, c.TextPart(""))
    )
    raw += encoder.encode(c.BlockDelta(0, text="ok"))
    events = DecodingReader("fake", WITH_FAKE).feed(raw)
    assert any(isinstance(e, c.BlockDelta) and e.text == "ok" for e in events)
    assert TranslatingSink("fake", HELLO, WITH_FAKE).error(InvalidRequestError("x")).strip()
    sink = PassthroughSink("fake", HELLO, False, WITH_FAKE)
    trace = RequestTrace(endpoint="fake")
    assert sink.write(SSESplitter().feed(raw), trace) == raw
    assert sink.finish(trace)  # cut before its end: the fake (Chat) watch says so


def test_the_translator_labels_and_example_paths_come_from_the_registry() -> None:
    assert {name: wire.label for name, wire in FORMATS.items()} == FORMAT_LABELS
    assert tuple(FORMATS) == FORMAT_ORDER
    for path, name in FORMAT_BY_PATH.items():
        assert path in FORMATS[name].client_paths
