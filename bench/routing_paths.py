"""Scenario 8, routing paths (issue 5): what planning a combo and falling back cost a request.

Non-streaming requests at a fixed rate, each path in its own one-second blocks (like scenario
1), all to the fake upstream's echo model through the main gateway:
- direct:    straight to the upstream;
- plain:     `openai/bench-fast`, one provider model;
- combo:     `bench-combo`, priority [openai/bench-fast, glm/bench-fast]: the planning cost;
- combo_429: first target `ds/bench-fast`, whose account answers 429 with Retry-After: 3600: it
             rests after the first request, so later requests plan around it without a call;
- combo_500: first target `glm/bench-fast`, whose account's key the upstream answers with a 500
             every time, then openai: one failed call and a fallback per request (comboRetries
             is 0 during the run, restored afterwards), until a circuit breaker, if the gateway
             has one, leaves the failing provider out;
- combo_404: the same with a 404 (the model is not served there) from `groq/bench-fast`: a
             failure that rests nothing and trips no breaker, so every request pays one call.
The gateway's X-OmniRoute-Fallback-Attempts header is counted per value, and the latency is
also split by it, so a gateway that stops calling a failing provider (a circuit breaker) shows
as requests with 0 failed calls instead of 1.
"""

from __future__ import annotations

from bench import config
from bench.management import Management
from bench.table import Row, count, distribution, get, minus, ms, plus_ms, render
from tests.fake_upstream import Behavior

HEADING = "routing paths (issue 5)"
FAILING_KEY = "sk-bench-fails-500"
RESTING_KEY = "sk-bench-rests-429"
MISSING_KEY = "sk-bench-no-model-404"
CONNECTIONS = (
    ("glm", "bench-fails", FAILING_KEY),
    ("deepseek", "bench-rests", RESTING_KEY),
    ("groq", "bench-no-model", MISSING_KEY),
)
PLAIN = config.GATEWAY_PREFIX + config.FAST_MODEL
COMBOS = {
    "bench-combo": [PLAIN, "glm/" + config.FAST_MODEL],
    "bench-combo-500": ["glm/" + config.FAST_MODEL, PLAIN],
    "bench-combo-429": ["ds/" + config.FAST_MODEL, PLAIN],
    "bench-combo-404": ["groq/" + config.FAST_MODEL, PLAIN],
}
SETTINGS = {"comboRetries": 0}
# name, label, model sent; the first goes straight to the upstream. The heaviest path (two calls
# per request) comes last, so any backlog it leaves spills into the direct path's block.
PATHS = (
    ("direct", "direct", config.FAST_MODEL),
    ("plain", f"plain model {PLAIN}", PLAIN),
    ("combo", "combo bench-combo (priority, 2 targets)", "bench-combo"),
    ("combo_429", "combo, 1st target rests (429, 3600 s)", "bench-combo-429"),
    ("combo_500", "combo, 1st target answers 500", "bench-combo-500"),
    ("combo_404", "combo, 1st target answers 404", "bench-combo-404"),
)


def script_upstream(upstream) -> None:
    """The failing, the resting and the model-less account, matched by their API keys."""
    upstream.add(Behavior(status=500, error_message="bench: always failing"), api_key=FAILING_KEY)
    upstream.add(Behavior(status=429, headers={"Retry-After": "3600"}), api_key=RESTING_KEY)
    upstream.add(
        Behavior(status=404, error_message="bench: no such model", error_code="model_not_found"),
        api_key=MISSING_KEY,
    )


def set_up(api: Management, upstream_url: str) -> dict:
    """Add the three accounts and the combos, change the settings; returns the settings to put
    back afterwards."""
    for provider, name, key in CONNECTIONS:
        api.add_connection(provider, name, key, upstream_url)
    for name, models in COMBOS.items():
        api.add_combo(name, models, "priority")
    before = api.settings()
    api.change_settings(SETTINGS)
    return {name: before[name] for name in SETTINGS}


def spec(ports: dict) -> dict:
    targets = [
        {
            "name": name,
            "port": ports["direct" if name == "direct" else "gateway"],
            "body": config.chat_body(model).decode(),
        }
        for name, _, model in PATHS
    ]
    return {
        "scenario": "rate",
        "path": config.CHAT_PATH,
        "targets": targets,
        "rate": config.ROUTING_RATE,
        "block": config.BLOCK_SECONDS,
        "seconds": config.ROUTING_SECONDS,
        "warmup": config.ROUTING_WARMUP_SECONDS,
        "split_by_fallback": True,
    }


# -- the table -----------------------------------------------------------------------------------


def _latency_cells(r: dict, summary: dict | None) -> tuple[str, ...]:
    direct, plain = (get(r, "routing", name, "latency") or {} for name in ("direct", "plain"))
    summary = summary or {}
    p50, p99 = summary.get("p50"), summary.get("p99")
    return (
        ms(p50),
        ms(p99),
        plus_ms(minus(p50, direct.get("p50"))),
        plus_ms(minus(p99, direct.get("p99"))),
        plus_ms(minus(p50, plain.get("p50"))),
    )


def _split_rows(r: dict, name: str) -> list[Row]:
    """One row per number of failed calls seen on a path, when it saw more than one."""
    seen = get(r, "routing", name, "fallback_attempts") or {}
    if len(seen) < 2:
        return []
    rows = []
    for failed in sorted(seen, key=int):
        summary = get(r, "routing", name, f"latency_after_{failed}_failed")
        n = (summary or {}).get("count", 0)
        label = f"    after {failed} failed call(s), {n} measured"
        rows.append((label, *_latency_cells(r, summary), "", ""))
    return rows


def build_rows(r: dict) -> list[Row]:
    rows = []
    for name, label, _ in PATHS:
        path = get(r, "routing", name) or {}
        errors = sum((path.get("errors") or {}).values()) if path else None
        cells = _latency_cells(r, path.get("latency"))
        if name == "direct":
            cells = (*cells[:2], "", "", "")
        elif name == "plain":
            cells = (*cells[:4], "")
        rows.append((label, *cells, count(errors), distribution(path.get("fallback_attempts"))))
        rows += _split_rows(r, name)
    return rows


def render_table(results: dict) -> str:
    settings = ", ".join(f"{k} {v}" for k, v in SETTINGS.items())
    heading = (
        f"{HEADING}: {config.ROUTING_RATE} req/s non-stream, {len(PATHS)} paths alternating every "
        f"{config.BLOCK_SECONDS:g} s, {config.ROUTING_SECONDS:g} s measured each; {settings}"
    )
    header = (
        "path",
        "p50",
        "p99",
        "added p50",
        "added p99",
        "vs plain p50",
        "errors",
        "fallback attempts (value: requests)",
    )
    return heading + "\n" + render(header, build_rows(results), left=1)
