"""Web layer: blueprints for the client API (/v1), the management API (/api) and the dashboard."""

from __future__ import annotations

from flask import Flask, request

from ..store.app_database import bind
from . import audio_api, client_api, i18n, media_api
from .areas import api, pages
from .request_limits import install_request_limits
from .security import DashboardSessionInterface, init_security


def register_web(app: Flask) -> None:
    install_request_limits(app)
    i18n.init_i18n(app)
    init_security(app)
    app.session_interface = DashboardSessionInterface(client_api.is_client_api_path)
    for blueprint in (client_api.bp, media_api.bp, audio_api.bp, api, pages, i18n.bp):
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
