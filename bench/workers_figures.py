"""One worker and two side by side (issue 22): the same fake upstream, the same load generator
and wrk, against a gateway started with WEB_CONCURRENCY=2 (its supervisor and two waitress
workers sharing the port). The one-worker figures are the main run's; this adds the two-worker
run's added latency and throughput, and the scaling ratio between them.

The two workers keep per-worker state (ALLOW_PER_WORKER_STATE=true): the bench configures no
rate limit or budget, so Redis would add nothing to these requests.
"""

from __future__ import annotations

import os
import time

from bench import config
from bench.management import connect_gateway
from bench.processes import Children, cpu_seconds, start_gateway
from bench.scenarios import latency_spec, run_loadgen, say
from bench.wrk_runner import run_wrk

WORKERS = 2
CONFIG_SPREAD_SECONDS = 2.0  # a configuration change reaches the other worker within 1 s


def worker_pids(supervisor: int) -> list[int]:
    path = f"/proc/{supervisor}/task/{supervisor}/children"
    with open(path, encoding="ascii") as handle:
        return [int(pid) for pid in handle.read().split()]


def workers_cpu(supervisor: int) -> float:
    return sum(cpu_seconds(pid) for pid in worker_pids(supervisor))


def measure(children: Children, work: str, upstream_port: int) -> dict:
    say(f"{WORKERS} workers on one port: latency and throughput against the same upstream")
    gateway, port, _log = start_gateway(
        children,
        work,
        "two-workers",
        WEB_CONCURRENCY=str(WORKERS),
        ALLOW_PER_WORKER_STATE="true",
    )
    connect_gateway(port, config.upstream_url(upstream_port))
    time.sleep(CONFIG_SPREAD_SECONDS)
    log = os.path.join(work, "loadgen-workers.log")
    latency, _ = run_loadgen(
        children, latency_spec({"direct": upstream_port, "gateway": port}), 90, log
    )
    body = config.chat_body(config.GATEWAY_PREFIX + config.FAST_MODEL)
    before = workers_cpu(gateway.pid)
    throughput = run_wrk(children, port, body, work, gateway.pid)
    used = workers_cpu(gateway.pid) - before
    if throughput.get("requests"):
        throughput["server_cpu_ms_per_request"] = round(used * 1000 / throughput["requests"], 3)
    children.stop(gateway)
    return {"workers": WORKERS, "latency": latency, "throughput": throughput}
