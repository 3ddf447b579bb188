"""Timeouts handed to the kernel as a timeval (omniroute/proxy/transport/socket_stream.py)."""

from __future__ import annotations

import socket

import pytest

from omniroute.proxy.transport.socket_stream import TIMEVAL, kernel_timeval


@pytest.mark.parametrize(
    ("timeout", "timeval"),
    [
        (4.999999559004209, (5, 0)),  # a deadline a hair before 5 s: rounds up, not to 4 s + 1e6 µs
        (0.9999996, (1, 0)),
        (2.5, (2, 500_000)),
        (1e-9, (0, 1)),  # never 0 in all: the kernel reads that as no limit
        (300.0, (300, 0)),
    ],
)
def test_a_timeout_becomes_a_timeval_the_kernel_accepts(timeout, timeval):
    assert kernel_timeval(timeout) == timeval
    with socket.socket() as sock:  # Linux refuses microseconds of a million or more (EDOM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, TIMEVAL.pack(*timeval))
        kept = TIMEVAL.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 16))
    # the kernel keeps it in clock ticks, rounded up: never shorter, never "no limit"
    assert kept != (0, 0) and kept[0] * 1_000_000 + kept[1] >= timeval[0] * 1_000_000 + timeval[1]
