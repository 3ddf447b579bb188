"""Progress events (proxy/progress.py): who asked, each format's form read by that format's own
client stream readers (the openai and anthropic SDKs' SSE decoders skip the comment form; Google's
SDKs' `data:`-only reader takes the Gemini form as a chunk without candidates), the token count
that never goes down, the interval, placement between relayed chunks, and the keep-alive path."""

from __future__ import annotations

import json
import re
from concurrent.futures import Future

import pytest
from anthropic._streaming import SSEDecoder as AnthropicDecoder
from openai._streaming import SSEDecoder as OpenAIDecoder

from omniroute.formats import canonical as c
from omniroute.proxy.keepalive import KEEPALIVE_COMMENT, PendingSend
from omniroute.proxy.progress import (
    ProgressMeter,
    estimated_output_tokens,
    meter_for,
    progress_event,
    wants_progress,
    with_progress,
)
from omniroute.usage.trace import RequestTrace

COMMENT_FORMATS = ("openai", "responses", "anthropic")
# how @google/genai (and so Gemini CLI) reads a stream: `data:` lines from the buffer's start
GENAI_LINE = re.compile(r"^\s*data: (.*)(?:\n\n|\r\r|\r\n\r\n)")


@pytest.mark.parametrize("value", ["true", "TRUE", " 1 ", "yes", "on"])
def test_the_header_turns_progress_on(value):
    assert wants_progress({"X-OmniRoute-Progress": value})


@pytest.mark.parametrize("headers", [None, {}, {"X-OmniRoute-Progress": "false"}, {"Other": "1"}])
def test_without_the_header_there_is_no_meter(headers):
    assert not wants_progress(headers)
    assert meter_for(headers, "openai", RequestTrace(endpoint="/v1/chat/completions"), 1.0) is None


@pytest.mark.parametrize("wire_format", COMMENT_FORMATS)
def test_the_comment_form_is_skipped_by_both_sdks_decoders(wire_format):
    event = progress_event(wire_format, 12, 3456)
    assert event.startswith(b": progress ") and event.endswith(b"\n\n")
    assert json.loads(event[len(b": progress ") :]) == {"tokens": 12, "elapsed_ms": 3456}
    real = b'data: {"x":1}\n\n'
    for decoder in (OpenAIDecoder(), AnthropicDecoder()):
        events = list(decoder.iter_bytes(iter([event, real, event])))
        assert [e.data for e in events] == ['{"x":1}']


def test_the_gemini_form_is_a_data_chunk_without_candidates():
    event = progress_event("gemini", 7, 900)
    match = GENAI_LINE.match(event.decode())
    assert match is not None and match.end() == len(event)
    chunk = json.loads(match.group(1))
    assert chunk == {"progress": {"tokens": 7, "elapsed_ms": 900}}
    assert "candidates" not in chunk and "usageMetadata" not in chunk
    # and a comment would stall that reader: nothing after it is ever read
    stalled = progress_event("openai", 7, 900) + b'data: {"candidates":[]}\n\n'
    assert GENAI_LINE.match(stalled.decode()) is None


def test_tokens_are_estimated_from_the_streamed_text_or_the_providers_larger_count():
    trace = RequestTrace(endpoint="/v1/messages")
    trace.output_chars = 9
    assert estimated_output_tokens(trace) == 3  # 9 characters, 4 a token, rounded up
    trace.usage = c.Usage(output_tokens=40)
    assert estimated_output_tokens(trace) == 40


def payload(event: bytes) -> dict:
    return json.loads(event.split(b" ", 2)[2])


def test_the_count_never_goes_down_and_elapsed_grows():
    trace = RequestTrace(endpoint="/v1/messages")
    meter = ProgressMeter("anthropic", trace, interval=0.0)
    trace.usage = c.Usage(output_tokens=50)
    first = payload(meter.event())
    trace.usage = c.Usage(output_tokens=1)  # a later report of fewer tokens
    trace.output_chars = 8
    second = payload(meter.event())
    assert first["tokens"] == second["tokens"] == 50
    assert second["elapsed_ms"] >= first["elapsed_ms"] >= 0


def test_no_event_before_the_interval_has_passed():
    trace = RequestTrace(endpoint="/v1/chat/completions")
    assert ProgressMeter("openai", trace, interval=3600.0).due() == b""
    assert ProgressMeter("openai", trace, interval=0.0).due().startswith(b": progress ")


def test_events_go_between_chunks_never_before_the_first_or_after_the_last():
    trace = RequestTrace(endpoint="/v1/chat/completions")
    chunks = [b'data: {"n":1}\n\n', b'data: {"n":2}\n\n', b"data: [DONE]\n\n"]
    out = list(with_progress(iter(chunks), ProgressMeter("openai", trace, interval=0.0)))
    assert out[0] == chunks[0] and out[-1] == chunks[-1]
    assert [chunk for chunk in out if not chunk.startswith(b": progress")] == chunks
    assert len(out) == 5  # one event before each chunk after the first


def test_a_quiet_interval_adds_nothing():
    trace = RequestTrace(endpoint="/v1/chat/completions")
    chunks = [b'data: {"n":1}\n\n', b'data: {"n":2}\n\n']
    out = list(with_progress(iter(chunks), ProgressMeter("openai", trace, interval=3600.0)))
    assert out == chunks


def test_a_client_that_hangs_up_closes_the_relay():
    closed = []

    def relay():
        try:
            yield b'data: {"n":1}\n\n'
            yield b'data: {"n":2}\n\n'
        finally:
            closed.append(True)

    trace = RequestTrace(endpoint="/v1/chat/completions")
    stream = with_progress(relay(), ProgressMeter("openai", trace, interval=0.0))
    next(stream)
    stream.close()
    assert closed == [True]


class FinishingBeat:
    """Progress events for the keep-alive path; the send is over after the third."""

    interval = 0.01

    def __init__(self, future: Future):
        self.future, self.sent = future, 0

    def event(self) -> bytes:
        self.sent += 1
        if self.sent == 3:
            self.future.set_result("answer")
        return progress_event("anthropic", 0, self.sent)


def test_progress_events_stand_in_for_the_keepalive_comments():
    future: Future = Future()
    beat = FinishingBeat(future)
    out = list(PendingSend(future, interval=3600.0).keepalives(beat))
    assert len(out) == 3 and KEEPALIVE_COMMENT not in out
    assert all(event.startswith(b": progress ") for event in out)


def test_without_progress_the_keepalives_are_as_before():
    future: Future = Future()
    future.set_result("answer")
    assert list(PendingSend(future, interval=3600.0).keepalives()) == [KEEPALIVE_COMMENT]
