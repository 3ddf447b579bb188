"""/metrics with several workers: whichever worker answers the scrape counts every worker's
requests (the supervisor's shared metrics directory, omniroute/metrics/shared_files.py), and
the directory goes when the supervisor stops."""

from __future__ import annotations

import glob
import os
import tempfile
import time
from collections import Counter

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_crash_durability import add_openai_account
from tests.e2e.test_workers import WAIT_SECONDS, running_workers
from tests.fake_upstream import FakeUpstream

TEMP = tempfile.gettempdir()
BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


def chat_requests_counted(metrics_text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(metrics_text)
        if family.name == "omniroute_requests"
        for sample in family.samples
        if sample.name == "omniroute_requests_total"
        and sample.labels.get("endpoint") == "chat.completions"
    )


def scrape_each_worker(url: str, workers: set[int]) -> dict[int, float]:
    """Scrape on fresh connections until every worker in `workers` has answered once."""
    counted: dict[int, float] = {}
    deadline = time.monotonic() + WAIT_SECONDS
    while set(counted) < workers:
        assert time.monotonic() < deadline, f"only {set(counted)} answered"
        answer = requests.get(url + "/metrics", timeout=10)
        assert answer.status_code == 200, answer.text
        counted[int(answer.headers["X-Worker"])] = chat_requests_counted(answer.text)
    return counted


def test_every_worker_reports_the_requests_of_all_of_them(tmp_path):
    upstream = FakeUpstream().start()
    try:
        with running_workers(tmp_path, 2, USAGE_FLUSH_SECONDS="0.05") as workers:
            add_openai_account(workers.url, upstream.url)
            time.sleep(1.5)  # the other worker reads the new account within a second
            served: Counter[int] = Counter()
            while len(served) < 2 or served.total() < 30:  # fresh connections spread them
                answer = requests.post(workers.url + "/v1/chat/completions", json=BODY, timeout=30)
                assert answer.status_code == 200, answer.text
                served[int(answer.headers["X-Worker"])] += 1
            total = served.total()
            deadline = time.monotonic() + WAIT_SECONDS
            counted = scrape_each_worker(workers.url, set(served))
            while set(counted.values()) != {total} and time.monotonic() < deadline:
                time.sleep(0.2)  # the writers count a batch when they flush it
                counted = scrape_each_worker(workers.url, set(served))
            assert counted == dict.fromkeys(served, total), (served, counted)
            ours = {
                os.path.dirname(path)
                for pid in served
                for path in glob.glob(
                    os.path.join(TEMP, "omniroute-metrics-*", f"counter_{pid}.db")
                )
            }
            assert len(ours) == 1  # both workers' counters in the supervisor's one directory
            assert workers.stop() == 0
        assert not os.path.exists(ours.pop())  # removed when the supervisor stopped
    finally:
        upstream.stop()
