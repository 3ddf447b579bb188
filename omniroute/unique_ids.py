"""Unique ids without a system call per id.

`os.urandom` (and so `uuid.uuid4`) costs a system call, measured at over 100 µs on some virtual
machines — more than the rest of a proxied request's own work. The ids the gateway makes
(request ids, and the message, call and response ids of translated answers) need to be unique,
not secret: each is a counter scrambled by splitmix64 (a bijection, so no two ids of a process
share it, and any leading slice of it changes from one id to the next) followed by a random part
drawn once per process (again in a forked child), 32 hex characters like a uuid4's hex.
"""

from __future__ import annotations

import itertools
import os
import secrets

_MASK = (1 << 64) - 1


class _IdSource:
    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self.suffix = secrets.token_hex(8)
        self.counter = itertools.count(secrets.randbits(64))

    def next_hex(self) -> str:
        return f"{splitmix64(next(self.counter)):016x}{self.suffix}"


def splitmix64(value: int) -> int:
    """A bijection of 64-bit integers that scatters consecutive inputs (Steele et al.)."""
    z = (value * 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


_SOURCE = _IdSource()
os.register_at_fork(after_in_child=_SOURCE.reseed)


def unique_hex() -> str:
    """32 hex characters, unique across this process's ids and other processes'."""
    return _SOURCE.next_hex()
