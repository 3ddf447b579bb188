"""The dashboard and management API put on the Flask app: hooks, blueprints, connections."""

from __future__ import annotations

from flask import Flask

from ..store.app_database import bind
from . import i18n, theme
from .areas import api, pages
from .assets import install_assets
from .external_url import external_base_url
from .field_labels import install_field_labels
from .formatting import install_formatting
from .ip_guard import install_ip_guard
from .request_limits import install_request_limits
from .security import init_security
from .security_headers import install_security_headers


def register_web(app: Flask) -> None:
    install_assets(app)  # first: its compression runs after every other after_request hook
    install_request_limits(app)
    install_ip_guard(app)
    install_security_headers(app)
    i18n.init_i18n(app)
    install_field_labels(app)
    install_formatting(app)
    theme.init_theme(app)
    init_security(app)
    for blueprint in (api, pages, i18n.bp, theme.bp):
        app.register_blueprint(blueprint)
    services = app.extensions["omniroute"]
    database = services.database

    @app.context_processor
    def gateway_context():
        return {"config_base_url": external_base_url(services.settings)}

    @app.before_request
    def open_database_connection():
        bind(database)  # this app's models use this app's database
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def close_database_connection(_exc):
        if not database.is_closed():
            database.close()
