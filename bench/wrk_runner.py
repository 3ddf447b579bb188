"""Maximum throughput with wrk: a Lua script posts the JSON body on every keep-alive request.

wrk runs as a child process (`wrk -t2 -c64 -d10s --latency -s post.lua URL`); its text report
is parsed into requests/s, latency percentiles and error counts. The CPU time the watched
process (the gateway or the fake upstream) used during the run is measured from /proc.
wrk is found on PATH (`make bench` installs Debian's package when it is missing); without it
the throughput rows are left empty and the bench says why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from bench import config
from bench.processes import Children, cpu_seconds

WRK_MISSING = (
    "wrk is not installed, so throughput is not measured: install it with "
    "`apt-get install wrk` (`make bench` does so when it runs as root or with sudo)"
)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def lua_script(body: bytes) -> str:
    text = body.decode()
    assert "]==]" not in text
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [==[{text}]==]\n"
    )


def parse_wrk(output: str) -> dict:
    result: dict = {}
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    result["rps"] = float(match.group(1)) if match else None
    match = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    result["requests"] = int(match.group(1)) if match else None
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx"] = int(match.group(1)) if match else 0
    match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    kinds = ("connect", "read", "write", "timeout")
    detail = dict(zip(kinds, map(int, match.groups()), strict=True)) if match else {}
    result["socket_errors"] = sum(detail.values())
    result["socket_errors_by_kind"] = detail  # wrk counts a reply slower than 2 s as a timeout
    latency = {}
    for pct, value, unit in re.findall(
        r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M
    ):
        latency[f"p{pct}"] = round(float(value) * UNIT_MS[unit], 3)
    result["latency_ms"] = latency
    return result


def run_wrk(children: Children, port: int, body: bytes, work_dir: str, watch_pid: int) -> dict:
    """Run wrk against 127.0.0.1:port; `watch_pid`'s CPU use is reported per request."""
    wrk = shutil.which("wrk")
    if wrk is None:
        print(f"bench: {WRK_MISSING}", file=sys.stderr, flush=True)
        return {"rps": None, "requests": None, "latency_ms": {}, "error": WRK_MISSING}
    script = os.path.join(work_dir, f"post-{port}.lua")
    with open(script, "w", encoding="utf-8") as handle:
        handle.write(lua_script(body))
    args = [
        wrk,
        f"-t{config.WRK_THREADS}",
        f"-c{config.WRK_CONNECTIONS}",
        f"-d{config.WRK_SECONDS}s",
        "--latency",
        "-s",
        script,
        f"http://{config.HOST}:{port}{config.CHAT_PATH}",
    ]
    cpu_before = cpu_seconds(watch_pid)
    proc = children.spawn(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output, _ = proc.communicate(timeout=config.WRK_SECONDS + 30)
    finally:
        children.stop(proc)
    cpu_used = cpu_seconds(watch_pid) - cpu_before
    result = parse_wrk(output.decode(errors="replace"))
    result["server_cpu_s"] = round(cpu_used, 2)
    if result["requests"]:
        result["server_cpu_ms_per_request"] = round(cpu_used * 1000 / result["requests"], 3)
        result["rps_per_server_core"] = round(result["requests"] / max(cpu_used, 1e-9), 1)
    if result["rps"] is None:
        result["raw_output"] = output.decode(errors="replace")[-2000:]
    return result
