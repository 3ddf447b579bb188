"""Requests waitress refuses itself, answered in the caller's JSON shape: bodies over
MAX_BODY_BYTES, and requests it cannot parse (control characters in a header, a malformed
request line, headers too large) on the client API and /api.

waitress reads a whole body before the app sees it, so the limit is enforced while reading:
- a Content-Length over the limit is refused as soon as the headers end (nothing buffered);
- a chunked body is refused once its decoded size passes the limit (at most one read over it).
The answer is the gateway's own 413 (`PayloadTooLargeError`) rendered by `error_reply` for the
request's path: OpenAI shape on most paths, Anthropic's on /v1/messages…, Gemini's on /v1beta/….

After refusing, the connection discards (never buffers) what the client still sends and, once the
answer is out, half-closes and keeps draining for a few seconds ("lingering close"): closing a
socket with unread input resets it, and the client would lose the 413 it has not read yet.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Mapping
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.task import ErrorTask
from waitress.utilities import RequestEntityTooLarge

from .errors import GatewayError, InvalidRequestError, body_too_large
from .lean_channel import LeanChannel, listeners

if TYPE_CHECKING:
    from .proxy.reply import Reply

ErrorRenderer = Callable[[str, GatewayError], "Reply"]

LINGER_SECONDS = 5.0  # how long a refused client may go on sending before the socket closes


class BodyLimitParser(HTTPRequestParser):
    """waitress's parser with the gateway's limit on the body's real (decoded) size."""

    def __init__(self, adj, body_limit: int, on_refused, larger_limits: Mapping[str, int]):
        super().__init__(adj)
        self.body_limit = body_limit
        self.on_refused = on_refused
        self.larger_limits = larger_limits  # path -> its own limit (the database import)

    def limit(self) -> int:
        """The limit for this request's path (known once its headers are parsed)."""
        return self.larger_limits.get(getattr(self, "path", None) or "", self.body_limit)

    def received(self, data: bytes) -> int:
        consumed = super().received(data)
        if self.error is None and self._over_limit():
            self.error = RequestEntityTooLarge(f"exceeds max_body of {self.limit()}")
            self.completed = True
        if isinstance(self.error, RequestEntityTooLarge):
            self.expect_continue = False  # never invite the body we refuse
            self.on_refused()
            return len(data)  # the rest of this read is body we will not keep
        return consumed

    def parse_header(self, header_plus: bytes) -> None:
        try:
            super().parse_header(header_plus)
        except ParsingError:  # remember the path it was for, so the error takes its shape
            target = header_plus.split(b"\r\n", 1)[0].split(b" ")
            if len(target) == 3:
                self.path = target[1].split(b"?", 1)[0].decode("latin-1")
            raise

    def _over_limit(self) -> bool:
        limit = self.limit()
        if self.content_length > limit:
            return True
        return self.chunked and self.body_rcv is not None and len(self.body_rcv) > limit


class ShapedErrorTask(ErrorTask):
    """waitress's error answer in the caller's JSON shape: a refused body gets the gateway's
    413, a request waitress cannot parse (a control character in a header value, a malformed
    request line, headers too large) its 4xx. Only a dashboard page keeps waitress's text, as
    no browser sends such a request; a request whose path was never read is answered in JSON."""

    channel: BodyLimitChannel
    response_headers: list[tuple[str, str]]

    def execute(self):
        # waitress's stub types an error task's `request` as the Error; it is the failed parser
        error = self.request.error  # type: ignore[attr-defined]
        path = getattr(self.request, "path", None) or ""  # unset when the request line was bad
        shaped: GatewayError
        if isinstance(error, RequestEntityTooLarge):
            limit = getattr(self.request, "limit", lambda: self.channel.body_limit)()
            shaped = body_too_large(limit)
        elif 400 <= error.code < 500 and (not path or self.channel.answers_in_json(path)):
            shaped = InvalidRequestError(f"{error.reason}: {error.body}", status=error.code)
        else:
            return super().execute()
        reply = self.channel.render_error(path or "/", shaped)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(reply.headers.items())
        self.set_close_on_finish()
        self.content_length = len(reply.whole_body)
        self.write(reply.whole_body)
        return None


class BodyLimitChannel(LeanChannel):
    """A connection that refuses over-limit bodies in JSON, then drains and closes politely.
    Subclasses (see `body_limit_channel`) set `body_limit`, `render_error` and
    `answers_in_json`."""

    error_task_class = ShapedErrorTask
    body_limit: int
    larger_limits: Mapping[str, int]
    render_error: ErrorRenderer
    answers_in_json: Callable[[str], bool]
    readable: Callable[[], bool]  # replaced per connection while lingering
    refused = False  # an over-limit body was seen: discard all further input
    linger_until: float | None = None

    def __init__(self, server, sock, addr, adj, map=None):
        super().__init__(server, sock, addr, adj, map)
        # waitress's stub wants a class here; waitress only ever calls parser_class(adj)
        self.parser_class = partial(  # type: ignore[assignment]
            BodyLimitParser,
            body_limit=self.body_limit,
            on_refused=self._refuse,
            larger_limits=self.larger_limits,
        )

    def _refuse(self) -> None:
        self.refused = True

    def received(self, data):
        if self.refused:
            return True  # the refused body's remainder (or anything after it): dropped
        return super().received(data)

    def _lingering_readable(self):
        """`readable` while draining a refused client (set per connection: the event loop
        asks every connection on every turn, so the common case keeps waitress's own)."""
        assert self.linger_until is not None  # set before this replaces `readable`
        if time.monotonic() >= self.linger_until:
            self.will_close = True  # writable() now says so, and handle_write closes
            return False
        return True

    def handle_close(self):
        """After a refusal, closing once the 413 is out only half-closes and drains; any other
        close (the client's end of input, an error, the drain's time limit) is real."""
        answered = self.will_close and not self.total_outbufs_len
        if not (self.refused and answered) or self.linger_until is not None:
            return super().handle_close()
        assert self.socket is not None  # an open connection's channel holds its socket
        try:
            self.socket.shutdown(socket.SHUT_WR)
        except OSError:
            return super().handle_close()
        self.will_close = self.close_when_flushed = False
        self.linger_until = time.monotonic() + LINGER_SECONDS
        self.readable = self._lingering_readable
        return None


def body_limit_channel(
    body_limit: int,
    render_error: ErrorRenderer,
    answers_in_json: Callable[[str], bool],
    larger_limits: Mapping[str, int] | None = None,
) -> type[BodyLimitChannel]:
    """A channel class refusing bodies over `body_limit` (or, for a path in `larger_limits`,
    over that path's own); `render_error(path, error)` → Reply; `answers_in_json(path)` tells
    the paths whose unparsable requests get a JSON error."""
    return type(
        "BodyLimitChannel",
        (BodyLimitChannel,),
        {
            "body_limit": body_limit,
            "larger_limits": MappingProxyType(dict(larger_limits or {})),
            "render_error": staticmethod(render_error),
            "answers_in_json": staticmethod(answers_in_json),
        },
    )


def use_channel_class(server, channel_class: type[HTTPChannel]) -> None:
    """Make `server` (one waitress server, or a MultiSocketServer) accept with `channel_class`."""
    for listener in listeners(server):
        listener.channel_class = channel_class
