"""OmniRoute: a self-hosted AI gateway. `create_app()` is the only wiring point."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .version import __version__

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["ROOT", "__version__", "create_app"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(
    config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Flask:
    """Build the app. `config` holds setting overrides (already parsed), e.g. for tests."""
    from flask import Flask

    from .clientapi.errors import error_reply
    from .clientapi.paths import is_client_api_path
    from .clientapi.wsgi import ClientApi
    from .resilience.admission import AdmissionControl
    from .services import build_services
    from .settings import load_settings
    from .web.deferred import DASHBOARD_EXTENSION, DeferredSetup

    settings = load_settings(environ, config)
    services = build_services(settings)
    app = Flask(
        __name__,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.config.update(
        SECRET_KEY=services.session_secret,
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
    dashboard = DeferredSetup(app.wsgi_app, lambda: install_dashboard(app))
    app.extensions[DASHBOARD_EXTENSION] = dashboard
    # Flask's documented way to add WSGI middleware, which its types declare a method
    app.wsgi_app = AdmissionControl(  # type: ignore[method-assign]
        ClientApi(dashboard, services),
        settings["MAX_IN_FLIGHT"],
        is_client_api_path,
        error_reply,
    )
    services.metrics.watch_admission(app.wsgi_app)  # requests in flight, read when scraped
    return app


def install_dashboard(app: Flask) -> None:
    """The dashboard and management API on `app` (run before its first request reaches Flask)."""
    from .config_watch import register_config_bumps
    from .web.error_boundaries import register_error_boundaries
    from .web.wiring import register_web

    register_web(app)
    register_config_bumps(app)
    register_error_boundaries(app)
