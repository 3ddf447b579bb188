"""Each serving process on a CPU of its own (the CPU_PINNING setting).

A serving process is one Python interpreter whose threads (the event loop, the request threads,
the writers) take turns holding the interpreter lock. When the system spreads them over several
CPUs, every hand-over of the lock wakes a thread on another CPU, which on a virtual machine costs
more than the request's own Python; kept on one CPU, the same hand-overs are cheap switches in
place, and the process still uses all the CPU it can (one core: the lock lets one thread run).

- `auto` (the default): the single process (WEB_CONCURRENCY=1) is pinned to the last CPU it may
  use, and worker k of N to the k-th from the end, so that workers spread over the CPUs. Nothing
  is pinned when the process may use only one CPU, or where the system cannot pin (not Linux).
- `off`: the system places the threads.
- CPU numbers (`2`, `2,3`, `0-3`): worker k takes the k-th of them, round robin; a CPU the
  process may not use stops start-up with a clear message.

The supervisor is never pinned: it gives each worker a slot (WORKER_SLOT_ENV), and a worker
started in place of one that exited takes its slot. A process pins itself before it starts any
thread, since a thread keeps the CPUs of the thread that started it.
"""

from __future__ import annotations

import os

from .settings import SettingsError

WORKER_SLOT_ENV = "OMNIROUTE_WORKER_SLOT"


def worker_slot() -> int:
    """This process's slot among the workers (0 for the single process)."""
    raw = os.environ.pop(WORKER_SLOT_ENV, "0")
    return int(raw) if raw.isdigit() else 0


def usable_cpus() -> list[int]:
    """The CPUs this process may run on, in order ([] where the system does not say)."""
    if not hasattr(os, "sched_getaffinity"):
        return []
    return sorted(os.sched_getaffinity(0))


def chosen_cpu(setting: str | tuple[int, ...], slot: int, usable: list[int]) -> int | None:
    """The CPU the process in `slot` is pinned to, or None to leave it unpinned."""
    if setting == "off" or not usable:
        return None
    if setting == "auto":
        return usable[-1 - slot % len(usable)] if len(usable) > 1 else None
    cpu = setting[slot % len(setting)]
    if cpu not in usable:
        raise SettingsError(
            f"CPU_PINNING={','.join(map(str, setting))}: CPU {cpu} is not one this process may "
            f"use ({', '.join(map(str, usable))})"
        )
    return cpu


def pin_process(setting: str | tuple[int, ...], slot: int) -> int | None:
    """Pin this process (its threads to come) to its CPU; returns the CPU, or None."""
    cpu = chosen_cpu(setting, slot, usable_cpus())
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    return cpu


def pinned_cpu() -> int | None:
    """The one CPU this process runs on, when it is pinned to one of several."""
    usable = usable_cpus()
    return usable[0] if len(usable) == 1 and (os.cpu_count() or 1) > 1 else None
