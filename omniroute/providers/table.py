"""The README's provider table, generated from the catalog (tests/unit/test_readme_tables.py
keeps the README in step): one row per group, each provider with its model-id prefix, and its
API when it is not OpenAI Chat Completions. Discontinued providers are left out."""

from __future__ import annotations

from .catalog import CATALOG
from .spec import GROUPS, ProviderSpec

GROUP_TITLES = {
    "subscription": "Subscriptions",
    "llm": "API-key LLMs",
    "aggregator": "Aggregators",
    "enterprise-cloud": "Enterprise and cloud",
    "image": "Image",
    "video": "Video",
    "embedding-rerank": "Embeddings and rerank",
    "audio": "Audio",
    "search": "Search",
    "local": "Local servers",
}
API_NAMES = {
    "anthropic": "Messages",
    "responses": "Responses",
    "gemini": "Gemini",
    "bedrock": "Converse",
}


def _entry(spec: ProviderSpec) -> str:
    api = API_NAMES.get(spec.wire_format, "" if spec.wire_format == "openai" else "its own API")
    return f"{spec.name} `{spec.prefix}`" + (f" ({api})" if api else "")


def providers_table_markdown() -> str:
    live = [spec for spec in CATALOG if not spec.discontinued]
    lines = [
        f"| Group ({len(live)} providers) | Provider `prefix` (API when not OpenAI Chat) |",
        "| --- | --- |",
    ]
    for group in GROUPS:
        members = sorted((s for s in live if s.group == group), key=lambda s: s.name.lower())
        if members:
            names = ", ".join(_entry(spec) for spec in members)
            lines.append(f"| {GROUP_TITLES.get(group, group)} ({len(members)}) | {names} |")
    return "\n".join(lines)
