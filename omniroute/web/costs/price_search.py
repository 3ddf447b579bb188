"""Costs → Pricing: each price row named the way the rest of the dashboard names it, and the
rows a search (`?q=`) keeps.

A price is stored under the provider's id (`deepseek`), but the dashboard shows a provider by
its name (DeepSeek) and a model by the id a client sends (`ds/deepseek-chat`, the provider's
prefix): `named` adds both. A provider node's prices are under its prefix, which is its name.
A search keeps the rows where every word appears in the provider's id, name or prefix, or in
the model; an empty search keeps every row.
"""

from __future__ import annotations

from ...providers import PROVIDERS

MAX_QUERY_CHARS = 100


def named(row: dict) -> dict:
    """The row with `providerName` and `modelId` (`<prefix>/<model>`) as the dashboard shows."""
    spec = PROVIDERS.get(row["provider"])
    prefix = spec.prefix if spec is not None else row["provider"]
    return {
        **row,
        "providerName": spec.name if spec is not None else row["provider"],
        "modelId": f"{prefix}/{row['model']}",
    }


def search_words(query: str | None) -> list[str]:
    return (query or "")[:MAX_QUERY_CHARS].lower().split()


def search_text(row: dict) -> str:
    """What a search looks in: provider id, name and model id (with its prefix), lowercased."""
    return " ".join((row["provider"], row["providerName"], row["modelId"])).lower()


def matching(rows: list[dict], query: str | None) -> list[dict]:
    """The named rows in which every word of `query` appears."""
    words = search_words(query)
    return [row for row in rows if all(word in search_text(row) for word in words)]
