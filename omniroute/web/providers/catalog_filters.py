"""The provider catalog page's rows and filters, done on the server.

The page's filters are plain GET parameters, so the same URL works from the htmx search box,
from the form submitted without JavaScript, and from a bookmark:
- `q`: words that must all appear in a provider's name, id, prefix, note, group or tier;
- `group`: one of GROUPS (what a provider is for); `tier`: one of TIERS (how it is paid);
- `configured=1`: only providers with an account; `free=1`: only those with a free tier.
An unknown group or tier is no filter at all (the page's selects never send one).

Each row carries a monogram (two letters in a circle coloured by one of the chart colours,
chosen from the provider's id) instead of a logo, which would cost a request each.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ...providers.glance import glance
from ...providers.spec import GROUPS, TIERS, ProviderSpec

MAX_QUERY = 100
MONOGRAM_COLOURS = 6  # --chart-1 … --chart-6
TRUE_VALUES = ("1", "on", "true", "yes")

TIER_LABELS = {
    "subscription": _l("Subscription"),
    "api-key": _l("API key"),
    "cheap": _l("Cheap"),
    "free": _l("Free"),
    "local": _l("Local"),
}
GROUP_LABELS = {
    "subscription": _l("Subscriptions"),
    "llm": _l("API-key LLMs"),
    "aggregator": _l("Aggregators"),
    "enterprise-cloud": _l("Enterprise and cloud"),
    "image": _l("Image"),
    "video": _l("Video"),
    "embedding-rerank": _l("Embeddings and rerank"),
    "audio": _l("Audio"),
    "search": _l("Search"),
    "local": _l("Local servers"),
}


@dataclass(frozen=True)
class CatalogFilter:
    query: str = ""
    group: str = ""
    tier: str = ""
    configured: bool = False
    free: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> CatalogFilter:
        group, tier = args.get("group", ""), args.get("tier", "")
        return cls(
            query=" ".join(args.get("q", "").split())[:MAX_QUERY],
            group=group if group in GROUPS else "",
            tier=tier if tier in TIERS else "",
            configured=args.get("configured", "").lower() in TRUE_VALUES,
            free=args.get("free", "").lower() in TRUE_VALUES,
        )

    @property
    def active(self) -> bool:
        return self != CatalogFilter()

    @property
    def configured_view(self) -> bool:
        """Only "configured only" is chosen (the catalog's second view)."""
        return self == CatalogFilter(configured=True)

    def matches(self, row: dict) -> bool:
        spec: ProviderSpec = row["spec"]
        if self.group and spec.group != self.group:
            return False
        if self.tier and spec.tier != self.tier:
            return False
        if self.configured and not row["configured"]:
            return False
        if self.free and not has_free_tier(spec):
            return False
        words = self.query.lower().split()
        return all(word in row["search"] for word in words)


def has_free_tier(spec: ProviderSpec) -> bool:
    return spec.free_tier or spec.tier == "free"


def search_text(spec: ProviderSpec, note: str) -> str:
    """What the search box looks in, lower-cased."""
    parts = (
        spec.name,
        spec.id,
        spec.prefix,
        note,
        str(GROUP_LABELS.get(spec.group, spec.group)),
        spec.group,
        str(TIER_LABELS.get(spec.tier, spec.tier)),
    )
    return " ".join(parts).lower()


WORD = re.compile(r"[^\W_]+")
ASIDE = re.compile(r"\([^)]*\)")  # "xAI (Grok)": the words in brackets are not the name


def monogram(spec: ProviderSpec) -> dict:
    """Two letters for the provider (the initials of its first two words, or of a word and its
    next capital: OpenRouter → OR, xAI (Grok) → XA, Groq → GR) and its colour's number."""
    words = WORD.findall(ASIDE.sub(" ", spec.name)) or WORD.findall(spec.id) or [spec.id]
    if len(words) >= 2:
        letters = words[0][0] + words[1][0]
    else:
        word = words[0]
        capital = next((ch for ch in word[1:] if ch.isupper()), None)
        letters = word[0] + (capital or word[1:2])
    return {
        "letters": letters.upper(),
        "colour": zlib.crc32(spec.id.encode()) % MONOGRAM_COLOURS + 1,
    }


def catalog_rows(
    specs: Iterable[ProviderSpec], configured: set[str], connected: set[str], cost
) -> list[dict]:
    """Every provider's row: its spec, cost cell, glance, monogram, search text, whether it
    has an account (`configured`) and an active one (`connected`)."""
    rows = []
    for spec in specs:
        note = glance(spec.id)
        rows.append(
            {
                "spec": spec,
                "cost": cost(spec),
                "glance": note,
                "monogram": monogram(spec),
                "search": search_text(spec, str(note.get("best_for") or "")),
                "configured": spec.id in configured,
                "connected": spec.id in connected,
                "free_tier": has_free_tier(spec),
            }
        )
    return rows


def sections(rows: list[dict], chosen: CatalogFilter) -> list[tuple[str, str, list[dict]]]:
    """(group, label, rows) for each group with a matching row, in GROUPS order."""
    found = [row for row in rows if chosen.matches(row)]
    return [
        (group, str(GROUP_LABELS[group]), members)
        for group in GROUPS
        if (members := [row for row in found if row["spec"].group == group])
    ]
