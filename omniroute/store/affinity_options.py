"""Session affinity options (routing/affinity.py AffinityOptions), kept as JSON in `app_settings`.

A missing row, a value that is not JSON, or a field of the wrong type or out of range reads as
that field's default, so a hand-edited database never stops the gateway.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from ..routing.affinity import AffinityOptions
from .app_settings import get_app_setting, set_app_setting

AFFINITY_KEY = "affinity"
DEFAULTS = AffinityOptions()


def load_affinity_options() -> AffinityOptions:
    return options_from_json(get_app_setting(AFFINITY_KEY))


def save_affinity_options(options: AffinityOptions) -> None:
    set_app_setting(AFFINITY_KEY, json.dumps(asdict(options)))


def options_from_json(text: str | None) -> AffinityOptions:
    try:
        stored: Any = json.loads(text or "{}")
    except ValueError:
        stored = {}
    if not isinstance(stored, dict):
        stored = {}
    enabled = stored.get("enabled")
    header = stored.get("header")
    max_entries = stored.get("max_entries")
    ttl = stored.get("ttl_seconds")
    return AffinityOptions(
        enabled=enabled if isinstance(enabled, bool) else DEFAULTS.enabled,
        header=header.strip() if isinstance(header, str) else DEFAULTS.header,
        max_entries=(
            max_entries if type(max_entries) is int and max_entries > 0 else DEFAULTS.max_entries
        ),
        ttl_seconds=(float(ttl) if type(ttl) in (int, float) and ttl > 0 else DEFAULTS.ttl_seconds),
    )
