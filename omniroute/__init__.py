"""OmniRoute: a self-hosted AI gateway. `create_app()` is the only wiring point."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from .admin_password import ensure_admin_password
from .proxy.pipeline import Pipeline
from .proxy.upstream import UpstreamClient
from .resilience.lockout import Lockout
from .services import Services, listens_beyond_loopback
from .settings import load_settings
from .store.connection_cache import ConnectionCache
from .store.database import open_database
from .store.migrations import migrate
from .store.secret_box import SecretBox
from .store.secret_files import ensure_data_dir, read_or_create_secret
from .usage.writer import UsageWriter

__version__ = "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(
    config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Flask:
    """Build the app. `config` holds setting overrides (already parsed), e.g. for tests."""
    settings = load_settings(environ, config)
    data_dir = settings["DATA_DIR"]
    ensure_data_dir(data_dir)
    database = open_database(settings["DATABASE_URL"])
    migrate(database)
    box = SecretBox.from_settings(settings["STORAGE_ENCRYPTION_KEY"], data_dir)
    with database.connection_context():
        ensure_admin_password(settings["INITIAL_PASSWORD"], data_dir)
    usage = UsageWriter(database, settings["USAGE_FLUSH_SECONDS"])
    usage.start()
    connections = ConnectionCache(database, box)
    upstream = UpstreamClient(
        settings["THREADS"], settings["UPSTREAM_CONNECT_TIMEOUT"], settings["UPSTREAM_READ_TIMEOUT"]
    )
    require_key = settings["REQUIRE_API_KEY"]
    services = Services(
        settings=settings,
        database=database,
        box=box,
        connections=connections,
        upstream=upstream,
        usage=usage,
        pipeline=Pipeline(connections, upstream, usage),
        login_lockout=Lockout(),
        require_api_key=(
            listens_beyond_loopback(settings["HOSTNAME"]) if require_key is None else require_key
        ),
    )
    app = Flask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.config.update(
        SECRET_KEY=settings["JWT_SECRET"] or read_or_create_secret(data_dir, "jwt-secret"),
        MAX_CONTENT_LENGTH=settings["MAX_BODY_BYTES"],
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["AUTH_COOKIE_SECURE"],
        REMEMBER_COOKIE_SECURE=settings["AUTH_COOKIE_SECURE"],
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(ROOT, "translations"),
        BABEL_DEFAULT_LOCALE="en",
    )
    app.extensions["omniroute"] = services
    from .resilience.admission import AdmissionControl
    from .web import register_web
    from .web.client_api import is_client_api_path

    register_web(app)
    app.wsgi_app = AdmissionControl(app.wsgi_app, settings["MAX_IN_FLIGHT"], is_client_api_path)
    return app
