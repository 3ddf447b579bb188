"""Prompt-cache statistics (Settings → AI and Health): for each provider and model, how much of
the prompts the provider read from its own prompt cache and wrote to it, from the hourly usage
rollups of the last WINDOW_DAYS days.

The hit rate is cached-read tokens over prompt tokens (`Usage.input_tokens` counts the whole
prompt, cached tokens included). Answers given again from the gateway's own response cache or
idempotency table reached no provider: their rows carry no tokens, so they count as requests
but change no rate. One grouped query over the rollups; nothing here reads usage rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..clock import utcnow
from .usage_rollups import hour_of
from .usage_totals import UsageTotals, breakdown, total_of, usage_groups

WINDOW_DAYS = 7
MAX_MODELS = 20


@dataclass(frozen=True)
class PromptCacheLine:
    provider: str
    model: str
    totals: UsageTotals

    @property
    def hit_rate(self) -> float:
        prompt = self.totals.prompt_tokens
        return min(1.0, self.totals.cache_read_tokens / prompt) if prompt else 0.0

    def as_json(self) -> dict:
        return {
            "provider": self.provider,
            "model": self.model,
            "requests": self.totals.requests,
            "promptTokens": self.totals.prompt_tokens,
            "cacheReadTokens": self.totals.cache_read_tokens,
            "cacheWriteTokens": self.totals.cache_write_tokens,
            "hitRate": round(self.hit_rate, 4),
        }


@dataclass(frozen=True)
class PromptCacheStats:
    days: int
    total: PromptCacheLine
    models: list[PromptCacheLine]  # the MAX_MODELS with the most cached reads, then prompt

    def as_json(self) -> dict:
        return {
            "windowDays": self.days,
            "total": self.total.as_json(),
            "models": [line.as_json() for line in self.models],
        }


def prompt_cache_stats(now: dt.datetime | None = None) -> PromptCacheStats:
    end = hour_of(now or utcnow()) + dt.timedelta(hours=1)
    groups = usage_groups(end - dt.timedelta(days=WINDOW_DAYS), end)
    groups = [group for group in groups if group.provider]
    lines = [
        PromptCacheLine(provider, model, totals)
        for (provider, model), totals in breakdown(groups, "model")
        if totals.prompt_tokens
    ]
    lines.sort(key=lambda line: (-line.totals.cache_read_tokens, -line.totals.prompt_tokens))
    total = PromptCacheLine("", "", total_of(groups))
    return PromptCacheStats(WINDOW_DAYS, total, lines[:MAX_MODELS])
