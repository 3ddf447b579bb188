"""The schemas of /api/openapi.json: JSON Schema helpers, `Operation`, the API's bodies.

An `Operation` says what a route cannot: its JSON request body, its query parameters, its
success status and body (the table of them is omniroute/web/openapi/operations.py). Limits and
names are the views' own constants, so the document follows them.
"""

from __future__ import annotations

import re
from typing import NamedTuple, TypedDict

from ...providers import PROVIDERS
from ...providers.spec import TIERS, WIRE_FORMATS
from ...resilience.breakers import DEFAULT_PROFILES
from ...resilience.settings import BACKOFF_FIELDS, PROFILE_FIELDS, RATE_FIELDS
from ...routing.combos import COMBO_NAME, COMBO_STRATEGIES
from ...routing.policy import API_FIELDS
from ...store.usage_queries import STATUS_FILTERS
from ..combos import api as api_combos
from ..costs import api as api_costs
from ..keys import api as api_keys
from ..models.api_aliases import MAX_LENGTH, PATTERN_CHARS
from ..providers.connection_form import MAX_NAME
from ..providers.node_form import PREFIX_PATTERN
from ..request_limits import MAX_ID
from ..settings.options import EFFORT_LEVELS, FIELD_SPECS, READ_ONLY_FIELDS

JSON = "application/json"


def anchored(pattern: re.Pattern) -> str:
    """A Python pattern the view applies with fullmatch, as an anchored JSON Schema pattern."""
    return f"^(?:{pattern.pattern})$"


def string(min_length: int = 1, max_length: int | None = None, **extra) -> dict:
    schema = {"type": "string", "minLength": min_length, **extra}
    return schema if max_length is None else {**schema, "maxLength": max_length}


def integer(minimum: int = 1, maximum: int = MAX_ID) -> dict:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


def number(minimum: float, maximum: float) -> dict:
    return {"type": "number", "minimum": minimum, "maximum": maximum}


def one_of(values) -> dict:
    return {"enum": list(values)}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: dict, min_items: int = 0, max_items: int | None = None) -> dict:
    schema = {"type": "array", "items": items, "minItems": min_items}
    return schema if max_items is None else {**schema, "maxItems": max_items}


def obj(properties: dict, required=(), closed: bool = False, **extra) -> dict:
    """A JSON object; `closed` when the view refuses fields it does not know."""
    schema = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = list(required)
    return {**schema, "additionalProperties": False} if closed else schema


def query(name: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema}


OBJECT = {"type": "object"}
LISTING = obj({"data": array(OBJECT)}, required=["data"])
BOOLEAN = {"type": "boolean"}
MODEL_ID = string(1, MAX_LENGTH, pattern=r"^\S+$")
PATTERN = string(1, MAX_LENGTH, pattern=anchored(PATTERN_CHARS))
MOMENT = string(1, description="an ISO 8601 date or time, UTC unless it names an offset")


class Operation(NamedTuple):
    body: dict | None = None  # the request body's schema (JSON unless body_media_type says)
    body_required: bool = True
    body_media_type: str = JSON
    query: tuple[dict, ...] = ()
    status: int = 200
    returns: dict | None = OBJECT  # None: no body (204)
    media_type: str = JSON
    streams_on_request: bool = False  # `Accept: text/event-stream` gets an SSE stream instead
    also_returns: tuple[tuple[str, dict], ...] = ()  # other (media type, schema) a query picks


class OperationFields(TypedDict, total=False):
    """Some of an Operation's fields, shared by spreading them (`Operation(**CREATED)`)."""

    status: int


CREATED: OperationFields = {"status": 201}
NO_CONTENT = Operation(status=204, returns=None)


COMBO_TARGET = {
    "oneOf": [
        MODEL_ID,
        obj({"model": MODEL_ID, "weight": integer(0, api_combos.MAX_WEIGHT)}, ["model"]),
    ]
}
COMBO_BODY = obj(
    {
        "name": string(1, api_combos.MAX_NAME_LENGTH, pattern=anchored(COMBO_NAME)),
        "strategy": one_of(COMBO_STRATEGIES),
        "models": array(COMBO_TARGET, 1, api_combos.MAX_TARGETS),
    },
    ["name", "models"],
)
CHAIN_ENTRY = {
    "oneOf": [
        MODEL_ID,
        obj(
            {
                "model": MODEL_ID,
                "provider": MODEL_ID,
                "priority": {"type": "number"},
                "enabled": BOOLEAN,
            },
            anyOf=[{"required": ["model"]}, {"required": ["provider"]}],
        ),
    ]
}
KEY_FIELDS = {
    "name": string(1, api_keys.MAX_NAME),
    "expiresAt": nullable(string(0, format="date-time")),
    "allowedModels": nullable(array(PATTERN, 0, api_keys.MAX_ALLOWED)),
}
CONNECTION_FIELDS = {
    "provider": one_of(PROVIDERS),
    "name": string(0, MAX_NAME),
    "apiKey": nullable(string(0, description="write-only; required unless the provider is local")),
    "baseUrl": nullable(string(0, description="an http:// or https:// URL without a query")),
    "testModel": nullable(string(0)),
    "isActive": {"anyOf": [BOOLEAN, one_of(("true", "on", "1", "false", "off", "0"))]},
    "priority": integer(0, 1_000_000),
}
NODE_FIELDS = {
    "name": string(1, 200),
    "prefix": string(1, 64, pattern=anchored(PREFIX_PATTERN)),
    "apiType": one_of(WIRE_FORMATS),
    "baseUrl": string(1, description="an http:// or https:// URL without a query"),
    "apiKey": nullable(string(0, pattern=r"^\S*$")),
    "isActive": BOOLEAN,
}
PRICE = number(0, api_costs.MAX_PRICE)
USAGE_FILTERS = (
    query("provider", string(0)),
    query("model", string(0)),
    query("keyId", integer(0)),
    query("status", one_of(STATUS_FILTERS)),
    query("from", MOMENT),
    query("to", MOMENT),
)


def _limits(fields: dict) -> dict:
    """Resilience setting fields (name → (attribute, type, minimum, maximum)) as properties."""
    return {
        name: {"type": "integer" if kind is int else "number", "minimum": low, "maximum": high}
        for name, (_, kind, low, high) in fields.items()
    }


def _routing_field(allowed: tuple) -> dict:
    return one_of(allowed) if isinstance(allowed[0], str) else integer(*allowed)


RESILIENCE_CHANGES = obj(
    {
        "profiles": obj(
            {name: obj(_limits(PROFILE_FIELDS), closed=True) for name in DEFAULT_PROFILES},
            closed=True,
        ),
        "rateLimits": obj({**_limits(RATE_FIELDS), "tiers": array(one_of(TIERS))}, closed=True),
        "backoff": obj(_limits(BACKOFF_FIELDS), closed=True),
    },
    closed=True,
)


def _option_field(kind: str, limits) -> dict:
    """An AI or Security setting (settings/options.py) as a property."""
    if kind == "choice":
        return one_of(limits)
    if kind == "int":
        return integer(*limits)
    if kind == "number":
        return number(*limits)
    if kind == "budgets":
        budget = integer(*limits)
        return obj({level: budget for level in EFFORT_LEVELS}, EFFORT_LEVELS, closed=True)
    return string(0, limits) if kind in ("text", "header") else BOOLEAN


ROUTING_CHANGES = obj(
    {
        **{name: _routing_field(allowed) for name, (_, allowed) in API_FIELDS.items()},
        **{name: _option_field(kind, limits) for name, (_, kind, limits) in FIELD_SPECS.items()},
        **{
            name: {"readOnly": True, "description": f"the environment setting {variable}"}
            for name, variable in READ_ONLY_FIELDS.items()
        },
    },
    closed=True,
)

IP_LIST = array(string(1, 64, description="an IPv4/IPv6 address or CIDR"))
IP_RULE_SET = obj({"allow": IP_LIST, "deny": IP_LIST}, closed=True)
IP_ACCESS_RULES = obj({"v1": IP_RULE_SET, "dashboard": IP_RULE_SET}, closed=True)
BLOCKED_PROVIDERS = obj({"providers": array(string(1, 64))}, ["providers"], closed=True)
PROXY = obj(
    {
        "type": one_of(("http", "https", "socks5")),
        "host": string(1, 1000),
        "port": {"type": ["integer", "string"], "description": "1–65535 (a number or digits)"},
        "username": string(0, 1000),
        "password": string(0, 1000, description="write-only: answers say hasPassword"),
        "caBundle": string(0, 1000, description="PEM bundle trusted behind this proxy"),
        "hasPassword": {"type": "boolean", "description": "read-only, ignored when sent"},
    },
    ["type", "host", "port"],
    closed=True,
)
PROXY_TABLE = obj({}, additionalProperties=nullable(PROXY))
PROXY_LEVELS = obj(
    {
        "global": nullable(PROXY),
        "providers": PROXY_TABLE,
        "combos": PROXY_TABLE,
        "keys": PROXY_TABLE,
    },
    closed=True,
)
PROXY_TEST = obj({"proxy": PROXY}, ["proxy"], closed=True)
