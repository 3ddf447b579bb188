"""Scenario 9, fault mix (issue 6): what a client sees while some provider calls fail.

A gateway of its own (UPSTREAM_READ_TIMEOUT = config.FAULT_READ_TIMEOUT, a fresh data dir)
gets eight accounts on the fake upstream, each on its own provider, and four round-robin
combos: `mix-faults` over the four faulty accounts, `mix-healthy` over the four healthy ones,
and a `-stream` twin of each for the streaming model. Each faulty account answers in a cycle
(tests.fake_upstream Behaviors, matched by model and API key; see bench.upstream_server) in
which one call in five fails: 429 with Retry-After: 1, 500, 502, 503, a connection reset after
the stream's headers but before its first event, or an answer (or first event) that takes
config.FAULT_SLOW_SECONDS, past the read timeout. So about 20% of upstream calls fail, each
account in its own way, and a fallback can always find a healthy account.

Three paths take the same load: direct (the upstream's healthy models), healthy and faults,
each at config.FAULT_RATE req/s for blocks of config.FAULT_BLOCK_SECONDS in turn (every
config.FAULT_STREAM_EVERY-th request streams). The scenario only measures what the client
sees: the share of whole 2xx answers, errors by kind, latency (write to last byte; a stream to
its [DONE]) and the gateway's X-OmniRoute-Fallback-Attempts per answered request. Whatever the
gateway does about the faults (cooldowns, circuit breakers, rate limits) shows in those.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench import config
from bench.management import Management
from bench.table import Row, count, distribution, get, minus, ms, num, plus_ms, render
from tests.fake_upstream import Behavior

HEADING = "fault mix (issue 6)"
MODEL = "bench-mix"
STREAM_MODEL = "bench-mix-stream"
STREAM_TEXTS = config.stream_texts("mix", 5)
PATHS = ("direct", "healthy", "faults")


@dataclass(frozen=True)
class Account:
    provider: str  # catalog id
    prefix: str  # its model-id prefix
    key: str
    answers: tuple = ()  # the non-stream cycle; None is a normal answer
    stream_answers: tuple = ()


_ = None
RATE_LIMITED = Behavior(status=429, headers={"Retry-After": "1"})
SERVER_ERROR = Behavior(status=500)
BAD_GATEWAY = Behavior(status=502)
UNAVAILABLE = Behavior(status=503)
RESET = Behavior(chunks=STREAM_TEXTS, reset_after_chunks=0)
SLOW = Behavior(delay=config.FAULT_SLOW_SECONDS)
SLOW_STREAM = Behavior(chunks=STREAM_TEXTS, first_event_delay=config.FAULT_SLOW_SECONDS)
FAULTY = (
    Account("openai", "openai", "sk-mix-a", (RATE_LIMITED, _, _, _, _), (RATE_LIMITED, _, _, _, _)),
    Account("glm", "glm", "sk-mix-b", (_, _, SERVER_ERROR, _, _), (_, RESET, _, _, _)),
    Account("deepseek", "ds", "sk-mix-c", (_, UNAVAILABLE, _, _, _), (_, _, UNAVAILABLE, _, _)),
    Account(
        "groq",
        "groq",
        "sk-mix-d",
        (_, _, _, _, BAD_GATEWAY, _, _, _, _, SLOW),
        (_, _, _, _, SLOW_STREAM),
    ),
)
HEALTHY = tuple(
    Account(provider, provider, f"sk-mix-ok-{provider}")
    for provider in ("xai", "together", "fireworks", "cerebras")
)
COMBOS = {"healthy": HEALTHY, "faults": FAULTY}  # path -> accounts (combo `mix-<path>`)


def combo_name(path: str, stream: bool) -> str:
    return f"mix-{path}" + ("-stream" if stream else "")


def script_upstream(upstream) -> None:
    """The stream every account plays, and the faulty accounts' cycles."""
    upstream.add(Behavior(chunks=STREAM_TEXTS), model=STREAM_MODEL)
    for account in FAULTY:
        upstream.add_cycle(account.answers, MODEL, account.key)
        upstream.add_cycle(account.stream_answers, STREAM_MODEL, account.key)


def set_up(api: Management, upstream_url: str) -> None:
    for path, accounts in COMBOS.items():
        for account in accounts:
            api.add_connection(
                account.provider, f"mix-{account.provider}", account.key, upstream_url
            )
        for stream, model in ((False, MODEL), (True, STREAM_MODEL)):
            models = [f"{account.prefix}/{model}" for account in accounts]
            api.add_combo(combo_name(path, stream), models, "round-robin")


def spec(ports: dict) -> dict:
    def target(path: str) -> dict:
        direct = path == "direct"
        models = (MODEL, STREAM_MODEL) if direct else (combo_name(path, s) for s in (False, True))
        body, stream_body = (
            config.chat_body(model, stream).decode()
            for model, stream in zip(models, (False, True), strict=True)
        )
        port = ports["direct" if direct else "gateway"]
        return {"name": path, "port": port, "body": body, "stream_body": stream_body}

    return {
        "scenario": "rate",
        "path": config.CHAT_PATH,
        "targets": [target(path) for path in PATHS],
        "rate": config.FAULT_RATE,
        "block": config.FAULT_BLOCK_SECONDS,
        "seconds": config.FAULT_SECONDS,
        "warmup": config.FAULT_WARMUP_SECONDS,
        "stream_every": config.FAULT_STREAM_EVERY,
    }


# -- the table -----------------------------------------------------------------------------------


def _each(r: dict, *keys) -> list:
    return [get(r, "fault_mix", path, *keys) for path in PATHS]


def _compared(label: str, values: list, fmt=ms) -> Row:
    direct, healthy, faults = values
    return (
        label,
        *map(fmt, values),
        plus_ms(minus(faults, healthy)),
        plus_ms(minus(faults, direct)),
    )


def _success(path: dict | None) -> float | None:
    """Percent of the requests sent that got a whole 2xx answer."""
    return None if not path or not path.get("sent") else 100.0 * path["ok"] / path["sent"]


def _failed_calls(attempts: dict | None) -> tuple[float | None, float | None]:
    """(mean failed calls per answered request, failed share of all calls they made)."""
    if not attempts:
        return None, None
    answered = sum(attempts.values())
    failed = sum(int(value) * n for value, n in attempts.items())
    return failed / answered, 100.0 * failed / (answered + failed)


def _error_rows(r: dict) -> list[Row]:
    """One row per kind of error seen on any path; a path not measured shows n/a."""
    per_path = _each(r, "errors")
    kinds = sorted({kind for errors in per_path for kind in errors or {}})
    return [
        (
            f"  errors: {kind}",
            *(count(None if e is None else e.get(kind, 0)) for e in per_path),
            "",
            "",
        )
        for kind in kinds or ["(none)"]
    ]


def _fallback_rows(r: dict) -> list[Row]:
    attempts = _each(r, "fallback_attempts")
    means, shares = zip(*map(_failed_calls, attempts), strict=True)
    return [
        ("failed calls per answered request (mean)", *(num(m, "{:.3f}") for m in means), "", ""),
        (
            "  share of their upstream calls that failed",
            *(num(s, "{:.1f}", "%") for s in shares),
            "",
            "",
        ),
        ("  answered after n failed calls (n: requests)", *map(distribution, attempts), "", ""),
    ]


def _success_row(r: dict) -> Row:
    direct, healthy, faults = (_success(path) for path in _each(r))
    cells = (num(s, "{:.2f}", "%") for s in (direct, healthy, faults))
    points = (num(minus(faults, other), "{:+.2f}", " pp") for other in (healthy, direct))
    return ("success (whole 2xx answers)", *cells, *points)


def build_rows(r: dict) -> list[Row]:
    rows = [
        _success_row(r),
        (
            "  requests sent (of which streams)",
            *(f"{p['sent']} ({p['streams']})" if p else "n/a" for p in _each(r)),
            "",
            "",
        ),
        *_error_rows(r),
    ]
    for kind, label in (("latency", "non-stream latency"), ("stream_latency", "stream to [DONE]")):
        for pct in ("p50", "p95", "p99"):
            rows.append(_compared(f"  {label} {pct}", _each(r, kind, pct)))
    return rows + _fallback_rows(r)


def render_table(results: dict) -> str:
    per_path = config.FAULT_SECONDS + config.FAULT_WARMUP_SECONDS
    heading = (
        f"{HEADING}: {config.FAULT_RATE} req/s for {per_path:g} s per path in "
        f"{config.FAULT_BLOCK_SECONDS:g} s blocks, 1 in {config.FAULT_STREAM_EVERY} streaming; "
        f"round-robin combos of 4 accounts; the faulty ones fail 1 call in 5 (429 Retry-After 1, "
        f"500, 502, 503, reset before the first event, {config.FAULT_SLOW_SECONDS:g} s answers vs "
        f"a {config.FAULT_READ_TIMEOUT:g} s read timeout)"
    )
    header = ("figure", *PATHS, "faults vs healthy", "faults vs direct")
    return heading + "\n" + render(header, build_rows(results), left=0)
