"""Examples for the playground: the bench cases written in each format, and the real requests
Claude Code, Codex and the SDKs sent (../shared/fixtures/clients/*.json next to the project).

An example id is "case:<case id>:<format>" or "fixture:<file stem>:<index>"; `load()` gives its
format, kind and text. A fixture file that is missing or unreadable is simply not listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..formats.registry import FORMATS
from .bench import write
from .bench_cases import CASE_BY_ID
from .reasons import label

PROJECT_PARENT = Path(__file__).absolute().parents[3]  # the folder holding the checkout
FIXTURES_DIR = PROJECT_PARENT / "shared" / "fixtures" / "clients"
# the plain client paths (not a rule with a placeholder) and the format served there
FORMAT_BY_PATH = {
    path: name for name, wire in FORMATS.items() for path in wire.client_paths if "<" not in path
}
EXAMPLE_CASES = (
    "text",
    "tools",
    "thinking",
    "image",
    "answer-usage",
    "answer-tool-call",
    "answer-usage-stream",
    "answer-thinking-stream",
)
FORMAT_ORDER = tuple(FORMATS)


@dataclass(frozen=True)
class Example:
    id: str
    label: str
    format: str
    kind: str


def list_examples() -> list[Example]:
    """Every example, built-in cases first (grouped by format), then the captured clients."""
    found = [
        Example(
            f"case:{case_id}:{fmt}",
            f"{label(fmt)} · {CASE_BY_ID[case_id].title}",
            fmt,
            CASE_BY_ID[case_id].kind,
        )
        for fmt in FORMAT_ORDER
        for case_id in EXAMPLE_CASES
    ]
    for path, index, entry in _fixture_entries():
        fmt = FORMAT_BY_PATH[entry["path"].split("?")[0]]
        summary = _summary(entry["body"])
        found.append(
            Example(
                f"fixture:{path.stem}:{index}",
                f"{path.stem} #{index + 1} · {summary}",
                fmt,
                "request",
            )
        )
    return found


def load(example_id: str) -> tuple[str, str, str] | None:
    """(format, kind, text) of an example, or None when there is no such example."""
    source, _, rest = example_id.partition(":")
    if source == "case":
        case_id, _, fmt = rest.rpartition(":")
        case = CASE_BY_ID.get(case_id)
        if case is None or fmt not in FORMAT_ORDER:
            return None
        return fmt, case.kind, write(case, fmt)
    if source == "fixture":
        for path, index, entry in _fixture_entries():
            if f"{path.stem}:{index}" == rest:
                fmt = FORMAT_BY_PATH[entry["path"].split("?")[0]]
                return fmt, "request", json.dumps(entry["body"], indent=2, ensure_ascii=False)
    return None


def _fixture_entries():
    if not FIXTURES_DIR.is_dir():
        return
    for path in sorted(FIXTURES_DIR.glob("*.json")):
        try:
            entries = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            route = str(entry.get("path", "")).split("?")[0] if isinstance(entry, dict) else ""
            if route in FORMAT_BY_PATH and isinstance(entry.get("body"), dict):
                yield path, index, entry


def _summary(body: dict) -> str:
    messages = body.get("messages") or body.get("input") or []
    tools = body.get("tools") or []
    return f"{body.get('model', '?')}, {len(messages)} msg, {len(tools)} tools"
