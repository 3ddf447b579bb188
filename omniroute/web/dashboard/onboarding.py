"""First-run onboarding on Home: connect a provider (or sign in to a subscription), create an API
key, configure a tool — each step checked off once done, the whole card shown until the gateway
answered its first request. The first two come from what the gateway holds in memory; a tool
counts as configured when its config file on this machine names this gateway (the CLI tools'
detection); whether a request was answered is one cheap query over the hourly usage rollups."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from ...cli_tools.catalog import TOOLS
from ...cli_tools.detect import configured_url, same_gateway, tools_home
from ...store.usage_totals import any_request_answered
from ..external_url import external_base_url


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    link: str
    link_text: str
    done: bool
    optional: bool = False


def onboarding_steps(services) -> list[Step] | None:
    """The three steps, or None once a request was answered (the gateway is in use)."""
    if any_request_answered():
        return None
    routes = services.routes.snapshot().usable_routes()
    keys_required = services.client_auth.required
    return [
        Step(
            "provider",
            _l("Connect a provider, or sign in to a subscription"),
            url_for("pages.providers.index"),
            _l("Open Providers"),
            any(route.accounts for route in routes),
        ),
        Step(
            "key",
            _l("Create an API key for your tools"),
            url_for("pages.keys.index"),
            _l("Open API keys"),
            bool(services.client_auth.key_hashes.snapshot()),
            optional=not keys_required,
        ),
        Step(
            "tool",
            _l("Configure a coding tool and send its first request"),
            url_for("pages.cli_tools.index"),
            _l("Open CLI tools"),
            a_tool_points_here(services.settings),
        ),
    ]


def a_tool_points_here(settings) -> bool:
    """Whether a tool's config file on this machine names this gateway."""
    home, base_url = tools_home(settings), external_base_url(settings)
    urls = (configured_url(tool, home) for tool in TOOLS)
    return any(url is not None and same_gateway(url, base_url) for url in urls)
