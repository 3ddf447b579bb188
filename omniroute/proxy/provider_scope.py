"""Dedicated provider routes (/v1/providers/{provider}/…): one provider, its models only.

The provider in the URL (a catalog id or prefix, or a provider node's prefix) is authoritative;
the body's model becomes a routable id of that provider (`scoped_model`):
- an id the provider lists (catalog or custom model) is kept whole: NVIDIA's own
  `nvidia/llama-3.3-70b-instruct` stays `nvidia/nvidia/llama-3.3-70b-instruct`;
- otherwise a leading segment naming this provider (its prefix or id) is its prefix and is
  stripped: `openai/gpt-4o` on the openai route is `openai/gpt-4o`;
- a leading segment naming another provider is a 400, unless this provider's own ids contain
  slashes (`slash_ids`: OpenRouter's `openai/gpt-4o`, Groq's `openai/gpt-oss-120b`), where it
  is simply part of the id;
- anything else gets the prefix (`gpt-4o` → `openai/gpt-4o`).
The rewritten body then takes the ordinary path. A provider whose sign-in flow does not exist
yet (`needs_sign_in`) is refused with a 501 before anything is sent.

`model_entry` is the one builder of /v1/models entries; `provider_model_entries` lists one
provider's usable models with it and `usable_model_entries` every routable provider's (catalog
providers with accounts and provider nodes).
"""

from __future__ import annotations

from ..errors import InvalidRequestError
from ..providers import ProviderSpec, provider_for_prefix
from ..providers.spec import ModelSpec
from ..routing.table import RoutingTable
from ..store import provider_models as model_store
from ..store.models import database_proxy
from .media import parse_json_object, to_json

SIGN_IN_CODE = "sign_in_required"


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


def refuse_sign_in(spec: ProviderSpec) -> None:
    """A 501 for a provider whose sign-in flow (OAuth login, private wire format) is missing."""
    if spec.needs_sign_in:
        raise InvalidRequestError(
            f"provider '{spec.id}' ({spec.name}): sign-in flow not available yet; "
            "its API needs a login the gateway cannot do, so nothing was sent",
            status=501,
            code=SIGN_IN_CODE,
            param="model",
        )


def refuse_sign_in_plan(attempts) -> None:
    """A `check_plan` for Pipeline.send: refuse a plan that starts at such a provider."""
    if attempts:
        refuse_sign_in(attempts[0].spec)


def listed_ids(spec: ProviderSpec) -> set[str]:
    """Every model id the provider lists: its catalog models and the user's rows for it."""
    with database_proxy.connection_context():
        rows = model_store.list_provider_models(spec.id)
    return {model.id for model in spec.models} | {row.model_id for row in rows}


def scoped_model(spec: ProviderSpec, model: str, table: RoutingTable, listed=None) -> str:
    """`model` as a routable id of `spec`'s provider (see the module docstring)."""
    if "/" not in model:
        return f"{spec.prefix}/{model}"
    if model in (listed_ids(spec) if listed is None else listed):
        return f"{spec.prefix}/{model}"
    lead, _, rest = model.partition("/")
    if lead in (spec.prefix, spec.id):
        return f"{spec.prefix}/{rest}"
    owner = _named(lead, table)
    if owner is not None and owner.id != spec.id and not spec.slash_ids:
        raise InvalidRequestError(
            f"model '{model}' belongs to provider '{owner.id}', not '{spec.id}'",
            param="model",
        )
    return f"{spec.prefix}/{model}"


def scoped_body(spec: ProviderSpec, raw: bytes, table: RoutingTable) -> bytes:
    """The client's body with its model scoped to `spec` (other fields untouched)."""
    refuse_sign_in(spec)
    body = parse_json_object(raw)
    body["model"] = scoped_model(spec, body["model"].strip(), table)
    return to_json(body)


def model_entry(spec: ProviderSpec, model: ModelSpec) -> dict:
    """One /v1/models entry: the prefixed id, its owner and its capabilities."""
    return {
        "id": f"{spec.prefix}/{model.id}",
        "object": "model",
        "created": 0,
        "owned_by": spec.id,
        "context_length": model.context_length,
        "capabilities": {"type": model.kind, "context_length": model.context_length},
    }


def provider_model_entries(spec: ProviderSpec) -> list[dict]:
    """The provider's usable models (catalog + custom, minus hidden) as /v1/models entries."""
    return [model_entry(spec, model) for model in model_store.usable_models(spec)]


def model_entries(spec: ProviderSpec) -> list[dict]:
    """GET /v1/providers/{provider}/models: what /v1/models lists for that provider (also
    while it has no account yet, so a client can see what it would get)."""
    with database_proxy.connection_context():
        return provider_model_entries(spec)


def usable_model_entries(table: RoutingTable) -> list[dict]:
    """The provider part of GET /v1/models: every routable provider (catalog providers with
    an active account and provider nodes, whose models are the user's custom models).
    The caller holds a database connection."""
    return [
        entry for route in table.usable_routes() for entry in provider_model_entries(route.spec)
    ]
