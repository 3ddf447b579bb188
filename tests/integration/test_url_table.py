"""The README's developer section maps every URL the app serves to the module answering it."""

from __future__ import annotations

import os

from omniroute import ROOT, create_app
from omniroute.web.deferred import built_dashboard
from omniroute.web.url_table import module_file, url_rows, url_table_markdown


def test_the_readme_maps_every_url_to_its_module(tmp_path):
    app = create_app({"DATA_DIR": str(tmp_path)})
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
        assert url_table_markdown(app) in readme.read(), (
            "README's URL table is stale; paste omniroute.web.url_table.url_table_markdown(app)"
        )


def test_every_dashboard_url_lives_in_the_package_of_its_area(tmp_path):
    app = built_dashboard(create_app({"DATA_DIR": str(tmp_path)}))
    guarded = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(("api.", "pages."))]
    assert len(guarded) > 50
    for rule in guarded:
        module = module_file(app.view_functions[rule.endpoint].__module__)
        folder = module.removeprefix("omniroute/web/").split("/")[0]
        assert module.startswith("omniroute/web/") and not folder.endswith(".py"), (
            f"{rule.rule} is served from {module}, not from an area package"
        )
    by_url = {url: module for url, _methods, module in url_rows(app)}
    assert all(os.path.exists(os.path.join(ROOT, module)) for module in by_url.values())
    # the names the old flat layout hid
    assert by_url["/api/pricing"] == "omniroute/web/costs/api.py"
    assert by_url["/api/usage/budget"] == "omniroute/web/costs/api_budgets.py"
    assert by_url["/api/health"] == "omniroute/web/health/api.py"
    assert by_url["/api/resilience"] == "omniroute/web/resilience/api.py"
    assert by_url["/settings/password"] == "omniroute/web/auth/pages.py"
    assert by_url["/dashboard/health"] == "omniroute/web/health/pages.py"
