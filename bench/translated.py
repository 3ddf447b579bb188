"""Scenario 7, translated paths (issue 3): what translating a stream costs the gateway.

Claude Code's first request of a session (the recorded body in config.CLAUDE_CODE_FIXTURE: a
system prompt, a dozen tools, about 50 KB) goes three ways, each to the same OpenAI Chat
provider (the fake upstream) and its scripted stream of 20 text pieces 50 ms apart:
- translated:  as Anthropic Messages to the gateway's /v1/messages; the gateway translates the
               request to OpenAI Chat and the stream back to Anthropic SSE;
- passthrough: the same conversation as OpenAI Chat to the gateway's /v1/chat/completions;
- direct:      that OpenAI Chat body straight to the upstream.
The OpenAI Chat body is what the gateway's own translator makes of the Anthropic one, so all
three paths put the same request on the upstream. Streams start in triples and are matched by
their text deltas (an Anthropic stream has more events per upstream chunk: message_start, ping,
content_block_start, …); every stream must carry exactly the scripted pieces and end with its
end marker (`event: message_stop` on the translated path). The gateway's CPU time per stream is
measured per path in a run of its own (bench.scenarios.server_cpu_run).
"""

from __future__ import annotations

import dataclasses
import json
import os

from bench import config
from bench.table import Row, at_most, count, get, minus, ms, num, plus_ms, render
from omniroute.formats.anthropic.wire import WIRE as anthropic_messages
from omniroute.formats.openai_chat.wire import WIRE as openai_chat

PATHS = ("direct", "passthrough", "translated")
GATEWAY_PATHS = ("passthrough", "translated")
COMPARE = {"passthrough": "direct", "translated": "passthrough"}  # subject -> reference
CPU_STREAM_TIMEOUT_SECONDS = 15.0
HEADING = "translated paths (issue 3)"


def fixture_body() -> dict:
    """The first request body of the recorded Claude Code session."""
    path = os.path.normpath(config.CLAUDE_CODE_FIXTURE)
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)[0]["body"]
    except (OSError, ValueError, LookupError) as exc:
        raise RuntimeError(f"cannot read the Claude Code fixture {path}: {exc}") from exc


def _dumps(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def build_requests(model: str = config.STREAM_MODEL) -> dict[str, dict]:
    """Per path: where it goes ("via": "direct" or "gateway"), the URL path and the JSON body."""
    anthropic = {**fixture_body(), "model": config.GATEWAY_PREFIX + model, "stream": True}
    canonical = anthropic_messages.parse_request(anthropic)
    chat = openai_chat.build_request(dataclasses.replace(canonical, model=model, stream=True))
    gateway_chat = {**chat, "model": config.GATEWAY_PREFIX + model}
    return {
        "direct": {"via": "direct", "path": config.CHAT_PATH, "body": _dumps(chat)},
        "passthrough": {"via": "gateway", "path": config.CHAT_PATH, "body": _dumps(gateway_chat)},
        "translated": {"via": "gateway", "path": config.MESSAGES_PATH, "body": _dumps(anthropic)},
    }


def describe(requests: dict[str, dict]) -> dict:
    """What the JSON records about the requests sent."""
    return {
        "fixture": os.path.basename(config.CLAUDE_CODE_FIXTURE),
        "model": config.GATEWAY_PREFIX + config.STREAM_MODEL,
        **{f"{name}_bytes": len(r["body"].encode()) for name, r in requests.items()},
    }


def _target(requests: dict[str, dict], ports: dict, name: str) -> dict:
    request = requests[name]
    return {
        "name": name,
        "port": ports[request["via"]],
        "path": request["path"],
        "body": request["body"],
    }


def timing_spec(ports: dict, requests: dict[str, dict]) -> dict:
    return {
        "scenario": "streams",
        "targets": [_target(requests, ports, name) for name in PATHS],
        "compare": COMPARE,
        "alternate": True,  # passthrough and translated share the gateway: take turns first
        "rate": config.TRANSLATED_RATE,
        "seconds": config.TRANSLATED_SECONDS,
        "warmup": config.TRANSLATED_WARMUP_SECONDS,
        "interval": config.STREAM_INTERVAL,
        "texts": config.stream_texts("tok", config.STREAM_PIECES),
    }


def cpu_spec(ports: dict, requests: dict[str, dict], name: str) -> dict:
    """CPU_STREAMS streams of one gateway path, for the gateway's CPU time per stream."""
    target = _target(requests, ports, name)
    return {
        "scenario": "hold",
        "port": target["port"],
        "path": target["path"],
        "body": target["body"],
        "streams": config.CPU_STREAMS,
        "ramp": config.CPU_RAMP_SECONDS,
        "texts": config.stream_texts("tok", config.STREAM_PIECES),
        "timeout": CPU_STREAM_TIMEOUT_SECONDS,
    }


# -- the table -----------------------------------------------------------------------------------


def _compared_row(r: dict, label: str, base: str, keys: tuple, fmt=ms) -> Row:
    b, t = (get(r, "translated", "streaming", path, *keys) for path in (base, "translated"))
    return (label, fmt(b), fmt(t), plus_ms(minus(t, b)), "(info)", "")


def _chunk_row(r: dict, subject: str, pct: str) -> Row:
    added = get(r, "translated", "streaming", subject, "added_chunk_delay", pct)
    label = f"  per-chunk added delay {pct}, {subject} vs {COMPARE[subject]}"
    return (label, "", "", plus_ms(added), "(info)", "")


def _errors(r: dict, path: str) -> int | None:
    timing = get(r, "translated", "streaming", path, "errors_total")
    cpu = get(r, "translated", "cpu", path, "errors_total") or 0
    return None if timing is None else timing + cpu


def build_rows(r: dict) -> list[Row]:
    rows = []
    for label, base, kind in (
        ("stream first event", "passthrough", "ttfb"),
        ("stream first event", "direct", "ttfb"),
        ("first text delta", "passthrough", "first_text"),
    ):
        for pct in ("p50", "p99"):
            number = "  " if rows else "7 "
            rows.append(_compared_row(r, f"{number}{label} {pct}, vs {base}", base, (kind, pct)))
    rows += [_chunk_row(r, subject, pct) for subject in COMPARE for pct in ("p50", "p99")]
    held = get(r, "translated", "streaming", "translated", "held_back")
    measured = get(r, "translated", "streaming", "translated", "chunks_measured")
    rows.append(
        (
            f"  chunks held back vs passthrough (of {num(measured, '{:d}')})",
            "",
            count(held),
            "",
            "0",
            at_most(held, config.TARGETS["held_back_chunks"]),
        )
    )
    cpu = [get(r, "translated", "cpu", path, "server_cpu_ms_per_stream") for path in GATEWAY_PATHS]
    rows.append(
        ("  gateway CPU per stream", *map(ms, cpu), plus_ms(minus(cpu[1], cpu[0])), "(info)", "")
    )
    errors = [_errors(r, path) for path in GATEWAY_PATHS]
    limit = config.TARGETS["translated_stream_errors"]
    rows.append(
        (
            "  stream errors (translated: each ends with message_stop)",
            *map(count, errors),
            "",
            f"{limit} errors",
            at_most(errors[1], limit),
        )
    )
    rows.append(("  stream errors, direct", count(_errors(r, "direct")), "", "", "", ""))
    return rows


def render_table(results: dict) -> str:
    request = get(results, "translated", "request") or {}
    kb = (request.get("translated_bytes") or 0) / 1024
    heading = (
        f"{HEADING}: {request.get('fixture', 'Claude Code')} request 1 ({kb:.0f} KB) as Anthropic "
        f"Messages -> OpenAI Chat provider, against passthrough and direct"
    )
    header = ("figure", "baseline", "translated", "added", "target", "result")
    return heading + "\n" + render(header, build_rows(results))
