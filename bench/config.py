"""The benchmark's plan: every rate, duration, scripted stream and target, declared once.

The fake-upstream process, the load generator and the orchestrator all import these values, so
the stream the upstream plays and the timing the client expects cannot drift apart.
"""

from __future__ import annotations

import json
import os

HOST = "127.0.0.1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS_PATH = os.path.join(ROOT, "bench", "results", "latest.json")

ADMIN_PASSWORD = "bench-password-123"
API_KEY = "sk-bench-0001"
CHAT_PATH = "/v1/chat/completions"
MESSAGES_PATH = "/v1/messages"  # Anthropic Messages, translated by the gateway
GATEWAY_PREFIX = "openai/"  # model ids through the gateway: "openai/<model>"

# Models the fake upstream is scripted with (a stream sends role, pieces, finish, usage, [DONE]).
FAST_MODEL = "bench-fast"  # non-streaming echo
STREAM_MODEL = "bench-stream"
STREAM_PIECES = 20
STREAM_INTERVAL = 0.05  # seconds between two events of a stream
HOLD_MODEL = "bench-hold"
HOLD_PIECES = 8
HOLD_INTERVAL = 0.5  # 8 pieces + role + finish + usage = 10 gaps of 0.5 s = 5 s per stream

# Scenario 1 alternates between the direct and the gateway path in blocks of this many seconds,
# so background load on the machine affects both alike (durations below are per path); scenario
# 3 starts its streams in direct/gateway pairs for the same reason.
BLOCK_SECONDS = 1.0
# 1. added latency at a fixed rate (open loop)
LATENCY_RATE = 200
LATENCY_SECONDS = 10.0
LATENCY_WARMUP_SECONDS = 1.0
# 2. max throughput with wrk
WRK_THREADS = 2
WRK_CONNECTIONS = 64
WRK_SECONDS = 10
# 3. streaming timing: pairs of streams started at a fixed rate, each 20 pieces 50 ms apart
STREAM_RATE = 20
STREAM_SECONDS = 5.0
STREAM_WARMUP_SECONDS = 1.0
# 4./5. many streams held at once
HOLD_STREAMS = 1000
HOLD_RAMP_SECONDS = 1.5
HOLD_TIMEOUT_SECONDS = 30.0
RSS_SAMPLE_SECONDS = 0.1
# 6. start-up
STARTUP_RUNS = 3
STARTUP_TIMEOUT_SECONDS = 15.0
# 7. translated paths (issue 3): Claude Code's first request of a session, sent as Anthropic
# Messages and translated to the OpenAI provider, against the same conversation as OpenAI Chat
# (passthrough) and direct; streams start in triples, chunks are matched by their text.
CLAUDE_CODE_FIXTURE = os.path.join(
    ROOT, "..", "shared", "fixtures", "clients", "claude-code-2.1.330_hello.json"
)
TRANSLATED_RATE = 20  # triples of streams per second
TRANSLATED_SECONDS = 4.0
TRANSLATED_WARMUP_SECONDS = 1.0
CPU_STREAMS = 100  # streams per gateway path for its CPU time per stream
CPU_RAMP_SECONDS = 1.0
# 8. routing paths (issue 5, bench.routing_paths): direct, a plain model and four combos, each
# non-streaming at this rate in its own one-second blocks
ROUTING_RATE = 200
ROUTING_SECONDS = 6.0
ROUTING_WARMUP_SECONDS = 1.0
# 9. fault mix (issue 6, bench.fault_mix): direct, a healthy combo and a faulty one, each at this
# rate for warmup + seconds in blocks of FAULT_BLOCK_SECONDS (sustained within a block); every
# FAULT_STREAM_EVERY-th request streams. The fault gateway gives up on a silent provider after
# FAULT_READ_TIMEOUT seconds; the slow answers take FAULT_SLOW_SECONDS.
FAULT_RATE = 100
FAULT_BLOCK_SECONDS = 5.0
FAULT_SECONDS = 9.0
FAULT_WARMUP_SECONDS = 1.0
FAULT_STREAM_EVERY = 5
FAULT_READ_TIMEOUT = 1.0
FAULT_SLOW_SECONDS = 2.0

NOFILE_WANTED = 65536

TARGETS = {
    "added_latency_p50_ms": 1.0,
    "added_latency_p99_ms": 3.0,  # issue 22 (was 5)
    "throughput_rps": 2000.0,  # from one worker (issue 22)
    "added_ttfb_p50_ms": 2.0,
    "added_chunk_delay_p99_ms": 5.0,
    "held_back_chunks": 0,
    "hold_errors": 0,
    "idle_rss_mb": 64.0,  # per worker (issue 22)
    "peak_rss_mb": 300.0,
    "startup_s": 0.4,  # to the first served request (issue 22)
    "translated_stream_errors": 0,
}


def upstream_url(port: int) -> str:
    """The base URL a gateway connection uses to reach the fake upstream."""
    return f"http://{HOST}:{port}/v1"


def stream_texts(prefix: str, pieces: int) -> list[str]:
    """The text pieces a scripted stream plays, in order."""
    return [f"{prefix}{i} " for i in range(pieces)]


def stream_events(pieces: int) -> int:
    """Data events of a scripted stream before [DONE]: role, pieces, finish, usage."""
    return pieces + 3


def chat_body(model: str, stream: bool = False) -> bytes:
    """The request every path receives; streams ask for usage so both paths see the same events."""
    body: dict = {
        "model": model,
        "messages": [{"role": "user", "content": "hello from the OmniRoute benchmark"}],
        "max_tokens": 16,
    }
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return json.dumps(body, separators=(",", ":")).encode()


def raise_nofile_limit() -> int:
    """Raise this process's soft RLIMIT_NOFILE (children inherit it); returns the new limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = NOFILE_WANTED if hard == resource.RLIM_INFINITY else min(hard, NOFILE_WANTED)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    return soft
