"""Scenario 10, usage pages (issue 7): the Usage and Costs pages over 1,000,000 usage rows.

A SQLite DATA_DIR is seeded before a gateway of its own starts on it: five API keys (two with a
budget), and USAGE_ROWS usage rows spread over the last USAGE_DAYS days across seven provider
models (one a subscription), about 3% errors, half of them streamed, some with a fallback in
their attempt chain. The rows go in with the usage writer's own insert (one executemany per
batch of SEED_BATCH rows, one transaction each) and their hourly rollups with the writer's
rollup functions, so the data is what the gateway would have written itself.

Then, logged in like a browser (session cookie from the login form), each page is fetched
RENDERS times one after the other and its server time (request to last byte) is summed up as
p50 and max: /usage (default range: the last 24 hours), /usage?range=30d, the request log's
first page, a filtered page (one provider's errors) and its next page, the CSV export's first
1,000 rows, and /costs (budgets) and /costs/pricing. Target: p50 ≤ 200 ms each.

`python -m bench.usage_pages` runs this scenario alone (its section of
bench/results/latest.json is replaced).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time

import requests

from bench import config
from bench.processes import Children, start_gateway, tail
from bench.report import write_json
from bench.table import Row, at_most, count, get, ms, num, render
from omniroute.clock import utcnow
from omniroute.formats.canonical import Usage
from omniroute.providers import PROVIDERS
from omniroute.store.api_keys import create_api_key
from omniroute.store.budgets import put_budget
from omniroute.store.database import open_database
from omniroute.store.migrations import migrate
from omniroute.store.usage_queries import insert_usage_rows
from omniroute.store.usage_rollups import add_rollups, rollup
from omniroute.usage.budgets import Budget
from omniroute.usage.pricing import PricingTable

HEADING = "usage pages (issue 7)"
USAGE_ROWS = 1_000_000
USAGE_DAYS = 30
SEED_BATCH = 50_000
RENDERS = 10
TARGET_MS = 200.0
EXPORT_ROWS = 1000
MODELS = (  # provider, model, share of the traffic
    ("openai", "gpt-4o-mini", 30),
    ("openai", "gpt-4o", 10),
    ("anthropic", "claude-sonnet-4-5", 20),
    ("anthropic", "claude-haiku-4-5", 10),
    ("gemini", "gemini-2.5-flash", 10),
    ("claude-code", "claude-opus-4-6", 15),
    ("deepseek", "deepseek-chat", 5),
)
KEYS = 5
ERROR_STATUSES = (429, 502, 400)
FILTER = "provider=anthropic&status=error"
PAGES = (  # name, label, path (a "{next}" path continues the page before it)
    ("usage", "/usage, default range (24 h)", "/usage"),
    ("usage_30d", "/usage?range=30d", "/usage?range=30d"),
    ("log", "request log, first page", "/usage/requests"),
    ("log_filtered", "request log, anthropic errors", f"/usage/requests?{FILTER}"),
    ("log_filtered_next", "… its next page", "{next}"),
    ("export", f"CSV export, first {EXPORT_ROWS:,} rows", "/api/usage/export.csv"),
    ("costs", "/costs (budgets)", "/costs"),
    ("pricing", "/costs/pricing", "/costs/pricing"),
)


# -- seeding -------------------------------------------------------------------------------------


def _row(rng: random.Random, created_at: dt.datetime, key_ids: list, table, prices) -> dict:
    provider, model = rng.choices([m[:2] for m in MODELS], [m[2] for m in MODELS])[0]
    roll = rng.random()
    status = 200 if roll > 0.03 else ERROR_STATUSES[int(roll * 100) % len(ERROR_STATUSES)]
    prompt, completion = rng.randint(200, 20_000), rng.randint(20, 2_000)
    cached = rng.choice((0, 0, prompt // 2))
    usage = Usage(input_tokens=prompt, output_tokens=completion, cache_read_tokens=cached)
    if status >= 400:
        usage = Usage()
    cost, listed = table.costs(provider, model, prices[provider], usage)
    chain = [{"provider": provider, "account": 1, "model": model, "status": status, "ms": 80}]
    if rng.random() < 0.05:
        chain.insert(0, {"provider": "openai", "account": 2, "model": "gpt-4o", "status": 429})
    stream = rng.random() < 0.5
    latency = rng.uniform(200, 9000)
    return {
        "created_at": created_at,
        "endpoint": "chat/completions",
        "format_in": "openai",
        "format_out": "openai",
        "api_key_id": rng.choice(key_ids),
        "provider": provider,
        "connection_id": 1,
        "requested_model": f"{provider}/{model}",
        "model": model,
        "status": status,
        "stream": stream,
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_tokens": 0,
        "reasoning_tokens": 0,
        "attempts": len(chain),
        "attempt_chain": json.dumps(chain),
        "estimated": False,
        "cost_usd": cost,
        "list_cost_usd": listed,
        "latency_ms": round(latency, 3),
        "ttft_ms": round(latency / 5, 3) if stream else None,
        "error": None if status < 400 else f"upstream answered {status}",
    }


def seed(data_dir: str, rows: int = USAGE_ROWS, days: int = USAGE_DAYS) -> dict:
    """Fill a fresh DATA_DIR's database; returns what was made and how long it took."""
    started = time.perf_counter()
    os.makedirs(data_dir, exist_ok=True)
    database = open_database(f"sqlite:///{os.path.join(data_dir, 'omniroute.db')}")
    migrate(database)
    rng = random.Random(7)
    table = PricingTable()
    tiers = {provider: PROVIDERS[provider].tier for provider, _, _ in MODELS}
    now = utcnow()
    first = now - dt.timedelta(days=days)
    step = (now - first) / rows
    with database.connection_context():
        key_ids = [create_api_key("bench-seed-secret", f"bench key {n}")[0].id for n in range(KEYS)]
        put_budget(Budget(key_ids[0], 5000.0, "monthly", 80))
        put_budget(Budget(key_ids[1], 50.0, "daily", 80))
        for begin in range(0, rows, SEED_BATCH):
            batch = [
                _row(rng, first + step * n, key_ids + [None], table, tiers)
                for n in range(begin, min(rows, begin + SEED_BATCH))
            ]
            with database.atomic():
                insert_usage_rows(batch)
                add_rollups(rollup(batch))
        rollups = database.execute_sql("SELECT COUNT(*) FROM usage_hourly").fetchone()[0]
    database.close_all()
    return {"rows": rows, "rollups": rollups, "seconds": round(time.perf_counter() - started, 1)}


# -- measuring -----------------------------------------------------------------------------------


def logged_in(base: str) -> requests.Session:
    """A session logged in through the login form, as a browser would be."""
    session = requests.Session()
    session.trust_env = False
    page = session.get(base + "/login", timeout=10)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    answer = session.post(
        base + "/login",
        data={"csrf_token": token, "password": config.ADMIN_PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login failed: {answer.status_code}")
    return session


def _fetch(session: requests.Session, url: str) -> tuple[float, requests.Response]:
    started = time.perf_counter()
    answer = session.get(url, timeout=60, stream=True)
    if "export" in url:  # the first EXPORT_ROWS rows of a streamed download, then hang up
        for lines, _line in enumerate(answer.iter_lines(), 1):
            if lines > EXPORT_ROWS:
                break
        answer.close()
    else:
        answer.content  # noqa: B018 — read the whole body
    elapsed = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"GET {url}: {answer.status_code}")
    return elapsed, answer


def _next_link(html: str) -> str | None:
    found = re.search(r'<a[^>]*href="([^"]*before=\d+[^"]*)"[^>]*data-older', html)
    return found.group(1).replace("&amp;", "&") if found else None


def measure(port: int) -> dict:
    base = f"http://{config.HOST}:{port}"
    session = logged_in(base)
    results: dict = {}
    previous_html = ""
    for name, _, path in PAGES:
        if path == "{next}":
            path = _next_link(previous_html)
            if path is None:
                results[name] = {"error": "no next-page link"}
                continue
        first_ms, answer = _fetch(session, base + path)
        previous_html = answer.text if "export" not in path else ""
        times = [_fetch(session, base + path)[0] for _ in range(RENDERS)]
        results[name] = {
            "path": path,
            "first_ms": round(first_ms, 2),
            "p50_ms": round(statistics.median(times), 2),
            "max_ms": round(max(times), 2),
            "bytes": len(answer.content) if "export" not in path else None,
        }
    session.close()
    return results


def run(children: Children, work: str) -> dict:
    """Seed a data dir, start a gateway on it, measure every page; the gateway is stopped after."""
    say(f"usage pages: seeding {USAGE_ROWS:,} usage rows over {USAGE_DAYS} days")
    section = {"seed": seed(os.path.join(work, "usage-gateway"))}
    say(f"usage pages: seeded in {section['seed']['seconds']} s; rendering each page {RENDERS}×")
    gateway, port, log = start_gateway(children, work, "usage-gateway")
    try:
        section["pages"] = measure(port)
    finally:
        if gateway.poll() is not None:
            say(f"the usage-pages gateway exited with {gateway.returncode}; log: {tail(log)}")
        children.stop(gateway)
    return section


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# -- the table -----------------------------------------------------------------------------------


def build_rows(results: dict) -> list[Row]:
    rows = []
    for name, label, _ in PAGES:
        page = get(results, "usage_pages", "pages", name) or {}
        p50 = page.get("p50_ms")
        rows.append(
            (
                label,
                ms(page.get("first_ms")),
                ms(p50),
                ms(page.get("max_ms")),
                num(page.get("bytes"), "{:,}", " B") if page.get("bytes") else "",
                f"p50 ≤ {TARGET_MS:g} ms",
                at_most(p50, TARGET_MS),
            )
        )
    return rows


def render_table(results: dict) -> str:
    seed_info = get(results, "usage_pages", "seed") or {}
    heading = (
        f"{HEADING}: {count(seed_info.get('rows'))} usage rows over {USAGE_DAYS} days "
        f"({count(seed_info.get('rollups'))} hourly rollups, seeded in "
        f"{num(seed_info.get('seconds'), '{:.0f}', ' s')}); {RENDERS} renders per page, "
        "logged in, server time to the last byte"
    )
    header = ("page", "first", "p50", "max", "size", "target", "result")
    return heading + "\n" + render(header, build_rows(results))


def main() -> int:
    """Run this scenario alone; its section replaces the one in bench/results/latest.json."""
    try:
        with open(config.RESULTS_PATH, encoding="utf-8") as handle:
            results = json.load(handle)
    except (OSError, ValueError):
        results = {}
    with tempfile.TemporaryDirectory(prefix="omniroute-bench-") as work, Children() as children:
        results["usage_pages"] = run(children, work)
    print(render_table(results))
    write_json(results, config.RESULTS_PATH)
    print(f"(JSON in {os.path.relpath(config.RESULTS_PATH)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
