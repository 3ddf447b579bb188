"""Gemini schemas: canonical JSON Schema ⇄ the OpenAPI-3.0 subset Gemini's `Schema` accepts.

`sanitize_schema(schema)` turns a JSON Schema (canonical `Tool.parameters`,
`ResponseFormat.schema`) into something Gemini's function `parameters` and `responseSchema`
accept. It walks every sub-schema (values of `properties`, `items`, `anyOf`/`oneOf`/`allOf`
branches, `$defs` targets) but never touches property *names*: a property called "title" or
"x-id" stays. The input is never modified.

Kept keywords (everything else is dropped): type, format, description, nullable, enum, items,
properties, required, minItems, maxItems, minProperties, maxProperties, minLength, maxLength,
pattern, minimum, maximum, anyOf, propertyOrdering.

Dropped, notably: additionalProperties, $schema, $id, $ref (after inlining), $defs,
definitions, $comment, $anchor, uniqueItems, prefixItems (after use as `items`),
patternProperties, propertyNames, unevaluatedProperties, const (after conversion),
exclusiveMinimum, exclusiveMaximum, multipleOf, default, examples, example, deprecated,
readOnly, writeOnly, title, contentEncoding, contentMediaType, if/then/else, not,
dependentRequired, dependentSchemas, strict, and every "x-*" extension key.

Rewritten:
- `type` is lower-cased; a list such as ["string", "null"] becomes type "string" plus
  nullable true; several non-null types become `anyOf` of one-type schemas, each branch taking
  the keywords that belong to its type (items/minItems… to "array", properties/required… to
  "object", enum/format/pattern/minLength… to "string", minimum/maximum/format to numbers),
  while description and nullable stay on the node; "null" alone becomes nullable true.
- `$ref` to "#/$defs/X" or "#/definitions/X" is replaced by the definition (sibling keys win);
  a recursive reference becomes {"type": "object"}; any other reference is dropped.
- `allOf` branches are merged into the node (properties and required united); `oneOf` is
  treated as `anyOf`; an `anyOf` branch {"type": "null"} becomes nullable true, and an
  `anyOf` left with one branch is merged into the node.
- `const` "x" becomes enum ["x"] (non-string consts are dropped).
- `enum` is kept for strings only (Gemini rejects it on other types); a null member becomes
  nullable true; an enum without type gets type "string".
- `format` is kept only where Gemini supports it: string (enum, date-time), integer (int32,
  int64), number (float, double).
- A tuple `items` list becomes its first schema, `prefixItems` supplies `items` when absent,
  and an array without items gets "items": {}.
- `required` keeps only names present in `properties`.
- Nesting deeper than 32 levels is cut off ({}).

`to_json_schema(schema)` goes the other way for parsing Gemini requests: upper-case type names
("OBJECT") are lower-cased and nullable true becomes a type list [t, "null"] (or a
{"type": "null"} branch of anyOf); everything else is left as it is.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 32

_COUNTS = frozenset(
    {"minItems", "maxItems", "minProperties", "maxProperties", "minLength", "maxLength"}
)
_BOUNDS = frozenset({"minimum", "maximum"})
_TYPE_KEYWORDS = {
    "array": frozenset({"items", "prefixItems", "minItems", "maxItems"}),
    "object": frozenset(
        {"properties", "required", "minProperties", "maxProperties", "propertyOrdering"}
    ),
    "string": frozenset({"enum", "const", "format", "pattern", "minLength", "maxLength"}),
    "number": frozenset({"minimum", "maximum", "format"}),
    "integer": frozenset({"minimum", "maximum", "format"}),
}
_FORMATS = {
    "string": frozenset({"enum", "date-time"}),
    "integer": frozenset({"int32", "int64"}),
    "number": frozenset({"float", "double"}),
}


def sanitize_schema(schema: Any) -> dict:
    """A Gemini-acceptable copy of a JSON Schema (see the module docstring for the rules)."""
    if not isinstance(schema, dict):
        return {}
    return _clean(schema, _definitions(schema), (), 0)


def _definitions(root: dict) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for key in ("$defs", "definitions"):
        table = root.get(key)
        if isinstance(table, dict):
            for name, value in table.items():
                if isinstance(value, dict):
                    found[f"#/{key}/{name}"] = value
    return found


def _resolve(node: dict, defs: dict[str, dict], seen: tuple[str, ...]) -> tuple[dict, tuple]:
    """Inline local $refs (sibling keys win). A recursive one yields {"type": "object"}."""
    for _ in range(MAX_DEPTH):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return node, seen
        rest = {k: v for k, v in node.items() if k != "$ref"}
        if ref in seen:
            return {**rest, "type": "object"}, seen
        target = defs.get(ref)
        if target is None:
            return rest, seen
        node, seen = {**target, **rest}, (*seen, ref)
    return {}, seen


def _merge_all_of(node: dict, defs: dict[str, dict], seen: tuple[str, ...]) -> dict:
    branches = node.get("allOf")
    if not isinstance(branches, list):
        return node
    merged = {k: v for k, v in node.items() if k != "allOf"}
    for branch in branches:
        if not isinstance(branch, dict):
            continue
        branch, _ = _resolve(branch, defs, seen)
        for key, value in branch.items():
            if key == "properties" and isinstance(value, dict):
                merged["properties"] = {**value, **(merged.get("properties") or {})}
            elif key == "required" and isinstance(value, list):
                required = merged.get("required")
                old = required if isinstance(required, list) else []
                merged["required"] = old + [n for n in value if n not in old]
            else:
                merged.setdefault(key, value)
    return merged


def _clean(node: Any, defs: dict[str, dict], seen: tuple[str, ...], depth: int) -> dict:
    if not isinstance(node, dict) or depth > MAX_DEPTH:
        return {}
    node, seen = _resolve(node, defs, seen)
    node = _merge_all_of(node, defs, seen)
    if len(_type_names(node.get("type"))) > 1:
        return _split_types(node, defs, seen, depth)
    out: dict[str, Any] = {}
    _apply_type(node.get("type"), out)
    _apply_branches(node, out, defs, seen, depth)
    if isinstance(node.get("description"), str):
        out["description"] = node["description"]
    if node.get("nullable") is True:
        out["nullable"] = True
    _apply_enum(node, out)
    _apply_format(node.get("format"), out)
    _apply_structure(node, out, defs, seen, depth)
    for key in _COUNTS | _BOUNDS:
        value = node.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = value
    if isinstance(node.get("pattern"), str):
        out["pattern"] = node["pattern"]
    ordering = node.get("propertyOrdering")
    if isinstance(ordering, list) and all(isinstance(n, str) for n in ordering):
        out["propertyOrdering"] = list(ordering)
    return out


def _type_names(value: Any) -> list[str]:
    """The distinct non-null type names of a `type` value, lower-cased."""
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    kinds = [n.lower() for n in names if isinstance(n, str)]
    return [k for k in dict.fromkeys(kinds) if k != "null"]


def _is_nullable(node: dict) -> bool:
    value = node.get("type")
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return node.get("nullable") is True or any(
        isinstance(n, str) and n.lower() == "null" for n in names
    )


def _split_types(node: dict, defs: dict[str, dict], seen: tuple[str, ...], depth: int) -> dict:
    """A node of several types → anyOf of one-type branches, each with its own keywords."""
    out: dict[str, Any] = {}
    if isinstance(node.get("description"), str):
        out["description"] = node["description"]
    if _is_nullable(node):
        out["nullable"] = True
    branches = []
    for kind in _type_names(node.get("type")):
        own = {k: v for k, v in node.items() if k in _TYPE_KEYWORDS.get(kind, ())}
        branches.append(_clean({**own, "type": kind}, defs, seen, depth + 1))
    out["anyOf"] = branches
    return out


def _apply_type(value: Any, out: dict) -> None:
    if _is_nullable({"type": value}):
        out["nullable"] = True
    kinds = _type_names(value)
    if len(kinds) == 1:
        out["type"] = kinds[0]


def _apply_branches(
    node: dict, out: dict, defs: dict[str, dict], seen: tuple[str, ...], depth: int
) -> None:
    raw = node.get("anyOf") if isinstance(node.get("anyOf"), list) else node.get("oneOf")
    if not isinstance(raw, list):
        return
    branches = []
    for branch in raw:
        cleaned = _clean(branch, defs, seen, depth + 1)
        if cleaned.get("nullable") and set(cleaned) == {"nullable"}:
            out["nullable"] = True  # the {"type": "null"} branch
        else:
            branches.append(cleaned)
    if len(branches) == 1 and "type" not in out and "anyOf" not in out:
        for key, value in branches[0].items():
            out.setdefault(key, value)
    elif branches:
        out["anyOf"] = branches


def _apply_enum(node: dict, out: dict) -> None:
    values = node.get("enum")
    if not isinstance(values, list):
        const = node.get("const")
        values = [const] if isinstance(const, str) else None
    if values is None:
        return
    if None in values:
        out["nullable"] = True
        values = [v for v in values if v is not None]
    if out.get("type", "string") != "string" or not values:
        return
    if "type" not in out and not all(isinstance(v, str) for v in values):
        return
    out["type"] = "string"
    out["enum"] = [v if isinstance(v, str) else str(v) for v in values]


def _apply_format(value: Any, out: dict) -> None:
    if isinstance(value, str) and value in _FORMATS.get(out.get("type", ""), ()):
        out["format"] = value


def _apply_structure(
    node: dict, out: dict, defs: dict[str, dict], seen: tuple[str, ...], depth: int
) -> None:
    properties = node.get("properties")
    if isinstance(properties, dict):
        out["properties"] = {
            str(name): _clean(sub, defs, seen, depth + 1) for name, sub in properties.items()
        }
        required = node.get("required")
        if isinstance(required, list):
            names = [n for n in required if isinstance(n, str) and n in out["properties"]]
            if names:
                out["required"] = list(dict.fromkeys(names))
    items = node.get("items")
    if isinstance(items, list):
        items = items[0] if items else None
    if items is None and isinstance(node.get("prefixItems"), list) and node["prefixItems"]:
        items = node["prefixItems"][0]
    if isinstance(items, dict):
        out["items"] = _clean(items, defs, seen, depth + 1)
    elif out.get("type") == "array":
        out["items"] = {}


def to_json_schema(schema: Any, depth: int = 0) -> Any:
    """Gemini `Schema` → JSON Schema: lower-case type names, nullable → type list."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: to_json_schema(sub, depth + 1) for name, sub in value.items()}
        elif key == "items":
            out[key] = to_json_schema(value, depth + 1)
        elif key in ("anyOf", "oneOf", "allOf") and isinstance(value, list):
            out[key] = [to_json_schema(sub, depth + 1) for sub in value]
        elif key == "type" and isinstance(value, str):
            out[key] = value.lower()
        else:
            out[key] = value
    if out.pop("nullable", None) is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        elif isinstance(out.get("anyOf"), list):
            out["anyOf"] = [*out["anyOf"], {"type": "null"}]
    return out
