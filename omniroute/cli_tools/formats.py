"""Reading and merging the tools' own file formats without disturbing what the user wrote.

`parse` reads a file (JSON, TOML, dotenv; of YAML only the top-level scalars, which is where
the tools we read keep their URL); `merge` puts only our keys into an existing file's text:
JSON objects are merged key by key; TOML and dotenv are edited line by line
(our top-level keys replaced where they stand, our TOML tables replaced whole, the rest of the
text, comments included, kept as it was). Every merge is checked by parsing its result: it must
equal the old document with our keys set, or MergeError explains why it cannot be applied.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from typing import Any

from .snippets import ConfigFile


class MergeError(ValueError):
    """The existing file cannot take our keys safely: `kind` says why ("invalid": it does not
    parse, "not_object": its top is not an object, "layout": our edit would change more than
    our keys), `path` and `format` which file; the message says it all in English."""

    def __init__(self, kind: str, file: ConfigFile, message: str):
        super().__init__(message)
        self.kind = kind
        self.path = file.path
        self.format = file.format.upper()


def parse(format: str, text: str) -> Any:
    """The document in `text`; ValueError (or a subclass) when it does not parse."""
    if not text.strip():
        return {}
    if format == "json":
        return json.loads(text)
    if format == "toml":
        return tomllib.loads(text)
    if format == "env":
        return parse_env(text)
    if format == "yaml":
        return yaml_top_scalars(text)
    raise ValueError(f"{format} files are not read")


YAML_KEY = re.compile(r"""^([A-Za-z0-9_.-]+|"[^"]*"|'[^']*')\s*:""")
ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")


def parse_env(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = ENV_LINE.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        raw = match.group(2).strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = json.loads(raw)
        elif len(raw) >= 2 and raw[0] == raw[-1] == "'":
            raw = raw[1:-1]
        values[match.group(1)] = raw
    return values


def yaml_top_scalars(text: str) -> dict[str, str]:
    """`key: value` lines at the top level of a YAML file (quoted values unquoted)."""
    values = {}
    for line in text.splitlines():
        match = YAML_KEY.match(line)
        raw = line[match.end() :].split(" #")[0].strip() if match else ""
        if not match or not raw:
            continue
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = json.loads(raw)
        elif len(raw) >= 2 and raw[0] == raw[-1] == "'":
            raw = raw[1:-1].replace("''", "'")
        values[match.group(1).strip("\"'")] = raw
    return values


def value_at(document: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` (keys, or list indexes as digits), or None."""
    for step in path:
        if isinstance(document, dict):
            document = document.get(step)
        elif isinstance(document, list) and step.isdigit() and int(step) < len(document):
            document = document[int(step)]
        else:
            return None
    return document


def merge(file: ConfigFile, existing: str | None) -> str:
    """`existing` (None: no file yet) with our keys from `file` put in."""
    if existing is None or not existing.strip():
        return file.content
    try:
        current = parse(file.format, existing)
    except (ValueError, UnicodeError) as error:
        message = f"{file.path} is not valid {file.format.upper()}: {error}"
        raise MergeError("invalid", file, message) from None
    if not isinstance(current, dict):
        message = f"{file.path} does not hold a {file.format.upper()} object at its top"
        raise MergeError("not_object", file, message)
    ours = parse(file.format, file.content)
    if file.merge == "json":
        return json.dumps(deep_merge(current, ours), indent=2, ensure_ascii=False) + "\n"
    if file.merge == "toml":
        merged = merge_toml(existing, file.content, file.tables)
        expected = toml_expected(current, ours, file.tables)
    else:
        merged = merge_lines(existing, file.content, ENV_LINE)
        expected = {**current, **ours}
    try:
        ok = parse(file.format, merged) == expected
    except ValueError:
        ok = False
    if not ok:
        message = f"{file.path} is laid out in a way that cannot be edited safely"
        raise MergeError("layout", file, message)
    return merged


def deep_merge(base: dict, ours: dict) -> dict:
    merged = dict(base)
    for key, value in ours.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


TOML_HEADER = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(?:#.*)?$")
TOML_KEY = re.compile(r'^\s*([A-Za-z0-9_-]+|"[^"]*")\s*=')


def table_name(line: str) -> str | None:
    match = TOML_HEADER.match(line)
    if not match:
        return None
    return ".".join(part.strip().strip("\"'") for part in match.group(1).split("."))


def line_key(pattern: re.Pattern[str], line: str) -> str | None:
    match = pattern.match(line)
    return match.group(1).strip("\"'") if match else None


def merge_lines(existing: str, ours: str, pattern: re.Pattern[str]) -> str:
    """Replace the lines that set our keys where they stand; append the keys not there yet."""
    our_lines = {line_key(pattern, line): line for line in ours.splitlines() if line.strip()}
    lines = existing.splitlines()
    for index, line in enumerate(lines):
        key = line_key(pattern, line)
        if key in our_lines and not line.lstrip().startswith("#"):
            lines[index] = our_lines.pop(key)
    return "\n".join([*lines, *our_lines.values()]) + "\n"


def merge_toml(existing: str, ours: str, tables: tuple[str, ...]) -> str:
    """Our top-level keys set in place (new ones first); our tables replaced by ours, at the end."""
    our_lines = ours.splitlines()
    first_table = next(i for i, line in enumerate(our_lines) if table_name(line))
    our_top = {line_key(TOML_KEY, line): line for line in our_lines[:first_table] if line.strip()}
    kept, skipping = [], False
    for line in existing.splitlines():
        name = table_name(line)
        if name is not None:
            skipping = any(name == t or name.startswith(t + ".") for t in tables)
        if not skipping:
            kept.append(line)
    top_end = next((i for i, line in enumerate(kept) if table_name(line)), len(kept))
    top = kept[:top_end]
    for index, line in enumerate(top):
        key = line_key(TOML_KEY, line)
        if key in our_top:
            top[index] = our_top.pop(key)
    body = "\n".join([*our_top.values(), *top, *kept[top_end:]]).rstrip("\n")
    return body + "\n\n" + "\n".join(our_lines[first_table:]) + "\n"


def toml_expected(current: dict, ours: dict, tables: tuple[str, ...]) -> dict:
    expected = copy.deepcopy(current)
    table_roots = {t.split(".")[0] for t in tables}
    for key, value in ours.items():
        if key not in table_roots:
            expected[key] = value
    for table in tables:
        *parents, last = table.split(".")
        node = expected
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value_at(ours, tuple(table.split(".")))
    return expected
