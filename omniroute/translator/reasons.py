"""Why a change in a translation happened, in words, for the playground's diff.

`explain()` picks the most specific reason it knows for a diff entry (by the key involved and the
formats), else a general one. Reasons follow the wire-format modules' own documentation.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from ..formats.registry import FORMATS
from .diff import Change, general, last_key, normalized_key

FORMAT_LABELS = {name: wire.label for name, wire in FORMATS.items()}
ID_KEYS = {"id", "toolcallid", "callid", "tooluseid"}
THINKING_KEYS = {"thinking", "reasoningcontent", "thought", "reasoning", "encryptedcontent"}
SIGNING_FORMATS = {"anthropic", "gemini"}  # their requests carry thinking signatures


def label(fmt: str) -> str:
    return str(FORMAT_LABELS.get(fmt, fmt))


def explain(item: Change, source: str, target: str) -> str:
    path = item.source if item.change != "added" else item.target
    key = normalized_key(last_key(path or ()))
    names = {"source": label(source), "target": label(target)}
    if item.change == "dropped":
        return _dropped(key, target, item, names)
    if item.change == "added":
        return _added(key, target, names)
    return _moved(item, key, names)


def _dropped(key: str, target: str, item: Change, names: dict) -> str:
    if target == "gemini" and key == "model" and len(item.source or ()) == 1:
        return _("Gemini names the model in the URL (/v1beta/models/{model}:generateContent).")
    if target == "gemini" and key == "stream" and len(item.source or ()) == 1:
        return _("Gemini chooses streaming by the URL (:streamGenerateContent?alt=sse).")
    if key in {"signature", "thoughtsignature"} and target in SIGNING_FORMATS:
        return _(
            "A thinking signature goes back only to the provider that issued it; %(target)s "
            "gets the reasoning text where it can take it.",
            **names,
        )
    if key in {"signature", "thoughtsignature"}:
        return _(
            "%(target)s has no thinking signatures; the reasoning text stays where it can.", **names
        )
    if key in THINKING_KEYS and target == "responses":
        return _(
            "%(target)s takes back only its own encrypted reasoning; reasoning written by "
            "another format is not sent.",
            **names,
        )
    if key in THINKING_KEYS:
        return _("%(target)s has no place for this reasoning.", **names)
    if key == "cachecontrol":
        return _("Only Anthropic Messages carries cache_control; other formats cache on their own.")
    if key in ID_KEYS and target == "gemini":
        return _(
            "Gemini matches tool results to calls by name; ids are sent only when the "
            "client sent them."
        )
    if key in {"streamoptions", "includeusage"}:
        return _("%(target)s reports usage in the stream without being asked.", **names)
    return _(
        "%(target)s has no field for this: fields without an equivalent are not forwarded "
        "across formats.",
        **names,
    )


def _added(key: str, target: str, names: dict) -> str:
    if target == "anthropic" and key == "maxtokens":
        return _("Anthropic requires max_tokens: 4096 when the request sets none.")
    if key in {"streamoptions", "includeusage"}:
        return _("Asks the provider for token usage in the stream, so usage can be recorded.")
    if key in ID_KEYS:
        return _("%(target)s needs an id here; the gateway makes one up.", **names)
    if key in {"thinkingconfig", "thinking", "budgettokens", "thinkingbudget"}:
        return _("%(target)s spells the reasoning effort as a thinking budget.", **names)
    return _("%(target)s expects this field; the gateway fills it in.", **names)


def _moved(item: Change, key: str, names: dict) -> str:
    source_value, target_value = item.source_value, item.target_value
    if isinstance(source_value, str) and isinstance(target_value, dict | list):
        return _("JSON text in %(source)s becomes an object in %(target)s.", **names)
    if isinstance(source_value, dict | list) and isinstance(target_value, str):
        return _("An object in %(source)s becomes JSON text in %(target)s.", **names)
    if _joined(source_value, target_value):
        return _(
            "%(target)s joins it with other text at %(path)s.", path=general(item.target), **names
        )
    if key in {"system", "instructions", "systeminstruction"} or _is_system(item):
        return _(
            "%(target)s keeps the system prompt at %(path)s.", path=general(item.target), **names
        )
    if source_value != target_value and not isinstance(source_value, dict | list):
        return _(
            "%(target)s says %(new)s where %(source)s says %(old)s.",
            new=_short(target_value),
            old=_short(source_value),
            **names,
        )
    if item.change == "renamed":
        return _("%(target)s calls it “%(key)s”.", key=last_key(item.target or ()), **names)
    return _("The same value, at another place in %(target)s.", **names)


def _joined(source_value: Any, target_value: Any) -> bool:
    return (
        isinstance(source_value, str)
        and isinstance(target_value, str)
        and source_value != target_value
        and source_value in target_value
        and any(ch.isspace() for ch in source_value)
    )


def _is_system(item: Change) -> bool:
    target = general(item.target)
    return target.startswith(("system", "instructions", "systemInstruction"))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"
