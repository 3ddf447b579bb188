"""`python -m bench.run` (`make bench`): run every scenario and print the side-by-side table.

Order: start-up (three fresh gateways), then one fake upstream and one gateway process, each
connected through the management API; idle RSS; fixed-rate latency; stream timing; wrk
throughput; 1,000 held streams with RSS sampled. Each load scenario runs against the fake
upstream directly and then through the gateway, from a separate load-generator process.
Results go to stdout and to bench/results/latest.json. Every child process is stopped on exit.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from importlib import metadata

from bench import config
from bench.processes import (
    Children,
    connect_gateway,
    free_port,
    proc_status,
    rss_mb,
    spawn_gateway,
    spawn_upstream,
    wait_for_health,
)
from bench.report import render_meta, render_table, write_json
from bench.wrk_runner import run_wrk
from omniroute.settings import SETTINGS_BY_NAME


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _stop_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def meta() -> dict:
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "waitress": metadata.version("waitress"),
        "threads": SETTINGS_BY_NAME["THREADS"].default,
        "connection_limit": SETTINGS_BY_NAME["CONNECTION_LIMIT"].default,
        "max_in_flight": SETTINGS_BY_NAME["MAX_IN_FLIGHT"].default,
        "latency_rate": config.LATENCY_RATE,
        "hold_streams": config.HOLD_STREAMS,
        "startup_runs": config.STARTUP_RUNS,
        "nofile_limit": config.raise_nofile_limit(),
    }


def measure_startup(children: Children, work: str) -> dict:
    runs = []
    for run in range(config.STARTUP_RUNS):
        port = free_port()
        log = os.path.join(work, f"startup-{run}.log")
        started = time.perf_counter()
        proc = spawn_gateway(children, os.path.join(work, f"startup-{run}"), port, log)
        ok = wait_for_health(proc, port, config.STARTUP_TIMEOUT_SECONDS)
        elapsed = time.perf_counter() - started
        children.stop(proc)
        runs.append(round(elapsed, 3) if ok else None)
        if not ok:
            say(f"start-up run {run} failed; log: {tail(log)}")
    valid = [value for value in runs if value is not None]
    return {"runs_s": runs, "best_s": min(valid) if valid else None}


def tail(path: str, size: int = 1500) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.path.getsize(path) - size))
            return handle.read().decode(errors="replace")
    except OSError:
        return "(no log)"


def run_loadgen(children: Children, spec: dict, timeout: float, log: str, watch_pid=None):
    """Run one load-generator process; sample `watch_pid`'s RSS while it runs."""
    with open(log, "ab") as log_file:
        proc = children.spawn(
            [sys.executable, "-m", "bench.loadgen", json.dumps(spec)],
            stdout=subprocess.PIPE,
            stderr=log_file,
        )
    samples = []
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / config.RSS_SAMPLE_SECONDS) + 1):
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        if watch_pid is not None:
            samples.append(rss_mb(watch_pid) or 0.0)
        time.sleep(config.RSS_SAMPLE_SECONDS)
    if proc.poll() is None:
        children.stop(proc)
        raise RuntimeError(f"load generator ({spec['scenario']}) timed out; log: {tail(log)}")
    output = proc.stdout.read().decode()
    children.stop(proc)
    if proc.returncode != 0 or not output.strip():
        raise RuntimeError(f"load generator ({spec['scenario']}) failed; log: {tail(log)}")
    return json.loads(output.strip().splitlines()[-1]), samples


def both_paths(upstream_port: int, gateway_port: int, model: str) -> dict[str, tuple[int, str]]:
    return {
        "direct": (upstream_port, model),
        "gateway": (gateway_port, config.GATEWAY_PREFIX + model),
    }


def scenarios(children: Children, work: str, ports: dict, pids: dict, results: dict) -> None:
    log = os.path.join(work, "loadgen.log")
    base = {"path": config.CHAT_PATH}
    results["latency"] = {}
    for name, (port, model) in both_paths(
        ports["direct"], ports["gateway"], config.FAST_MODEL
    ).items():
        say(f"latency at {config.LATENCY_RATE} req/s, {name}")
        spec = dict(base, scenario="rate", port=port, body=config.chat_body(model).decode(),
                    rate=config.LATENCY_RATE, seconds=config.LATENCY_SECONDS,
                    warmup=config.LATENCY_WARMUP_SECONDS)  # fmt: skip
        results["latency"][name], _ = run_loadgen(children, spec, 60, log)
    results["streaming"] = {}
    for name, (port, model) in both_paths(
        ports["direct"], ports["gateway"], config.STREAM_MODEL
    ).items():
        say(f"stream timing, {name}")
        spec = dict(base, scenario="streams", port=port,
                    body=config.chat_body(model, stream=True).decode(),
                    rate=config.STREAM_RATE, seconds=config.STREAM_SECONDS,
                    warmup=config.STREAM_WARMUP_SECONDS, interval=config.STREAM_INTERVAL,
                    events=config.stream_events(config.STREAM_PIECES))  # fmt: skip
        results["streaming"][name], _ = run_loadgen(children, spec, 60, log)
    results["throughput"] = {}
    for name, (port, model) in both_paths(
        ports["direct"], ports["gateway"], config.FAST_MODEL
    ).items():
        say(f"throughput with wrk, {name}")
        results["throughput"][name] = run_wrk(
            children, port, config.chat_body(model), work, pids[name]
        )
    results["hold"] = {}
    for name, (port, model) in both_paths(
        ports["direct"], ports["gateway"], config.HOLD_MODEL
    ).items():
        say(f"{config.HOLD_STREAMS} concurrent streams, {name}")
        spec = dict(base, scenario="hold", port=port,
                    body=config.chat_body(model, stream=True).decode(),
                    streams=config.HOLD_STREAMS, ramp=config.HOLD_RAMP_SECONDS,
                    events=config.stream_events(config.HOLD_PIECES),
                    timeout=config.HOLD_TIMEOUT_SECONDS)  # fmt: skip
        result, samples = run_loadgen(children, spec, 90, log, watch_pid=pids["gateway"])
        results["hold"][name] = result
        if name == "gateway":
            status = proc_status(pids["gateway"])
            results["rss"]["peak_mb"] = max(samples, default=None)
            results["rss"]["hwm_mb"] = round(status.get("VmHWM", 0) / 1024, 1)
            results["rss"]["samples"] = len(samples)
            results["rss"]["threads"] = status.get("Threads")


def run_all(children: Children, work: str, results: dict) -> None:
    say(f"start-up, {config.STARTUP_RUNS} runs with fresh data dirs")
    results["startup"] = measure_startup(children, work)
    upstream, upstream_port = spawn_upstream(children, os.path.join(work, "upstream.log"))
    gateway_port, gateway_log = free_port(), os.path.join(work, "gateway.log")
    gateway = spawn_gateway(children, os.path.join(work, "data"), gateway_port, gateway_log)
    if not wait_for_health(gateway, gateway_port, config.STARTUP_TIMEOUT_SECONDS):
        raise RuntimeError(f"the gateway did not start; log: {tail(gateway_log)}")
    connect_gateway(gateway_port, f"http://{config.HOST}:{upstream_port}/v1")
    time.sleep(1.0)  # let the first usage row flush
    results["rss"] = {
        "idle_mb": rss_mb(gateway.pid),
        "idle_threads": proc_status(gateway.pid).get("Threads"),
    }
    ports = {"direct": upstream_port, "gateway": gateway_port}
    pids = {"direct": upstream.pid, "gateway": gateway.pid}
    try:
        scenarios(children, work, ports, pids, results)
    finally:
        if gateway.poll() is not None:
            say(f"the gateway exited with {gateway.returncode}; log: {tail(gateway_log)}")
    time.sleep(1.0)
    results["rss"]["after_load_mb"] = rss_mb(gateway.pid)
    results["rss"]["upstream_after_load_mb"] = rss_mb(upstream.pid)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    started = time.monotonic()
    results: dict = {"meta": meta(), "targets": config.TARGETS}
    code = 0
    try:
        with tempfile.TemporaryDirectory(prefix="omniroute-bench-") as work, Children() as children:
            run_all(children, work, results)
    except KeyboardInterrupt:
        say("interrupted; child processes stopped")
        return 130
    except Exception as exc:
        say(f"failed: {exc}")
        results["error"] = str(exc)
        code = 1
    results["meta"]["seconds"] = round(time.monotonic() - started, 1)
    print()
    print(render_meta(results))
    print(render_table(results))
    print(f"\n(total {results['meta']['seconds']} s; JSON: {os.path.relpath(config.RESULTS_PATH)})")
    write_json(results, config.RESULTS_PATH)
    return code


if __name__ == "__main__":
    sys.exit(main())
