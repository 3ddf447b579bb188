"""`python -m bench.run` (`make bench`): run every scenario and print the side-by-side table.

Order: start-up (three fresh gateways); then one fake-upstream process and one gateway process
(`python app.py`), connected through the management API; idle RSS; fixed-rate latency; stream
timing; translated paths (bench.translated); routing paths (bench.routing_paths); wrk
throughput; 1,000 held streams with the gateway's RSS sampled; the fault mix
(bench.fault_mix) on a gateway of its own; last the Usage and Costs pages over 1,000,000 usage
rows (bench.usage_pages), on another. Each load scenario
measures the direct and the gateway path from a separate load-generator process (see
bench.scenarios). Results go to stdout and bench/results/latest.json; every child process is
stopped on exit, on Ctrl-C and on errors.
"""

from __future__ import annotations

import datetime
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata

from bench import (
    affinity_figures,
    config,
    fault_mix,
    replay_figures,
    routing_paths,
    translated,
    usage_pages,
    workers_figures,
)
from bench.machine import CpuAccount, cpu_speed_ms, foreign_load_now
from bench.management import check_chat, connect_gateway, open_dashboard
from bench.processes import (
    Children,
    free_port,
    proc_status,
    rss_mb,
    spawn_gateway,
    spawn_upstream,
    start_gateway,
    tail,
    wait_for_health,
)
from bench.report import render_meta, render_table, render_warnings, write_json
from bench.scenarios import run_fault_mix, run_scenarios, run_usage_pages, say
from omniroute.settings import SETTINGS_BY_NAME

IDLE_SETTLE_SECONDS = 1.0  # after set-up, before the idle RSS reading


def _stop_on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=config.ROOT, capture_output=True, text=True, timeout=10
    ).stdout.strip()


def source_revision() -> str:
    """The commit measured, marked "+dirty" when the gateway's code has uncommitted changes."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--", "omniroute", "app.py", "requirements.txt")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + ("+dirty" if dirty else "")


def meta() -> dict:
    return {
        "revision": source_revision(),
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


def compile_bytecode() -> None:
    """Compile the gateway's modules as an installed copy has them (pip compiles packages, the
    container image compiles the app), so start-up is not timed compiling sources."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "app.py", "omniroute"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def time_to_health(children: Children, data_dir: str, log: str) -> float | None:
    """Spawn a gateway on `data_dir` and stop it at its first 200 from GET /health: seconds."""
    port = free_port()
    started = time.perf_counter()
    proc = spawn_gateway(children, data_dir, port, log)
    ok = wait_for_health(proc, port, config.STARTUP_TIMEOUT_SECONDS)
    elapsed = time.perf_counter() - started
    children.stop(proc)
    if not ok:
        say(f"start-up on {data_dir} failed; log: {tail(log)}")
    return round(elapsed, 3) if ok else None


def summary(runs: list[float | None]) -> dict:
    valid = [value for value in runs if value is not None]
    return {
        "runs_s": runs,
        "best_s": min(valid) if valid else None,
        "median_s": statistics.median(valid) if valid else None,
    }


def measure_startup(children: Children, work: str) -> dict:
    """Spawn → first 200 from GET /health, N times: a first start on a fresh data dir (which
    also runs the migrations and hashes the password) and a restart on that data dir (what a
    worker restart, a reload or a reboot does); best and median of each."""
    first, again = [], []
    for run in range(config.STARTUP_RUNS):
        data_dir = os.path.join(work, f"startup-{run}")
        log = data_dir + ".log"
        first.append(time_to_health(children, data_dir, log))
        again.append(time_to_health(children, data_dir, log))
    return {**summary(again), "first_start": summary(first)}


def run_all(children: Children, work: str, results: dict) -> None:
    compile_bytecode()
    say(f"start-up, {config.STARTUP_RUNS} first starts on fresh data dirs and restarts")
    results["startup"] = measure_startup(children, work)
    upstream, upstream_port = spawn_upstream(children, os.path.join(work, "upstream.log"))
    gateway, gateway_port, gateway_log = start_gateway(children, work, "gateway")
    connect_gateway(gateway_port, config.upstream_url(upstream_port))
    # started again, as a worker is: it has served no dashboard page (which builds the dashboard)
    children.stop(gateway)
    gateway, gateway_port, gateway_log = start_gateway(children, work, "gateway")
    check_chat(gateway_port)
    time.sleep(IDLE_SETTLE_SECONDS)
    results["rss"] = {
        "idle_mb": rss_mb(gateway.pid),
        "idle_threads": proc_status(gateway.pid).get("Threads"),
    }
    open_dashboard(gateway_port)
    time.sleep(IDLE_SETTLE_SECONDS)
    results["rss"]["idle_dashboard_mb"] = rss_mb(gateway.pid)
    ports = {"direct": upstream_port, "gateway": gateway_port}
    pids = {"direct": upstream.pid, "gateway": gateway.pid}
    try:
        run_scenarios(children, work, ports, pids, results)
    finally:
        if gateway.poll() is not None:
            say(f"the gateway exited with {gateway.returncode}; log: {tail(gateway_log)}")
    time.sleep(IDLE_SETTLE_SECONDS)
    results["rss"]["after_load_mb"] = rss_mb(gateway.pid)
    results["rss"]["upstream_after_load_mb"] = rss_mb(upstream.pid)
    children.stop(gateway)  # the two-worker gateway gets the cores the one-worker run had
    results["two_workers"] = workers_figures.measure(children, work, upstream_port)
    results["fault_mix"] = run_fault_mix(children, work, upstream_port)
    results["usage_pages"] = run_usage_pages(children, work)
    say("response cache: hit and miss against the plain path and direct")
    results["replay"] = replay_figures.measure()
    say("session affinity, in-process")
    results["affinity"] = affinity_figures.measure()


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    started = time.monotonic()
    results: dict = {"meta": meta(), "targets": config.TARGETS}
    results["meta"]["foreign_cpu_before"] = round(foreign_load_now(1.0), 3)
    results["meta"]["cpu_speed_ms_before"] = cpu_speed_ms()
    account = CpuAccount.now()
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
    results["meta"]["foreign_cpu_during"] = round(CpuAccount.now().foreign_share_since(account), 3)
    results["meta"]["cpu_speed_ms_after"] = cpu_speed_ms()
    results["meta"]["seconds"] = round(time.monotonic() - started, 1)
    print()
    print(render_meta(results))
    print(render_table(results))
    scenarios = (
        translated,
        routing_paths,
        fault_mix,
        usage_pages,
        replay_figures,
        affinity_figures,
    )
    for scenario in scenarios:
        print()
        print(scenario.render_table(results))
    print(render_warnings(results))
    print(f"(total {results['meta']['seconds']} s; JSON in {os.path.relpath(config.RESULTS_PATH)})")
    write_json(results, config.RESULTS_PATH)
    return code


if __name__ == "__main__":
    sys.exit(main())
