"""The two schema dialects a request can carry, checked the way each provider checks them.

JSON Schema (OpenAI `response_format` / `text.format` / tool `parameters`, Anthropic tool
`input_schema` and `output_config.format.schema`, Gemini `parametersJsonSchema` and
`responseJsonSchema`): every `type` is one of JSON Schema's lower-case names (or a list of
them), in every nested schema. SOURCE: JSON Schema 2020-12 validation vocabulary §6.1.1 (the
type names are case-sensitive); Anthropic: "JSON schema is invalid. It must match JSON Schema
draft 2020-12"; OpenAI: "Invalid schema for response_format '…'" / "Invalid schema for
function '…'". Gemini's upper-case `"OBJECT"` / `"STRING"` are not JSON Schema.

Gemini Schema (function declaration `parameters`, `generationConfig.responseSchema`): the
OpenAPI 3.0 subset of the Gemini API reference "Schema" object — type, format, title,
description, nullable, enum, maxItems, minItems, properties, required, minProperties,
maxProperties, minLength, maxLength, pattern, example, anyOf, propertyOrdering, default,
items, minimum, maximum (each also in its proto snake_case spelling); `type` is one Type enum
name (either case, not a list). Anything else (additionalProperties, $schema, $ref, $defs,
const, oneOf, …) is refused as the API does: `Invalid JSON payload received. Unknown name
"additionalProperties" at '…': Cannot find field.`
"""

from __future__ import annotations

import json

from tests.fakes.validation.common import Invalid

JSON_SCHEMA_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
SUBSCHEMA_ONE = ("items", "additionalProperties", "not", "contains", "if", "then", "else")

GEMINI_SCHEMA_FIELDS = frozenset(
    {
        "type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems",
        "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength",
        "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum",
        "maximum",
    }
)  # fmt: skip
GEMINI_TYPES = frozenset(
    {"TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"}
)


def camel(name: str) -> str:
    """A proto field's JSON name: `property_ordering` → `propertyOrdering`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    """A proto field's own name, as Google's error paths spell it."""
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def json_schema_error(schema: object) -> str | None:
    """Why `schema` is not JSON Schema ("'OBJECT' is not a valid type at …"), or None."""
    return _json_schema_error(schema, "")


def _json_schema_error(schema: object, at: str) -> str | None:
    if isinstance(schema, bool):
        return None
    if not isinstance(schema, dict):
        return f"{json.dumps(schema)} is not of type 'object', 'boolean' at '{at or '/'}'"
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for name in kinds:
        if name not in JSON_SCHEMA_TYPES:
            return f"{json.dumps(name)} is not a valid type at '{at or '/'}'"
    for sub, where in _subschemas(schema, at):
        if (error := _json_schema_error(sub, where)) is not None:
            return error
    return None


def _subschemas(schema: dict, at: str) -> list[tuple[object, str]]:
    """(schema, location) of every schema nested one level inside `schema`."""
    found: list[tuple[object, str]] = []
    for key in SUBSCHEMA_MAPS:
        value = schema.get(key)
        if isinstance(value, dict):
            found += [(sub, f"{at}/{key}/{name}") for name, sub in value.items()]
    for key in SUBSCHEMA_LISTS + SUBSCHEMA_ONE:
        value = schema.get(key)
        if isinstance(value, list):  # anyOf, …, and draft-04 tuple `items`
            found += [(sub, f"{at}/{key}/{index}") for index, sub in enumerate(value)]
        elif key in SUBSCHEMA_ONE and key in schema:
            found.append((value, f"{at}/{key}"))
    return found


def check_gemini_schema(schema: object, path: str) -> None:
    """Raise Gemini's refusal for anything in `schema` that is not a Gemini Schema field."""
    if not isinstance(schema, dict):
        raise Invalid(f"Invalid value at '{path}' (type.googleapis.com/google.ai."
                      f"generativelanguage.v1beta.Schema), {json.dumps(schema)}")  # fmt: skip
    for key, value in schema.items():
        name = camel(key)
        if name not in GEMINI_SCHEMA_FIELDS:
            raise Invalid(
                f"Invalid JSON payload received. Unknown name \"{key}\" at '{path}': "
                "Cannot find field."
            )
        if name == "type" and (not isinstance(value, str) or value.upper() not in GEMINI_TYPES):
            raise Invalid(
                f"Invalid value at '{path}.type' (type.googleapis.com/google.ai."
                f"generativelanguage.v1beta.Type), {json.dumps(value)}"
            )
        if name == "properties" and isinstance(value, dict):
            for index, sub in enumerate(value.values()):
                check_gemini_schema(sub, f"{path}.properties[{index}].value")
        elif name == "items":
            check_gemini_schema(value, f"{path}.items")
        elif name == "anyOf" and isinstance(value, list):
            for index, sub in enumerate(value):
                check_gemini_schema(sub, f"{path}.any_of[{index}]")
