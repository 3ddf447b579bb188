"""Wire formats. Each module converts one API format to and from the canonical model only.

A format module (openai_chat, anthropic_messages, openai_responses, gemini) provides:

    NAME: str                                     "openai" | "anthropic" | "responses" | "gemini"
    parse_request(body: dict) -> Request          wire → canonical; a bad body raises
                                                  InvalidRequestError (400) naming the field
    build_request(request: Request) -> dict       canonical → wire, for a provider of this format
                                                  (request.model is already the provider's id)
    parse_response(body: dict) -> Response        a provider's non-streamed answer → canonical
    build_response(response: Response) -> dict    canonical → the answer a client of this format
                                                  expects
    usage_of(body: dict) -> Usage | None          token usage of a non-streamed answer
    error_body(error: GatewayError) -> dict       the format's error shape (status: error.status)
    parse_error(raw: bytes) -> tuple[str, str | None, str | None]
                                                  (message, type, code) of a provider's error
    StreamDecoder()                               .feed(data: bytes) -> list[StreamEvent] for the
                                                  provider's raw stream bytes as they arrive;
                                                  .close() -> list[StreamEvent] at end of stream
                                                  (a stream that ended before its terminal event
                                                  gives canonical.cut_stream_error())
    StreamEncoder(request: Request)               .encode(event: StreamEvent) -> bytes for the
                                                  client, in this format's SSE; .close() -> bytes
                                                  to end the stream properly if the events did
                                                  not (e.g. OpenAI's [DONE]); a StreamError event
                                                  becomes the format's in-band error

`REGISTRY` maps NAME to the module, so the pipeline never names a format itself.
"""

from __future__ import annotations
