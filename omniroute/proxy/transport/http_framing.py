"""Reading an HTTP/1.1 answer strictly (RFC 9112): status line, header section, body framing.

Where two parsers could read an answer differently, the answer is refused instead of guessed
at: a connection whose framing is in doubt may hold the start of a forged answer, so it must
never serve another request. The refusal is ResponseBroken, a ConnectionError ("Connection
broken: …"), which the transport maps to an unreachable upstream (502) that the pipeline falls
back from like a reset; the transport closes the connection on it.

Refused (RFC 9112 sections unless said otherwise):
- a status line other than `HTTP/1.<digit> SP <3 digits> [SP reason]`, a status outside
  100–599 (§4, §2.3; RFC 9110 §15), a reason with control characters other than HTAB, a 101
  nobody asked for (RFC 9110 §15.2.2), more than MAX_INTERIM interim answers;
- a field line whose name is not a token or is followed by whitespace before the colon
  (§5.1; RFC 9110 §5.1, §5.6.2), obsolete line folding or whitespace before the first field
  (§5.2, §2.2), a value with CR or NUL (RFC 9110 §5.5; a bare CR, §2.2), a line with no colon;
- a line longer than MAX_LINE, a section over MAX_SECTION bytes or MAX_FIELDS lines, each
  checked before the next line is read;
- Transfer-Encoding with Content-Length, or in an HTTP/1.0 answer (§6.1, §6.2, §6.3 item 3),
  any transfer coding list other than exactly `chunked` (§6.1, §7: no TE header is sent, so
  nothing else may be applied);
- Content-Length values that differ or are not 1*DIGIT (§6.3 item 5; RFC 9110 §8.6);
- a chunk-size line that is not hex digits, then optional `BWS ;` extensions, then CRLF; a
  chunk without CRLF after its data; trailer lines held to the field rules above (§7.1).
Accepted as the RFCs allow: a bare LF ending the status line or a field line (§2.2; chunk
lines need CRLF), a status line without the space before an empty reason, equal repeated
Content-Length values (RFC 9110 §8.6), empty elements in the coding list (RFC 9110 §5.6.1),
chunk extensions and trailers (ignored).

Kept cheap: field lines are checked together, in a few C scans per section rather than several
per line; status and chunk-size lines repeat from answer to answer, so short ones are parsed
once and then looked up (lru_cache, which never keeps a refusal).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Mapping
from functools import lru_cache

MAX_LINE = 65536  # bytes of one status, field or chunk-size line, its line end included
MAX_FIELDS = 200  # field lines of one header or trailer section
MAX_SECTION = 262144  # bytes of one header or trailer section
MAX_INTERIM = 10  # 1xx answers before the final one
MAX_CHUNK_DIGITS = 16  # hex digits of a chunk size (2**64 - 1)
MAX_LENGTH_DIGITS = 18  # digits of a Content-Length (under 10**18)
MAX_CACHED_LINE = 64  # status and chunk-size lines this short are parsed once, then looked up
BUFFER_SIZE = 65536
NO_BODY_STATUSES = frozenset({204, 304})
HEX_DIGITS = b"0123456789abcdefABCDEF"
TOKEN_CHARS = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CONTROLS = bytes(range(0x09)) + bytes(range(0x0A, 0x20)) + b"\x7f"  # all but HTAB
STATUS_LINE = re.compile(  # HTTP-version SP status-code [SP reason-phrase], CRLF (or LF)
    rb"HTTP/1\.([0-9]) ([1-5][0-9][0-9])(?: [^\x00-\x08\x0a-\x1f\x7f]*)?\r?\n"
)


class ResponseBroken(ConnectionError):
    """The server broke the HTTP exchange (closed early, or sent something that is not HTTP)."""


def broken(reason: str) -> ResponseBroken:
    return ResponseBroken(f"Connection broken: {reason}")


class ResponseHeaders(Mapping[str, str]):
    """An answer's headers: looked up without regard to case; repeated names joined by ", "."""

    __slots__ = ("_items", "_by_name")

    def __init__(self, items: list[tuple[str, str]]):
        self._items = items
        by_name: dict[str, str] = {}
        for name, value in items:
            key = name.lower()
            by_name[key] = f"{by_name[key]}, {value}" if key in by_name else value
        self._by_name = by_name

    def __getitem__(self, name: str) -> str:
        return self._by_name[name.lower()]

    def get(self, name: str, default=None):
        return self._by_name.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def items(self):  # the names as the server sent them, repeated ones separately
        return list(self._items)

    def __repr__(self) -> str:
        return f"ResponseHeaders({self._items!r})"


def read_head(reader) -> tuple[int, ResponseHeaders, bool]:
    """The status code and headers of the next answer (1xx interim answers skipped), and
    whether it is HTTP/1.0 (no keep-alive unless it says so)."""
    for _ in range(MAX_INTERIM + 1):
        line = reader.readline(MAX_LINE)
        if not line:
            raise ResponseBroken("Remote end closed connection without response")
        if len(line) <= MAX_CACHED_LINE:
            status, http10 = cached_status_line(line)
        else:
            status, http10 = parse_status_line(line)
        items = read_fields(reader, "headers")
        if status >= 200:
            return status, ResponseHeaders(items), http10
        if status == 101:
            raise broken("a switch of protocols nobody asked for")
    raise broken(f"more than {MAX_INTERIM} interim answers")


def parse_status_line(line: bytes) -> tuple[int, bool]:
    """(status, is HTTP/1.0) of `HTTP/1.x DDD reason` and its line end."""
    matched = STATUS_LINE.fullmatch(line)
    if matched is None:
        raise broken(f"not an HTTP answer: {line[:60]!r}")
    return int(matched[2]), matched[1] == b"0"


cached_status_line = lru_cache(maxsize=64)(parse_status_line)  # errors are never cached


def read_fields(reader, section: str) -> list[tuple[str, str]]:
    """The field lines up to the empty line ending a header (or trailer) section.

    Each line is bounded as it is read, split at its colon and kept; the lines are then checked
    together (a few scans in C rather than several per line) and, only when that fails, one by
    one to say what is wrong."""
    lines: list[bytes] = []
    names: list[str] = []
    items: list[tuple[str, str]] = []
    size = 0
    readline = reader.readline
    for _ in range(MAX_FIELDS + 1):
        line = readline(MAX_LINE)
        if len(line) < 3:  # the empty line ending the section, the answer's end, or too short
            if line == b"\r\n" or line == b"\n":
                break
            if not line:
                raise broken(f"the answer ended in its {section}")
        size += len(line)
        if size > MAX_SECTION or line[-1] != 10:  # 10: LF, the line's end
            raise _unfinished(line, size, section)
        lines.append(line)
        name, _, value = line.decode("latin-1").partition(":")
        names.append(name)  # a line with no colon: a "name" ending in LF, not a token
        items.append((name, value.strip(" \t\r\n")))
    else:
        raise broken(f"more than {MAX_FIELDS} lines in the answer's {section}")
    if items:
        raw = b"".join(lines)
        if (
            b"\0" in raw
            or raw.count(b"\r") != raw.count(b"\r\n")  # a bare CR
            or not all(names)
            or "".join(names).encode("latin-1").translate(None, TOKEN_CHARS)
        ):
            raise _bad_field(lines, section)
    return items


def _unfinished(line: bytes, size: int, section: str) -> ResponseBroken:
    if size > MAX_SECTION:
        return broken(f"the answer's {section} are over {MAX_SECTION} bytes")
    if len(line) >= MAX_LINE:
        return broken(f"a line over {MAX_LINE} bytes in the answer's {section}")
    return broken(f"the answer ended in its {section}")


def _bad_field(lines: list[bytes], section: str) -> ResponseBroken:
    """What is wrong with the first malformed field line."""
    for number, line in enumerate(lines):
        name, colon, value = line.partition(b":")
        value = value[:-2] if value.endswith(b"\r\n") else value[:-1]
        shown = f"{section} line {number + 1}: {line[:60]!r}"
        if line[:1] in (b" ", b"\t"):
            return broken(f"obsolete line folding or leading whitespace in {shown}")
        if not colon:
            return broken(f"a line without a colon in {shown}")
        if name[-1:] in (b" ", b"\t"):
            return broken(f"whitespace before the colon in {shown}")
        if not name or name.translate(None, TOKEN_CHARS):
            return broken(f"a malformed field name in {shown}")
        if b"\r" in value or b"\0" in value:
            return broken(f"a field value with CR or NUL in {shown}")
    return broken(f"a malformed field line in the answer's {section}")


def body_of(
    method: str, status: int, headers: ResponseHeaders, reader, http10: bool = False
) -> tuple[Body, bool]:
    """The body reader for an answer and whether the connection must close after it."""
    connection = headers.get("connection", "").lower()
    will_close = "close" in connection or (http10 and "keep-alive" not in connection)
    codings = headers.get("transfer-encoding")
    length = headers.get("content-length")
    if codings is not None:
        if length is not None:
            raise broken("an answer with both Transfer-Encoding and Content-Length")
        if http10:
            raise broken("Transfer-Encoding in an HTTP/1.0 answer")
    if method == "HEAD" or status in NO_BODY_STATUSES:
        return Body(reader, 0, False, ""), will_close
    encoding = headers.get("content-encoding", "")
    if codings is not None:
        if not only_chunked(codings):
            raise broken(f"a transfer coding other than chunked: {codings[:60]!r}")
        return Body(reader, None, True, encoding), will_close
    if length is not None:
        return Body(reader, content_length(length), False, encoding), will_close
    return Body(reader, None, False, encoding), True


def only_chunked(codings: str) -> bool:
    """Is a Transfer-Encoding value exactly the chunked coding (empty list elements aside)?"""
    if codings == "chunked":
        return True
    listed = [part.strip(" \t").lower() for part in codings.split(",")]
    return [coding for coding in listed if coding] == ["chunked"]


def content_length(value: str) -> int:
    """The length of a Content-Length value (equal repeated values are one)."""
    length = value
    if not length.isdigit():  # a list of equal values: "5, 5"
        values = {part.strip(" \t") for part in value.split(",")}
        length = values.pop() if len(values) == 1 else ""
    if not (length.isascii() and length.isdigit() and len(length) <= MAX_LENGTH_DIGITS):
        raise broken(f"a malformed Content-Length: {value[:60]!r}")
    return int(length)


class Body:
    """An answer's body as it arrives: framed by Content-Length, chunks or the connection's end."""

    def __init__(self, reader, length: int | None, chunked: bool, encoding: str):
        self._reader = reader
        self._left = length or 0  # bytes left: of the body (length) or of this chunk (chunked)
        self._chunked = chunked
        self._until_close = length is None and not chunked
        self.complete = length == 0
        self._decoder = _decoder(encoding)
        if chunked:
            self._left = 0

    def read1(self, amount: int) -> bytes:
        """What has arrived (at most `amount` bytes), waiting only for the first."""
        decoder = self._decoder
        if decoder is None:
            return self._raw_read1(amount) if not self.complete else b""
        while True:
            if decoder.unconsumed_tail:  # decoded output held back by `amount` last time
                data = decoder.decompress(decoder.unconsumed_tail, amount)
            elif self.complete:
                return decoder.flush()[:amount]
            else:
                raw = self._raw_read1(amount)
                data = decoder.decompress(raw, amount) if raw else decoder.flush()[:amount]
            if data or (self.complete and not decoder.unconsumed_tail):
                return data

    def read(self, limit: int | None = None) -> bytes:
        """The rest of the body (decoded), or its first `limit` bytes."""
        pieces, size = [], 0
        while not self.done and (limit is None or size < limit):
            piece = self.read1(BUFFER_SIZE if limit is None else min(BUFFER_SIZE, limit - size))
            pieces.append(piece)
            size += len(piece)
        return b"".join(pieces)

    @property
    def done(self) -> bool:
        """Everything read and decoded."""
        return self.complete and not (self._decoder and self._decoder.unconsumed_tail)

    def _raw_read1(self, amount: int) -> bytes:
        if self._until_close:
            data = self._reader.read1(amount)
            self.complete = not data
            return data
        if self._chunked and self._left == 0:
            self._left = self._chunk_size()
            if self._left == 0:
                read_fields(self._reader, "trailers")
                self.complete = True
                return b""
        data = self._reader.read1(min(amount, self._left))
        if not data:
            raise broken("the answer ended before its end")
        self._left -= len(data)
        if self._left == 0:
            if not self._chunked:
                self.complete = True
            elif self._reader.read(2) != b"\r\n":
                raise broken("a chunk without its line end")
        return data

    def _chunk_size(self) -> int:
        line = self._reader.readline(MAX_LINE)
        if len(line) <= MAX_CACHED_LINE:
            return cached_chunk_size(line)
        return parse_chunk_size(line)


def parse_chunk_size(line: bytes) -> int:
    """The size on a chunk-size line: hex digits, optional `BWS ";"` extensions, CRLF."""
    if not line:
        raise broken("the answer ended before its end")
    size, semicolon, extensions = line[:-2].partition(b";")
    if semicolon:
        size = size.rstrip(b" \t")
    if (
        not line.endswith(b"\r\n")
        or not size
        or size.strip(HEX_DIGITS)
        or len(extensions.translate(None, CONTROLS)) != len(extensions)
    ):
        raise broken(f"a malformed chunk size line: {line[:60]!r}")
    if len(size) > MAX_CHUNK_DIGITS:
        raise broken(f"a chunk size over {MAX_CHUNK_DIGITS} hex digits: {line[:60]!r}")
    return int(size, 16)


cached_chunk_size = lru_cache(maxsize=4096)(parse_chunk_size)  # errors are never cached


def _decoder(encoding: str):
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None
