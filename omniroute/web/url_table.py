"""The URL → module table of the README's developer section, made from the app's own routes.

Every route the app serves is listed with its methods and the module that answers it, so a
newcomer who knows a URL knows the file. A test compares the README with this table, so the
table cannot go stale.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from flask import Flask

from ..clientapi.routes import ROUTE_MAP, ROUTES_BY_NAME
from .deferred import built_dashboard

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def module_file(module_name: str) -> str:
    """`omniroute.web.usage.api` → `omniroute/web/usage/api.py` (as the repository spells it)."""
    module = sys.modules[module_name]
    suffix = "/__init__.py" if (module.__file__ or "").endswith("__init__.py") else ".py"
    return module_name.replace(".", "/") + suffix


def url_rows(app: Flask) -> list[tuple[str, str, str]]:
    """(URL rule, methods, module file) for every route but the static files, sorted by URL:
    the client API's router and the dashboard app's."""
    methods: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rule in ROUTE_MAP.iter_rules():
        handler = ROUTES_BY_NAME[rule.endpoint].handler
        methods[(rule.rule, module_file(handler.__module__))] |= set(rule.methods or ())
    for rule in built_dashboard(app).url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        key = (rule.rule, module_file(view.__module__))
        methods[key] |= set(rule.methods or ())
    for verbs in methods.values():
        verbs -= IGNORED_METHODS
    return sorted(
        (url, " ".join(sorted(verbs)), module) for (url, module), verbs in methods.items()
    )


def url_table_markdown(app: Flask) -> str:
    lines = ["| URL | Methods | Module |", "| --- | --- | --- |"]
    lines += [f"| `{url}` | {verbs} | `{module}` |" for url, verbs, module in url_rows(app)]
    return "\n".join(lines)
