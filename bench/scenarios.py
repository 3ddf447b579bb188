"""The load scenarios as the orchestrator runs them, each on the direct and the gateway path.

A scenario is a spec for the load-generator process (bench.loadgen) or a wrk run. Latency
alternates between the two paths in one-second blocks and stream timing runs them in pairs (both
in one load-generator process); wrk and the held streams run direct first, then the gateway.
Model ids differ only by the gateway's provider prefix, so both paths send the same body
otherwise and the upstream plays the same script. The translated paths (bench.translated) run
right after the stream timing: direct, passthrough and translated streams in triples, then the
gateway's CPU time per stream of each of its two paths. The routing paths (bench.routing_paths)
follow on the same gateway; the fault mix (bench.fault_mix) runs on a gateway of its own, and
the usage pages (bench.usage_pages) last, on another one with 1,000,000 seeded usage rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from bench import config, fault_mix, routing_paths, translated, usage_pages
from bench.management import Management
from bench.processes import Children, cpu_seconds, proc_status, rss_mb, start_gateway, tail
from bench.wrk_runner import run_wrk

PATHS = ("direct", "gateway")


def model_for(path: str, model: str) -> str:
    return config.GATEWAY_PREFIX + model if path == "gateway" else model


def run_loadgen(children: Children, spec: dict, timeout: float, log: str, watch_pid=None):
    """Run one load-generator process: (its JSON result, `watch_pid`'s RSS samples in MB)."""
    with open(log, "ab") as log_file:
        proc = children.spawn(
            [sys.executable, "-m", "bench.loadgen"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log_file,
        )
    try:
        with proc.stdin:
            proc.stdin.write(json.dumps(spec).encode())
    except BrokenPipeError:
        pass  # it died before reading its spec: reported below with its log
    samples = []
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / config.RSS_SAMPLE_SECONDS) + 1):
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        if watch_pid is not None:
            samples.append(rss_mb(watch_pid) or 0.0)
        time.sleep(config.RSS_SAMPLE_SECONDS)
    timed_out = proc.poll() is None
    children.stop(proc)
    output = proc.stdout.read().decode()
    if timed_out or proc.returncode != 0 or not output.strip():
        raise RuntimeError(f"load generator ({spec['scenario']}) failed; log: {tail(log)}")
    return json.loads(output.strip().splitlines()[-1]), samples


def server_cpu_run(children: Children, spec: dict, pid: int, log: str, timeout: float, **watch):
    """run_loadgen, adding the CPU time process `pid` used meanwhile per stream of the spec."""
    before = cpu_seconds(pid)
    result, samples = run_loadgen(children, spec, timeout, log, **watch)
    used = cpu_seconds(pid) - before
    result["server_cpu_ms_per_stream"] = round(used * 1000 / spec["streams"], 3)
    return result, samples


def targets(ports: dict, model: str, stream: bool = False) -> list[dict]:
    return [
        {
            "name": path,
            "port": ports[path],
            "body": config.chat_body(model_for(path, model), stream).decode(),
        }
        for path in PATHS
    ]


def latency_spec(ports: dict) -> dict:
    return {
        "scenario": "rate",
        "path": config.CHAT_PATH,
        "targets": targets(ports, config.FAST_MODEL),
        "rate": config.LATENCY_RATE,
        "block": config.BLOCK_SECONDS,
        "seconds": config.LATENCY_SECONDS,
        "warmup": config.LATENCY_WARMUP_SECONDS,
    }


def streaming_spec(ports: dict) -> dict:
    return {
        "scenario": "streams",
        "path": config.CHAT_PATH,
        "targets": targets(ports, config.STREAM_MODEL, stream=True),
        "rate": config.STREAM_RATE,
        "seconds": config.STREAM_SECONDS,
        "warmup": config.STREAM_WARMUP_SECONDS,
        "interval": config.STREAM_INTERVAL,
        "events": config.stream_events(config.STREAM_PIECES),
    }


def hold_spec(port: int, path: str) -> dict:
    return {
        "scenario": "hold",
        "port": port,
        "path": config.CHAT_PATH,
        "body": config.chat_body(model_for(path, config.HOLD_MODEL), stream=True).decode(),
        "streams": config.HOLD_STREAMS,
        "ramp": config.HOLD_RAMP_SECONDS,
        "events": config.stream_events(config.HOLD_PIECES),
        "timeout": config.HOLD_TIMEOUT_SECONDS,
    }


def run_translated(children: Children, log: str, ports: dict, pids: dict, requests) -> dict:
    """Scenario 7 (bench.translated): stream timing in triples, then CPU per gateway path."""
    say("translated paths: Claude Code's request as Anthropic Messages, in triples with OpenAI")
    section = {"request": translated.describe(requests)}
    spec = translated.timing_spec(ports, requests)
    section["streaming"], _ = run_loadgen(children, spec, 60, log)
    section["cpu"] = {}
    for path in translated.GATEWAY_PATHS:
        say(f"gateway CPU per stream, {path}, {config.CPU_STREAMS} streams")
        spec = translated.cpu_spec(ports, requests, path)
        section["cpu"][path], _ = server_cpu_run(children, spec, pids["gateway"], log, 60)
    return section


def run_routing(children: Children, log: str, ports: dict) -> dict:
    """Scenario 8 (bench.routing_paths) on the main gateway; its settings are put back after."""
    say("routing paths: direct, a plain model and four combos, alternating every second")
    with Management(ports["gateway"]) as api:
        restore = routing_paths.set_up(api, config.upstream_url(ports["direct"]))
        try:
            section, _ = run_loadgen(children, routing_paths.spec(ports), 120, log)
        finally:
            api.change_settings(restore)
    return section


def run_fault_mix(children: Children, work: str, upstream_port: int) -> dict:
    """Scenario 9 (bench.fault_mix) on a gateway of its own, stopped afterwards."""
    read_timeout = str(config.FAULT_READ_TIMEOUT)
    say(f"fault mix: a gateway of its own (UPSTREAM_READ_TIMEOUT={read_timeout}), 3 paths")
    gateway, port, gateway_log = start_gateway(
        children, work, "fault-gateway", UPSTREAM_READ_TIMEOUT=read_timeout
    )
    try:
        with Management(port) as api:
            fault_mix.set_up(api, config.upstream_url(upstream_port))
        spec = fault_mix.spec({"direct": upstream_port, "gateway": port})
        section, _ = run_loadgen(children, spec, 120, os.path.join(work, "loadgen.log"))
    finally:
        if gateway.poll() is not None:
            say(f"the fault-mix gateway exited with {gateway.returncode}; log: {tail(gateway_log)}")
        children.stop(gateway)
    return section


def run_usage_pages(children: Children, work: str) -> dict:
    """Scenario 10 (bench.usage_pages): a gateway of its own on 1,000,000 seeded usage rows."""
    return usage_pages.run(children, work)


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run_scenarios(children: Children, work: str, ports: dict, pids: dict, results: dict) -> None:
    """Fill results[latency|streaming|translated|routing|throughput|hold] and the peak RSS
    under held streams."""
    log = os.path.join(work, "loadgen.log")
    requests = translated.build_requests()  # fails early when the fixture is missing
    say(f"latency, direct and gateway alternating every {config.BLOCK_SECONDS:g} s")
    results["latency"], _ = run_loadgen(children, latency_spec(ports), 90, log)
    say("stream timing, direct and gateway streams in pairs")
    results["streaming"], _ = run_loadgen(children, streaming_spec(ports), 60, log)
    results["translated"] = run_translated(children, log, ports, pids, requests)
    results["routing"] = run_routing(children, log, ports)
    results["throughput"] = {}
    for path in PATHS:
        say(f"throughput with wrk, {path}")
        body = config.chat_body(model_for(path, config.FAST_MODEL))
        results["throughput"][path] = run_wrk(children, ports[path], body, work, pids[path])
    results["hold"] = {}
    for path in PATHS:
        say(f"{config.HOLD_STREAMS} concurrent streams, {path}")
        spec = hold_spec(ports[path], path)
        watch = pids["gateway"] if path == "gateway" else None
        result, samples = server_cpu_run(children, spec, pids[path], log, 90, watch_pid=watch)
        results["hold"][path] = result
        if path == "gateway":
            results["rss"]["peak_mb"] = max(samples, default=None)
    status = proc_status(pids["gateway"])
    results["rss"].update(
        hwm_mb=round(status.get("VmHWM", 0) / 1024, 1),
        peak_threads=status.get("Threads"),
    )
