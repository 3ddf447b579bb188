"""`make bench`: OmniRoute's benchmark, run with `python -m bench.run`.

The fake upstream (bench.upstream_server), the gateway (`python app.py`, a fresh DATA_DIR) and
the load generators (bench.loadgen, wrk) each run as their own process on 127.0.0.1. Every
figure is printed side by side for a direct call to the fake upstream and the same call through
the gateway; "added" is gateway minus direct. Targets are shown as PASS/MISS, never asserted.

1. latency p50/p99 at a fixed 200 req/s, open loop, keep-alive, paths alternating every second;
2. max throughput with wrk (-t2 -c64, 10 s), plus the server's CPU time per request;
3. stream time to first event, and per-chunk added delay from direct/gateway stream pairs:
   (gateway_k - gateway_0) - (direct_k - direct_0) for every event k of 20 pieces 50 ms apart;
4. 1,000 concurrent 5-second streams held at once, counting errors;
5. the gateway's RSS idle and its peak while the 1,000 streams are open;
6. start-up: spawn to the first 200 from GET /health, best of 3, on a data dir already set up
   (a restart) and on a fresh one (the first start, with its migrations and password hash);
   idle RSS before and after the first dashboard page;
7. translated paths (issue 3, bench.translated): Claude Code's first request as Anthropic
   Messages through the gateway to the OpenAI provider, against the same conversation as OpenAI
   Chat passthrough and direct: first event, per-chunk delay (matched by text), CPU per stream;
8. routing paths (issue 5, bench.routing_paths): added latency of a plain model, a combo, a combo
   whose first target fails (500, 404) and one whose first target rests (429), with the fallback
   attempts each request reports;
9. fault mix (issue 6, bench.fault_mix): on a gateway of its own, a sustained mix of requests
   and streams through a combo whose accounts fail ~20% of calls in mixed ways, against a
   healthy combo and direct: success rate, errors by kind, latency, fallback attempts;
10. response cache (issue 17, bench.replay_figures): on a gateway of its own, a cache hit (same
    format, and served as an Anthropic stream) and a miss against the plain path and direct;
11. session affinity (issue 17, bench.affinity_figures): in-process, identity + planning + noting
    the answer with affinity off, on without an identity, with X-Session-Id, with Claude Code's
    metadata.user_id and with a full table, against the plain path;
12. two workers (issue 22, bench.workers_figures): WEB_CONCURRENCY=2 on one port, its added
    latency and wrk throughput against the same upstream, and the scaling ratio to one worker.

The machine has two cores shared by all of these processes; the report says how much CPU other
processes took during the run, since that makes every latency figure noisy.
Results: stdout and bench/results/latest.json (git-ignored).
"""
