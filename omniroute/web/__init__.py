"""Web layer: blueprints for the client API (/v1), the management API (/api) and the dashboard."""

from __future__ import annotations

from flask import Flask, request

from ..store.app_database import bind
from . import audio_api, client_api, i18n, media_api
from .auth import api as api_auth
from .auth import pages as pages_auth
from .combos import api as api_combos
from .combos import pages as combos_pages
from .costs import api as api_costs
from .costs import pages as costs_pages
from .dashboard import pages as dashboard
from .health import pages as health_pages
from .keys import api as api_keys
from .keys import pages as keys_pages
from .models import api as api_models
from .models import api_aliases
from .openapi import api as openapi
from .providers import api as api_providers
from .providers import api_nodes as api_provider_nodes
from .providers import catalog_pages, nodes_pages
from .providers import pages as providers_pages
from .request_limits import install_request_limits
from .resilience import api as api_resilience
from .resilience import pages as resilience_pages
from .routing import api_chains as api_fallback_chains
from .routing import pages as routing_pages
from .security import DashboardSessionInterface, init_security
from .settings import api as api_settings
from .translator import api as api_translator
from .translator import pages as translator_pages
from .usage import api as api_usage
from .usage import api_request_logs
from .usage import pages as usage_pages


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
