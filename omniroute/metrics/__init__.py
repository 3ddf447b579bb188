"""GET /metrics: the gateway's figures in the Prometheus text format (prometheus-client renders
it and does the histograms' bucket maths).

Counted from the usage rows, on the usage writer's thread (usage_metrics.py; nothing is added
to the request path):
    omniroute_requests_total{endpoint,format,status}         requests the pipeline answered
    omniroute_errors_total{kind}                             failed requests, by kind
    omniroute_request_duration_seconds{provider}             latency histogram (5 ms – 120 s)
    omniroute_time_to_first_token_seconds{provider}          streams: time to the first token
    omniroute_tokens_total{provider,model,kind}              input, output, cache_read, …
    omniroute_cost_usd_total{provider,model}                 what the requests cost
Counted at the client API's edge, on refusal only:
    omniroute_refused_requests_total{status}                 refused before the pipeline
Read when scraped (live.py), from the state the gateway keeps in memory:
    omniroute_breaker_state{provider,state}                  1 for the breaker's state
    omniroute_breaker_retry_seconds{provider}                until an open breaker probes
    omniroute_account_cooldown_seconds{provider,account_id,account}
    omniroute_quota_used_ratio{provider,account_id,account,window}  subscription accounts
    omniroute_quota_resets_timestamp_seconds{…,window}, omniroute_quota_exhausted{…}
    omniroute_usage_queue_depth, omniroute_usage_rows_written_total,
    omniroute_usage_dead_letters_total, omniroute_in_flight_requests,
    omniroute_admission_refusals_total

With several workers (WEB_CONCURRENCY), the counted figures are every worker's, merged through
the supervisor's shared directory (shared_files.py); the figures read when scraped are the
answering worker's.

Who may scrape (access.py): with METRICS_TOKEN set, callers sending it as a Bearer token (401
otherwise); unset, loopback callers only unless METRICS_PUBLIC is true (403 otherwise).
"""
