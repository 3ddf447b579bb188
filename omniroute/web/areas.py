"""The dashboard's areas, assembled: `/api` is one blueprint holding every area's JSON API, the
dashboard pages another; each has the one login guard (guard.py). Endpoint names read
`api.<area>.<view>` and `pages.<area>.<view>`; the README's URL table maps each URL to its module.
"""

from __future__ import annotations

from flask import Blueprint

from .admin_models import pages as admin_models_pages
from .auth import api as auth_api
from .auth import pages as auth_pages
from .backups import api as backups_api
from .cli_tools import pages as cli_tools_pages
from .combos import api as combos_api
from .combos import pages as combos_pages
from .costs import api as pricing_api
from .costs import api_budgets as budgets_api
from .costs import api_export as costs_export_api
from .costs import pages as costs_pages
from .dashboard import pages as dashboard_pages
from .guard import require_admin
from .health import api as health_api
from .health import pages as health_pages
from .keys import api as keys_api
from .keys import pages as keys_pages
from .models import api as models_api
from .models import api_aliases as aliases_api
from .oauth import api as oauth_api
from .oauth import pages as oauth_pages
from .openapi import api as openapi_api
from .providers import api as providers_api
from .providers import api_model_sync as model_sync_api
from .providers import api_nodes as provider_nodes_api
from .providers import catalog_pages, nodes_pages
from .providers import pages as providers_pages
from .resilience import api as resilience_api
from .resilience import pages as resilience_pages
from .routing import api_chains as chains_api
from .routing import pages as routing_pages
from .settings import access_pages as ip_access_pages
from .settings import api as settings_api
from .settings import api_access as ip_access_api
from .settings import api_blocking as blocked_providers_api
from .settings import api_proxy as proxy_api
from .settings import api_sync as sync_api
from .settings import blocking_pages as provider_blocking_pages
from .settings import pages as settings_pages
from .settings import proxy_pages, storage_pages
from .translator import api as translator_api
from .translator import pages as translator_pages
from .usage import api as usage_api
from .usage import api_request_logs
from .usage import pages as usage_pages

api = Blueprint("api", __name__, url_prefix="/api")
pages = Blueprint("pages", __name__)

for parent in (api, pages):
    parent.before_request(require_admin)

for area_api in (
    auth_api, providers_api, model_sync_api, provider_nodes_api, models_api, aliases_api,
    combos_api, chains_api, settings_api, resilience_api, health_api, usage_api, api_request_logs,
    pricing_api, budgets_api, costs_export_api, keys_api, translator_api, openapi_api, oauth_api,
    ip_access_api, blocked_providers_api, proxy_api, backups_api, sync_api,
):  # fmt: skip
    api.register_blueprint(area_api.bp)

for area_pages in (
    auth_pages, dashboard_pages, providers_pages, catalog_pages, nodes_pages, combos_pages,
    routing_pages, resilience_pages, settings_pages, health_pages, usage_pages, costs_pages,
    keys_pages, translator_pages, oauth_pages, cli_tools_pages,
    ip_access_pages, provider_blocking_pages, proxy_pages, storage_pages, admin_models_pages,
):  # fmt: skip
    pages.register_blueprint(area_pages.bp)
