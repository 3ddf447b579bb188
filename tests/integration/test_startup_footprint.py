"""What a gateway loads and starts before it serves anything (issue 22, per-worker footprint).

A fresh interpreter builds the app and its waitress server exactly as `python app.py` does
(on 127.0.0.1, port 0, never served) and reports: heavy libraries that only some
configurations need must still be unloaded — botocore (a Bedrock account's first call),
google-auth (Vertex), redis (REDIS_URL), prometheus-client (the first usage batch or
/metrics scrape), apispec (the first request for /api/openapi.json) — and the thread pool
must not have started its THREADS threads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFERRED = ("botocore", "google.auth", "redis", "prometheus_client", "apispec")

PROBE = """
import json, sys
from omniroute import create_app
from omniroute.serving import build_server
from omniroute.settings import load_settings
app = create_app(load_settings())
server = build_server(app)
deferred = sys.argv[1:]
print(json.dumps({
    "modules": sorted(
        name for name in sys.modules
        if any(name == root or name.startswith(root + ".") for root in deferred)
    ),
    "pool_threads": len(server.task_dispatcher.threads),
    "threads_setting": app.extensions["omniroute"].settings["THREADS"],
}))
server.close()
server.task_dispatcher.shutdown(cancel_pending=True, timeout=2)
app.extensions["omniroute"].close()
"""


def probe(tmp_path: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REDIS_", "DATABASE_", "WEB_CONCURRENCY", "OTEL_"))
    }
    env.update(DATA_DIR=str(tmp_path), HOSTNAME="127.0.0.1", PORT="0")
    command = [sys.executable, "-c", PROBE, *DEFERRED]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_serving_does_not_import_what_only_some_configurations_need(tmp_path):
    assert probe(tmp_path)["modules"] == []


def test_the_thread_pool_starts_small_and_keeps_threads_as_its_ceiling(tmp_path):
    report = probe(tmp_path)
    assert 0 < report["pool_threads"] < report["threads_setting"]
