"""Dedicated provider routes (/v1/providers/{provider}/…): one provider, its models only.

The provider in the URL is a catalog id or prefix, or a provider node's prefix. The body's model
gets that provider's prefix when it has none (`gpt-4o` → `openai/gpt-4o`); a model already named
with another provider's prefix is a 400. The rewritten body then takes the ordinary path.
"""

from __future__ import annotations

from ..errors import InvalidRequestError
from ..providers import ProviderSpec, provider_for_prefix
from ..routing.table import RoutingTable
from .media import parse_json_object, to_json


def resolve_provider(name: str, table: RoutingTable) -> ProviderSpec:
    """The provider a URL names (a 404 when none has that id or prefix)."""
    spec = _named(name, table)
    if spec is None:
        raise InvalidRequestError(
            f"unknown provider '{name}'", status=404, code="provider_not_found"
        )
    return spec


def _named(name: str, table: RoutingTable) -> ProviderSpec | None:
    route = table.routes.get(name)
    return route.spec if route is not None else provider_for_prefix(name)


def scoped_model(spec: ProviderSpec, model: str, table: RoutingTable) -> str:
    """`model` as a routable id of `spec`'s provider."""
    prefix, _, rest = model.partition("/")
    if rest:
        owner = _named(prefix, table)
        if owner is not None:
            if owner.id == spec.id:
                return model
            raise InvalidRequestError(
                f"model '{model}' belongs to provider '{owner.id}', not '{spec.id}'",
                param="model",
            )
    return f"{spec.prefix}/{model}"


def scoped_body(spec: ProviderSpec, raw: bytes, table: RoutingTable) -> bytes:
    """The client's body with its model scoped to `spec` (other fields untouched)."""
    body = parse_json_object(raw)
    body["model"] = scoped_model(spec, body["model"].strip(), table)
    return to_json(body)


def model_entries(spec: ProviderSpec) -> list[dict]:
    """The provider's catalog models in /v1/models' shape (prefixed ids)."""
    return [
        {
            "id": f"{spec.prefix}/{model.id}",
            "object": "model",
            "created": 0,
            "owned_by": spec.id,
            "context_length": model.context_length,
        }
        for model in spec.models
    ]
