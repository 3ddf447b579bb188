"""Web layer: blueprints for the client API (/v1), the management API (/api) and the dashboard."""

from __future__ import annotations

from flask import Flask, request

from ..store.app_database import bind
from . import (
    api_aliases,
    api_auth,
    api_combos,
    api_costs,
    api_fallback_chains,
    api_keys,
    api_models,
    api_provider_nodes,
    api_providers,
    api_request_logs,
    api_resilience,
    api_settings,
    api_translator,
    api_usage,
    audio_api,
    catalog_pages,
    client_api,
    combos_pages,
    costs_pages,
    dashboard,
    health_pages,
    i18n,
    keys_pages,
    media_api,
    nodes_pages,
    openapi,
    pages_auth,
    providers_pages,
    resilience_pages,
    routing_pages,
    translator_pages,
    usage_pages,
)
from .request_limits import install_request_limits
from .security import DashboardSessionInterface, init_security


def register_web(app: Flask) -> None:
    install_request_limits(app)
    i18n.init_i18n(app)
    init_security(app)
    app.session_interface = DashboardSessionInterface(client_api.is_client_api_path)
    for blueprint in (
        client_api.bp,
        media_api.bp,
        audio_api.bp,
        api_models.bp,
        api_aliases.bp,
        api_combos.bp,
        api_costs.bp,
        api_usage.bp,
        api_fallback_chains.bp,
        api_settings.bp,
        api_resilience.bp,
        api_request_logs.bp,
        api_auth.bp,
        api_providers.bp,
        pages_auth.bp,
        dashboard.bp,
        providers_pages.bp,
        catalog_pages.bp,
        keys_pages.bp,
        nodes_pages.bp,
        combos_pages.bp,
        routing_pages.bp,
        resilience_pages.bp,
        health_pages.bp,
        usage_pages.bp,
        costs_pages.bp,
        api_keys.bp,
        api_provider_nodes.bp,
        i18n.bp,
        api_translator.bp,
        translator_pages.bp,
        openapi.bp,
    ):
        app.register_blueprint(blueprint)
    services = app.extensions["omniroute"]
    database = services.database

    @app.context_processor
    def gateway_context():
        return {"config_base_url": services.settings["BASE_URL"]}

    @app.before_request
    def open_database_connection():
        bind(database)  # this app's models use this app's database, on any path
        if not client_api.is_client_api_path(request.path):
            database.connect(reuse_if_open=True)

    @app.teardown_request
    def close_database_connection(_exc):
        if not database.is_closed():
            database.close()
