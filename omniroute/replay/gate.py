"""ReplayGate: what the pipeline asks before it calls a provider — has this been answered?

    request ──► Idempotency-Key / X-Request-Id? ──► first: answer (below), keep it if it succeeds
                │                                   repeat: the kept answer (X-OmniRoute-Idempotent)
                │                                   concurrent: wait for the first's answer
                ▼
    cacheable? (cache on, no `X-OmniRoute-No-Cache: true`, `temperature: 0`, not streamed unless
                `cache_streams`)
        no  ──► the pipeline, untouched
        yes ──► HIT: the cached answer in the caller's format, $0, the saving recorded
                MISS: the pipeline; its answer read back and cached when it succeeded

Every cacheable answer carries `X-OmniRoute-Cache: HIT|MISS`. With the cache off and no request
id the gate costs one options read and two header lookups; the Translation the gate makes is
handed to the pipeline, so no body is parsed twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from ..errors import GatewayError
from ..proxy.callbacks import CheckModel
from ..proxy.reply import JSON_HEADERS, SSE_HEADERS, Reply
from ..proxy.translation import ClientCall, Translation
from ..store.replay_options import DEFAULT_REPLAY_OPTIONS, ReplayOptions
from ..usage.accounting import Accounting
from ..usage.request_log import Capture
from ..usage.trace import RequestTrace
from .cache_key import request_key
from .client_answers import answer_of_body, answer_of_stream, replayed_body, teed
from .idempotency import Claim, IdempotencyTable, KeptReply, idempotency_key
from .response_cache import CachedAnswer, ResponseCache
from .served import CACHE, IDEMPOTENT, answer_cost, served_trace

NO_CACHE_HEADER = "X-OmniRoute-No-Cache"
CACHE_HEADER = "X-OmniRoute-Cache"
IDEMPOTENT_HEADER = "X-OmniRoute-Idempotent"
WAIT_LIMIT_SECONDS = 600.0  # a duplicate waits this long at most for the first's answer
TRUE_VALUES = ("true", "1", "yes")


class Answering(Protocol):
    """What the gate asks of the pipeline (proxy/pipeline.py)."""

    accounting: Accounting
    request_logs: bool
    check_model: CheckModel

    def translation_of(self, call: ClientCall) -> Translation: ...

    def answer(self, call: ClientCall, prepared: Translation | None = None) -> Reply: ...

    def record(self, trace: RequestTrace) -> None: ...


class OptionsSource(Protocol):
    def snapshot(self) -> ReplayOptions: ...

    def invalidate(self) -> None: ...


class ReplayGate:
    def __init__(self, options: OptionsSource, clock: Callable[[], float] = time.monotonic):
        self.options = options  # Settings → AI; invalidate() after saving them
        defaults = DEFAULT_REPLAY_OPTIONS
        self.cache = ResponseCache(
            defaults.max_entries, defaults.max_bytes, defaults.ttl_seconds, clock
        )
        self.idempotency = IdempotencyTable(
            defaults.idempotency_window_seconds, defaults.max_entries, defaults.max_bytes, clock
        )
        self._applied: ReplayOptions | None = None

    def invalidate(self) -> None:
        """The stored options changed (Settings → AI): read them again on the next request."""
        self.options.invalidate()

    def stats(self) -> dict[str, dict[str, Any]]:
        """The response cache and the idempotency table: entries, bytes, hits, misses, hit rate."""
        return {"cache": self.cache.stats(), "idempotency": self.idempotency.stats()}

    def handle(self, call: ClientCall, pipeline: Answering) -> Reply:
        options = self._current_options()
        request_id = (
            idempotency_key(call.headers) if options.idempotency_window_seconds > 0 else None
        )
        if request_id is not None:
            return self._idempotent(call, pipeline, options, request_id)
        if options.cache_enabled:
            return self._cached(call, pipeline, options)
        return pipeline.answer(call)

    def _current_options(self) -> ReplayOptions:
        options = self.options.snapshot()
        if options is not self._applied:
            self._applied = options
            self.cache.resize(options.max_entries, options.max_bytes, options.ttl_seconds)
            self.idempotency.resize(
                options.idempotency_window_seconds, options.max_entries, options.max_bytes
            )
            if not options.cache_enabled:
                self.cache.clear()
        return options

    # -- the response cache ---------------------------------------------------------------

    def _cached(self, call: ClientCall, pipeline: Answering, options: ReplayOptions) -> Reply:
        if call.headers is not None and _is_true(call.headers.get(NO_CACHE_HEADER)):
            return pipeline.answer(call)
        try:
            translation = pipeline.translation_of(call)
        except GatewayError:
            return pipeline.answer(call)  # a bad body: the pipeline's error, in the caller's shape
        key = _cache_key(translation, options)
        if key is None:
            return pipeline.answer(call, translation)
        cached = self.cache.get(key)
        if cached is not None and _may_use(pipeline, call, translation.model):
            return self._hit(call, translation, cached, pipeline)
        reply = pipeline.answer(call, translation)
        reply.headers[CACHE_HEADER] = "skipped" if self.cache.skipped else "MISS"
        if reply.status < 400:
            self._fill(key, call.wire_format, reply, pipeline)
        return reply

    def _hit(
        self, call: ClientCall, translation: Translation, cached: CachedAnswer, pipeline: Answering
    ) -> Reply:
        request = translation.canonical()
        trace = served_trace(call, CACHE, cached.provider, cached.model, cached.cost_usd)
        trace.requested_model, trace.stream = translation.model, translation.stream
        body = replayed_body(call.wire_format, cached.response, request)
        _record(pipeline, trace, call, body)
        headers = dict(SSE_HEADERS if request.stream else JSON_HEADERS)
        headers[CACHE_HEADER] = "HIT"
        if cached.provider is not None and cached.model is not None:
            headers["X-OmniRoute-Provider"], headers["X-OmniRoute-Model"] = (
                cached.provider,
                cached.model,
            )
        return Reply(200, body, headers, trace=trace)

    def _fill(self, key: str, wire_format: str, reply: Reply, pipeline: Answering) -> None:
        """Cache the answer `reply` carries once it is whole (a stream: once it ended well)."""
        trace = reply.trace

        def store(response, size: int) -> None:
            if response is not None and trace is not None and trace.status < 400:
                cost = answer_cost(trace, pipeline.accounting)
                self.cache.put(key, CachedAnswer(response, trace.provider, trace.model, cost, size))

        if isinstance(reply.body, bytes):
            store(answer_of_body(wire_format, reply.body), len(reply.body))
            return

        def on_end(data: bytes | None) -> None:
            if data is not None:
                store(answer_of_stream(wire_format, data), len(data))

        reply.body = teed(reply.body, on_end)

    # -- idempotency ----------------------------------------------------------------------

    def _idempotent(
        self, call: ClientCall, pipeline: Answering, options: ReplayOptions, request_id: str
    ) -> Reply:
        claim = self.idempotency.claim((call.api_key_id, call.endpoint, request_id))
        kept = claim.kept
        if kept is None and not claim.first:
            kept = self.idempotency.wait(claim, WAIT_LIMIT_SECONDS)
            if kept is None:  # the first call failed: this one makes its own
                return self._answered(call, pipeline, options)
        if kept is not None:
            if _may_use(pipeline, call, kept.requested_model):
                return self._replayed(call, kept, pipeline)
            return pipeline.answer(call)  # the key may no longer use the model: refused there
        try:
            reply = self._answered(call, pipeline, options)
        except BaseException:
            self.idempotency.drop(claim)
            raise
        if claim.skipped:
            reply.headers[IDEMPOTENT_HEADER] = "skipped"  # the shared store did not answer
        return self._kept(claim, reply, pipeline)

    def _answered(self, call: ClientCall, pipeline: Answering, options: ReplayOptions) -> Reply:
        if options.cache_enabled:
            return self._cached(call, pipeline, options)
        return pipeline.answer(call)

    def _kept(self, claim: Claim, reply: Reply, pipeline: Answering) -> Reply:
        """Keep the first answer for repeats (a stream once it ended well); drop a failure."""
        table, trace = self.idempotency, reply.trace
        if reply.status >= 400:
            table.drop(claim)
            return reply

        def keep(body: bytes | None) -> None:
            if body is None or (trace is not None and trace.status >= 400):
                table.drop(claim)
                return
            cost = answer_cost(trace, pipeline.accounting)
            table.keep(claim, _kept_reply(reply, body, trace, cost))

        if isinstance(reply.body, bytes):
            keep(reply.body)
        else:
            reply.body = teed(reply.body, keep)
        return reply

    @staticmethod
    def _replayed(call: ClientCall, kept: KeptReply, pipeline: Answering) -> Reply:
        trace = served_trace(call, IDEMPOTENT, kept.provider, kept.model, kept.cost_usd)
        trace.requested_model, trace.stream = kept.requested_model, kept.stream
        _record(pipeline, trace, call, kept.body)
        headers = {**kept.headers, IDEMPOTENT_HEADER: "true"}
        return Reply(kept.status, kept.body, headers, trace=trace)


def _cache_key(translation: Translation, options: ReplayOptions) -> str | None:
    """The cache key of a deterministic request (explicit temperature 0; streamed only with
    `cache_streams`), or None for a request the cache leaves alone. The body is peeked first, so
    a request that is not cacheable is not parsed here."""
    if translation.stream and not options.cache_streams:
        return None
    if not _asks_temperature_zero(translation.body):
        return None
    try:
        request = translation.canonical()
    except GatewayError:
        return None  # the pipeline answers the bad body
    if request.temperature != 0:  # Settings → AI may have changed it
        return None
    return request_key(request, translation.call.api_key_id)


def _asks_temperature_zero(body: Any) -> bool:
    """The body sets temperature 0, in any format's spelling (Gemini: generationConfig)."""
    if not isinstance(body, dict):
        return False
    config = body.get("generationConfig")
    temperature = body.get("temperature")
    if temperature is None and isinstance(config, dict):
        temperature = config.get("temperature")
    return type(temperature) in (int, float) and temperature == 0


def _may_use(pipeline: Answering, call: ClientCall, model: str | None) -> bool:
    """The caller's API key may (still) use `model`: an answer given again is refused, as a
    call would be, when its key was limited to other models since."""
    grant = call.grant
    if grant is None or not grant.allowed_models:
        return True
    try:
        pipeline.check_model(grant, model or "")
    except GatewayError:
        return False
    return True


def _record(pipeline: Answering, trace: RequestTrace, call: ClientCall, body: bytes) -> None:
    """Queue the usage row of an answer given again (and its request log, when kept)."""
    if pipeline.request_logs:
        trace.capture = Capture(call.raw, call.headers)
        trace.capture.add(body)
    pipeline.record(trace)


def _kept_reply(reply: Reply, body: bytes, trace: RequestTrace | None, cost: float) -> KeptReply:
    """The first answer to a request id, as a repeat gets it (not marked as a cache MISS)."""
    headers = {name: value for name, value in reply.headers.items() if name != CACHE_HEADER}
    if trace is None:
        return KeptReply(reply.status, headers, body, cost_usd=cost)
    return KeptReply(
        reply.status,
        headers,
        body,
        trace.provider,
        trace.model,
        cost,
        trace.requested_model,
        trace.stream,
    )


def _is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in TRUE_VALUES
