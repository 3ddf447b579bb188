"""Ids made without a system call each: unique, scattered in every leading slice, and a forked
child draws ids of its own."""

from __future__ import annotations

import os

from omniroute.unique_ids import splitmix64, unique_hex


def test_ids_are_unique_and_shaped_like_a_uuid4_hex():
    ids = [unique_hex() for _ in range(50_000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids[:100])
    assert len({i[:12] for i in ids}) == len(ids)  # slices used as short ids stay unique


def test_the_scramble_is_a_bijection_on_a_sample():
    sample = range(0, 1 << 20)
    assert len({splitmix64(n) for n in sample}) == len(sample)


def test_a_forked_child_makes_other_ids():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send one id and leave at once
        os.write(write, unique_hex().encode())
        os._exit(0)
    os.close(write)
    child_id = os.read(read, 64).decode()
    os.waitpid(pid, 0)
    assert child_id[16:] != unique_hex()[16:]  # the per-process part was drawn again
