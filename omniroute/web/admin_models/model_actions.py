"""Add, edit, switch on/off, delete and test an AI model: each one a change to the connection or
provider node the row shows, made as the Providers page makes it (the same validation, the same
connection actions), so both pages always show the same accounts.

Adding picks what the Providers page would create for the API URL: an account of the catalog
provider serving that URL (`https://api.openai.com/v1` → an OpenAI connection), else a provider
node of the OpenAI format with the model variant as its custom model.
"""

from __future__ import annotations

from flask import current_app

from ...providers import PROVIDERS
from ...providers.accounts import account_key
from ...proxy.connection_test import TestResult, run_connection_test
from ...routing.table import node_account, node_spec
from ...store import provider_models as model_store
from ...store import provider_nodes as node_store
from ..models.api import catalog_model
from ..providers import connection_actions
from ..providers.connection_form import parse_connection_fields
from ..providers.node_form import parse_node_fields
from .model_form import ModelInput, base_url_override, catalog_provider_for, node_prefix_for
from .model_rows import CONNECTION, NODE, AiModel, get_model, node_variant


def _services():
    return current_app.extensions["omniroute"]


def _routes_changed() -> None:
    _services().routes.invalidate()


def offer_model(provider: str, variant: str, name: str) -> None:
    """Make `variant` one of the provider's listed models: a custom model unless the catalog
    has it; shown again if it was hidden."""
    spec = PROVIDERS.get(provider)
    if model_store.set_hidden(provider, variant, False) is not None:
        return
    if spec is not None and catalog_model(spec, variant) is not None:
        return
    try:
        model_store.add_provider_model(provider, variant, name)
    except model_store.DuplicateModel:  # added meanwhile
        pass


def add(data: ModelInput) -> AiModel:
    spec = catalog_provider_for(data.api_url)
    if spec is not None:
        fields = parse_connection_fields(
            {
                "provider": spec.id,
                "name": data.name,
                "apiKey": data.api_key,
                "baseUrl": base_url_override(spec, data.api_url) or "",
                "testModel": data.variant,
                "isActive": data.is_active,
            },
            partial=False,
        )
        record = connection_actions.create(fields)
        offer_model(spec.id, data.variant, data.name)
        return get_model(CONNECTION, record.id)  # type: ignore[return-value]
    prefix = node_prefix_for(data.name, node_store.prefix_taken)
    fields = parse_node_fields(
        {
            "name": data.name,
            "prefix": prefix,
            "baseUrl": data.api_url,
            "apiType": "openai",
            "apiKey": data.api_key or None,
            "isActive": data.is_active,
        },
        partial=False,
    )
    node = node_store.create_node(_services().box, **fields)
    offer_model(prefix, data.variant, data.name)
    _routes_changed()
    return get_model(NODE, node.id)  # type: ignore[return-value]


def update(model: AiModel, data: ModelInput) -> AiModel | None:
    """Save the edited row; an empty key field keeps the stored key, a new one replaces it
    at once (the next request uses it)."""
    if model.kind == CONNECTION:
        record = connection_actions.store.get_connection(model.id)
        spec = PROVIDERS.get(record.provider) if record else None
        if spec is None:
            return None
        values: dict = {
            "name": data.name,
            "baseUrl": base_url_override(spec, data.api_url) or "",
            "testModel": data.variant,
            "isActive": data.is_active,
        }
        if data.api_key and not model.signed_in:
            values["apiKey"] = data.api_key
        current = connection_actions.store.get_connection(model.id)
        fields = parse_connection_fields(values, partial=True, current=current)
        connection_actions.update(model.id, fields)
        offer_model(spec.id, data.variant, data.name)
        return get_model(CONNECTION, model.id)
    node = node_store.get_node(model.id)
    if node is None:
        return None
    values = {"name": data.name, "baseUrl": data.api_url, "isActive": data.is_active}
    if data.api_key:
        values["apiKey"] = data.api_key
    fields = parse_node_fields(values, partial=True, current_api_type=node.api_type)
    node_store.update_node(_services().box, node.id, **fields)
    _forget_node_cooldowns(node.id)  # a new key or a fix: try it again
    if model.variant != data.variant:
        if model.variant is not None:
            model_store.delete_provider_model(node.prefix, model.variant)
        offer_model(node.prefix, data.variant, data.name)
    _routes_changed()
    return get_model(model.kind, model.id)


def _forget_node_cooldowns(node_id: int) -> None:
    node = node_store.load_node(_services().box, node_id)
    if node is not None:
        _services().pipeline.state.cooldowns.forget(account_key(node_account(node)))


def toggle(model: AiModel) -> AiModel | None:
    if model.kind == CONNECTION:
        connection_actions.update(model.id, {"is_active": not model.is_active})
    else:
        node_store.update_node(_services().box, model.id, is_active=not model.is_active)
        _routes_changed()
    return get_model(model.kind, model.id)


def delete(model: AiModel) -> None:
    """Delete the account; a node's custom models go with it (no other account serves them)."""
    if model.kind == CONNECTION:
        connection_actions.delete(model.id)
        return
    if node_store.delete_node(model.id):
        for row in model_store.list_provider_models(model.prefix):
            model_store.delete_provider_model(model.prefix, row.model_id)
    _routes_changed()


def test(model: AiModel) -> TestResult | None:
    """A 1-token request with the row's account and model variant; None when it is gone."""
    if model.kind == CONNECTION:
        return connection_actions.test(model.id)
    node = node_store.load_node(_services().box, model.id)
    if node is None:
        return None
    return run_connection_test(
        _services().upstream, node_spec(node), node_account(node), node_variant(node.prefix)
    )
