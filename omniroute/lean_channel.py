"""waitress's connection and task, answering with fewer system calls.

waitress answers a request in three pieces that each cost a system call and, in a busy worker,
a hand-over of the interpreter lock between threads: the response head is sent on its own, then
the first body bytes, then the handler thread wakes the event loop (a byte on its trigger pipe)
so that the loop looks at the connection again. Two of them are avoidable:

- `LeanTask` sends the head together with the first body bytes (one send, one TCP segment).
  What waitress decides while it builds the head (chunked framing, closing the connection) and
  how it frames and limits the body are unchanged: its own `write` still does that part.
  Bodies over MERGE_LIMIT bytes, files and an answer without a body keep waitress's path.
- `LeanChannel` skips the wake-up when nothing about the connection changed: the answer is all
  sent, no further request is queued on it, and it is not closing. The loop is then already
  watching it for the client's next request, exactly as it would after the wake-up. In every
  other case (output left to flush, a pipelined request, a close) the loop is woken as before.
  `quiet_triggers(server)` installs the check on each listener.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer
from waitress.task import WSGITask

MERGE_LIMIT = 256 * 1024  # larger first writes are not copied to join them to the head

_answered = threading.local()  # .channel: the connection whose task this thread just finished


class LeanTask(WSGITask):
    """waitress's WSGI task whose head leaves with the first body bytes."""

    channel: LeanChannel

    def write(self, data):
        if (
            self.wrote_header
            or type(data) is not bytes
            or not data
            or len(data) > MERGE_LIMIT
            or not self.complete
        ):
            return super().write(data)
        channel = self.channel
        channel.held_head = self.build_response_header()
        self.wrote_header = True
        try:
            super().write(data)  # frames and limits the body; its first write takes the head
        except BaseException:
            channel.held_head = b""
            raise
        if channel.held_head:  # no body bytes were written (a 204, a HEAD): the head alone
            channel.write_soon(b"")
        return None

    def finish(self):
        super().finish()
        _answered.channel = self.channel


class LeanChannel(HTTPChannel):
    """waitress's connection that sends a held head with the next write and does not wake the
    event loop after an answer that left nothing for it to do."""

    task_class = LeanTask
    held_head = b""

    def write_soon(self, data):
        head = self.held_head
        if head:
            self.held_head = b""
            data = head + data
        return super().write_soon(data)

    def service(self):
        try:
            super().service()
        finally:
            _answered.channel = None

    def settled(self) -> bool:
        """Nothing for the event loop to do: all sent, no request queued, not closing."""
        return (
            self.connected
            and not self.requests
            and not self.total_outbufs_len
            and not self.will_close
            and not self.close_when_flushed
        )


class QuietTrigger:
    """A listener's `pull_trigger` that stays quiet at the end of an answer that settled."""

    def __init__(self, pull: Callable[[], None]) -> None:
        self.pull = pull

    def __call__(self) -> None:
        channel = getattr(_answered, "channel", None)
        if channel is None or not channel.settled():
            self.pull()


def listeners(server) -> list[BaseWSGIServer]:
    """The listening servers of one waitress server (itself) or of a MultiSocketServer."""
    if isinstance(server, BaseWSGIServer):
        return [server]
    return [each for each in server.map.values() if isinstance(each, BaseWSGIServer)]


def quiet_triggers(server) -> None:
    """Skip the wake-up after settled answers on each of `server`'s listeners."""
    for listener in listeners(server):
        if not isinstance(listener.pull_trigger, QuietTrigger):
            listener.pull_trigger = QuietTrigger(listener.pull_trigger)  # type: ignore[method-assign]
