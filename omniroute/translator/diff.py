"""A readable diff between a body in one wire format and its translation in another.

The two bodies have different shapes, so a plain JSON diff says nothing useful. Instead every
value of the source is looked for in the target: a whole subtree found unchanged elsewhere is
"restructured" (or "renamed" when only its key changed), a scalar found under a key of the same
meaning with another value is "renamed" with the value mapping (finish_reason "stop" → stop_reason
"end_turn"); what is found nowhere is "dropped", and what the target has that the source did not
is "added". Paths are generalised (`messages[*].content`) and equal changes are counted once.
Discriminators (`type`, `role`, `object`) are structure, not content, and are never reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
DISCRIMINATORS = frozenset({"type", "role", "object"})
MAX_GROUPS = 300
# Keys that mean the same thing across formats (compared lower-case, without _ and -).
ALIAS_GROUPS = [
    {"maxtokens", "maxcompletiontokens", "maxoutputtokens"},
    {"stop", "stopsequences"},
    {"topp"},
    {"topk"},
    {"inputtokens", "prompttokens", "prompttokencount"},
    {"outputtokens", "completiontokens", "candidatestokencount"},
    {"totaltokens", "totaltokencount"},
    {"cachedtokens", "cachereadinputtokens", "cachedcontenttokencount"},
    {"reasoningtokens", "thoughtstokencount"},
    {"finishreason", "stopreason", "status"},
    {"toolcallid", "tooluseid", "callid", "id"},
    {"arguments", "input", "args"},
    {"parameters", "inputschema", "parametersjsonschema"},
    {"budgettokens", "thinkingbudget", "reasoningeffort", "effort", "thinkinglevel"},
    {"thinking", "reasoningcontent", "text"},
    {"signature", "thoughtsignature"},
    {"mediatype", "mimetype"},
    {"content", "text", "output", "parts"},
    {"system", "instructions", "systeminstruction"},
]
ID_KEYS = frozenset({"id", "toolcallid", "tooluseid", "callid"})
_GROUP_OF = {name: index for index, group in enumerate(ALIAS_GROUPS) for name in group}


@dataclass
class Change:
    change: str  # renamed | restructured | dropped | added
    source: Path | None
    target: Path | None
    source_value: Any = None
    target_value: Any = None
    count: int = 1


def diff(source: Any, target: Any) -> list[Change]:
    """The changes that turn `source` into `target`, grouped by generalised path."""
    matcher = _Matcher(target)
    matcher.visit((), source)
    changes = list(matcher.pairs)
    changes += _unmatched(source, matcher.matched, "dropped")
    changes += _unmatched(target, matcher.claimed, "added")
    return _grouped(changes)


def general(path: Path | None) -> str:
    """`messages[*].content[*].text`: the path with its list indices generalised."""
    if path is None:
        return ""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += "[*]"
        elif step.replace("_", "").replace("-", "").isalnum():
            out += f".{step}" if out else step
        else:
            out += f"[{json.dumps(step)}]"
    return out


def last_key(path: Path) -> str:
    """The innermost object key of a path (skipping list indexes); "" for none."""
    for step in reversed(path):
        if isinstance(step, str):
            return step
    return ""


def normalized_key(key: str) -> str:
    """A key compared without case, "_" or "-" (maxTokens ~ max_tokens ~ max-tokens)."""
    return key.lower().replace("_", "").replace("-", "")


def same_meaning(a: str, b: str) -> bool:
    na, nb = normalized_key(a), normalized_key(b)
    return na == nb or (na in _GROUP_OF and _GROUP_OF.get(na) == _GROUP_OF.get(nb))


def _word_like(value: Any) -> bool:
    """A value that may be renamed rather than rewritten: a number, a flag or a short word."""
    if isinstance(value, str):
        return 0 < len(value) <= 40 and not any(ch.isspace() for ch in value)
    return value is not None


def _children(value: Any):
    if isinstance(value, dict):
        return value.items()
    if isinstance(value, list):
        return enumerate(value)
    return ()


def _nodes(value: Any, path: Path = ()):
    yield path, value
    for step, child in _children(value):
        yield from _nodes(child, (*path, step))


def _fingerprint(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return f"b:{value}"
    if isinstance(value, int | float):
        return f"n:{value}"
    if isinstance(value, str):
        if value[:1] in "{[":
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict | list) and parsed:
                return "j:" + json.dumps(parsed, sort_keys=True)
        return "s:" + value
    if not value:
        return None
    return "j:" + json.dumps(value, sort_keys=True)


class _Matcher:
    def __init__(self, target: Any):
        self.values: dict[Path, Any] = {}
        self.index: dict[str, list[Path]] = {}
        self.scalars: list[Path] = []
        for path, value in list(_nodes(target))[1:]:
            self.values[path] = value
            fingerprint = _fingerprint(value)
            if fingerprint is not None:
                self.index.setdefault(fingerprint, []).append(path)
            if not isinstance(value, dict | list):
                self.scalars.append(path)
        self.claimed: set[Path] = set()
        self.claimed_above: set[Path] = set()  # ancestors of claimed paths
        self.shared: set[Path] = set()  # targets holding several source texts
        self.matched: set[Path] = set()
        self.pairs: list[Change] = []

    def visit(self, path: Path, value: Any) -> None:
        if path and self._match(path, value):
            return
        for step, child in _children(value):
            self.visit((*path, step), child)

    def _free(self, path: Path) -> bool:
        if path in self.claimed or path in self.claimed_above:
            return False
        return not any(path[:n] in self.claimed for n in range(1, len(path)))

    def _match(self, path: Path, value: Any) -> bool:
        key, scalar = last_key(path), not isinstance(value, dict | list)
        if scalar and key in DISCRIMINATORS:
            self.matched.add(path)
            return True
        candidates = [t for t in self.index.get(_fingerprint(value) or "", ()) if self._free(t)]
        if scalar and not isinstance(value, str):
            candidates = [t for t in candidates if same_meaning(key, last_key(t))]
        if candidates:
            best = min(candidates, key=lambda t: self._rank(path, t))
            self._claim(path, best, value, same_value=True)
            return True
        if isinstance(value, str) and self._contained(path, key, value):
            return True
        if scalar and _word_like(value) and normalized_key(key) not in ID_KEYS:
            mapped = [
                t
                for t in self.scalars
                if _word_like(self.values[t]) and same_meaning(key, last_key(t)) and self._free(t)
            ]
            if mapped:
                best = min(mapped, key=lambda t: self._mapping_rank(path, t))
                self._claim(path, best, value, same_value=False)
                return True
        return False

    def _contained(self, path: Path, key: str, value: str) -> bool:
        """A text joined with others, or a name given a prefix, in the target."""
        sentence = len(value) >= 8 and any(ch.isspace() for ch in value)
        if len(value) < 3 or not (sentence or normalized_key(key) not in ID_KEYS):
            return False
        found = [
            t
            for t in self.scalars
            if isinstance(self.values[t], str)
            and value in self.values[t]
            and (sentence or same_meaning(key, last_key(t)))
            and (t in self.shared or self._free(t))
        ]
        if not found:
            return False
        best = min(found, key=lambda t: self._mapping_rank(path, t))
        self.shared.add(best)
        change = "restructured" if sentence else "renamed"
        self._claim(path, best, value, same_value=False, change=change)
        return True

    def _mapping_rank(self, source: Path, target: Path) -> int:
        """Prefer a key of the same meaning, then the same place."""
        if same_meaning(last_key(source), last_key(target)):
            return 0 if general(source[:-1]) == general(target[:-1]) else 1
        return 2

    def _rank(self, source: Path, target: Path) -> int:
        if general(source) == general(target):
            return 0
        return 1 if same_meaning(last_key(source), last_key(target)) else 2

    def _claim(
        self, source: Path, target: Path, value: Any, same_value: bool, change: str = ""
    ) -> None:
        self.matched.add(source)
        self.claimed.add(target)
        self.claimed_above.update(target[:n] for n in range(len(target)))
        found = self.values[target]
        converted = not same_value or type(found) is not type(value)
        if general(source) == general(target) and not converted:
            return
        renamed = not converted and general(source[:-1]) == general(target[:-1])
        renamed = renamed or (not same_value and last_key(source) != last_key(target))
        change = change or ("renamed" if renamed else "restructured")
        self.pairs.append(Change(change, source, target, value, found))


def _unmatched(root: Any, matched: set[Path], change: str) -> list[Change]:
    above = {path[:n] for path in matched for n in range(len(path))}
    found: list[Change] = []

    def walk(path: Path, value: Any) -> None:
        if path in matched:
            return
        if path and path not in above:
            if isinstance(value, dict | list) or last_key(path) not in DISCRIMINATORS:
                if change == "dropped":
                    found.append(Change(change, path, None, source_value=value))
                else:
                    found.append(Change(change, None, path, target_value=value))
            return
        for step, child in _children(value):
            walk((*path, step), child)

    walk((), root)
    return found


def _grouped(changes: list[Change]) -> list[Change]:
    groups: dict[tuple, Change] = {}
    for item in changes:
        key = (item.change, general(item.source), general(item.target))
        if key in groups:
            groups[key].count += 1
        elif len(groups) < MAX_GROUPS:
            groups[key] = item
    return list(groups.values())
