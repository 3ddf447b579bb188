"""Request, error, latency, token and cost metrics, counted from usage rows.

The usage writer hands every batch to `UsageMetrics.observe` on its own thread before saving
it (usage/writer.py), so a request thread pays nothing for them; the figures trail the requests
by at most USAGE_FLUSH_SECONDS. Requests refused before the pipeline (no API key, IP rules, an
unknown path, a body too large) make no usage row: the client API's error boundary counts them
with `refused`, on that refusal path only.

Label values are bounded: endpoints, formats and statuses come from the gateway's own code;
providers from the configuration; models too, except through a provider node or a wildcard,
where a client names them: past MAX_MODELS distinct (provider, model) pairs, new ones are
counted under the model "other".
"""

from __future__ import annotations

from collections import Counter as Counter_
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram

# seconds: 5 ms for an answer from the response cache, up to two minutes for a long stream
LATENCY_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0,
)  # fmt: skip
MAX_MODELS = 500
OTHER_MODEL = "other"
NONE = "none"  # a request that never reached a provider
TOKEN_COLUMNS = (
    ("input", "prompt_tokens"),
    ("output", "completion_tokens"),
    ("cache_read", "cache_read_tokens"),
    ("cache_write", "cache_write_tokens"),
    ("reasoning", "reasoning_tokens"),
)
SUMMED_COLUMNS = (*(column for _kind, column in TOKEN_COLUMNS), "cost_usd")
ERROR_KINDS = {
    400: "bad_request",
    401: "authentication",
    402: "budget_exceeded",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "timeout",
    413: "too_large",
    422: "bad_request",
    429: "rate_limited",
    499: "client_closed",
    500: "server_error",
    502: "upstream_failed",
    503: "unavailable",
    504: "timeout",
}


def error_kind(status: int) -> str:
    """The kind of a failed request, from its status (a provider's status is passed on)."""
    return ERROR_KINDS.get(status) or ("client_error" if status < 500 else "server_error")


class UsageMetrics:
    def __init__(self, registry: CollectorRegistry):
        self.requests = Counter(
            "omniroute_requests",
            "Client API requests the pipeline answered (one usage row each), by endpoint, "
            "the client's wire format and status.",
            ("endpoint", "format", "status"),
            registry=registry,
        )
        self.refusals = Counter(
            "omniroute_refused_requests",
            "Client API requests refused before the pipeline (API key, IP rules, unknown path "
            "or method, body too large), by status.",
            ("status",),
            registry=registry,
        )
        self.errors = Counter(
            "omniroute_errors",
            "Failed client API requests (answered or refused), by kind.",
            ("kind",),
            registry=registry,
        )
        self.latency = Histogram(
            "omniroute_request_duration_seconds",
            "Time from the request to the end of its answer, by provider.",
            ("provider",),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.ttft = Histogram(
            "omniroute_time_to_first_token_seconds",
            "Streamed requests: time from the request to the first token, by provider.",
            ("provider",),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.tokens = Counter(
            "omniroute_tokens",
            "Tokens by provider, model and kind (input, output, cache_read, cache_write, "
            "reasoning), as the provider reported them or as estimated.",
            ("provider", "model", "kind"),
            registry=registry,
        )
        self.cost = Counter(
            "omniroute_cost_usd",
            "What the requests cost in US dollars, by provider and model.",
            ("provider", "model"),
            registry=registry,
        )
        # touched by the writer thread only
        self._models: set[tuple[str, str]] = set()
        self._times: dict[str, tuple[Histogram, Histogram]] = {}

    def observe(self, rows: Iterable[dict]) -> None:
        """Count a batch: sums per label set first, then one increment per series (a series'
        `labels()` lookup costs more than the arithmetic; the histograms take every row)."""
        requests: Counter_[tuple[str, str, str]] = Counter_()
        errors: Counter_[str] = Counter_()
        spent: dict[tuple[str, str], list[float]] = {}
        for row in rows:
            status = row.get("status") or 0
            provider = row.get("provider") or NONE
            requests[(row.get("endpoint") or NONE, row.get("format_in") or NONE, str(status))] += 1
            if status >= 400:
                errors[error_kind(status)] += 1
            self._observe_times(row, provider)
            if provider is NONE:
                continue
            model = self._model_label(provider, row.get("model") or NONE)
            sums = spent.get((provider, model))
            if sums is None:
                sums = spent[(provider, model)] = [0.0] * (len(TOKEN_COLUMNS) + 1)
            for index, column in enumerate(SUMMED_COLUMNS):
                sums[index] += row.get(column) or 0
        for labels, count in requests.items():
            self.requests.labels(*labels).inc(count)
        for kind, count in errors.items():
            self.errors.labels(kind).inc(count)
        for (provider, model), sums in spent.items():
            for (kind, _column), amount in zip(TOKEN_COLUMNS, sums, strict=False):
                self.tokens.labels(provider, model, kind).inc(max(0, amount))
            self.cost.labels(provider, model).inc(max(0.0, sums[-1]))

    def refused(self, status: int) -> None:
        self.refusals.labels(str(status)).inc()
        self.errors.labels(error_kind(status)).inc()

    def _observe_times(self, row: dict, provider: str) -> None:
        series = self._times.get(provider)
        if series is None:
            series = self._times[provider] = (
                self.latency.labels(provider),
                self.ttft.labels(provider),
            )
        latency, ttft = row.get("latency_ms"), row.get("ttft_ms")
        if latency is not None:
            series[0].observe(latency / 1000.0)
        if ttft is not None and row.get("stream"):
            series[1].observe(ttft / 1000.0)

    def _model_label(self, provider: str, model: str) -> str:
        pair = (provider, model)
        if pair in self._models:
            return model
        if len(self._models) >= MAX_MODELS:
            return OTHER_MODEL
        self._models.add(pair)
        return model
