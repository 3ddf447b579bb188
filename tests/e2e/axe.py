"""axe-core (pinned in e2e/package.json, installed by `make test`) run inside a page: the WCAG 2.2
AA rules, every violation with its rule, impact and the first offending elements."""

from __future__ import annotations

import os

from playwright.sync_api import BrowserContext, Page

from omniroute import ROOT

AXE_SCRIPT = os.path.join(ROOT, "e2e", "node_modules", "axe-core", "axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Page) -> list[str]:
    """Each violation as "rule (impact): selector…" — the page's context must bypass the CSP
    (the script is injected inline, which the dashboard's CSP rightly refuses). A context that
    checks many pages may load axe into each of them up front (`preload_axe`)."""
    assert os.path.exists(AXE_SCRIPT), f"{AXE_SCRIPT} is missing: run `make test` (npm ci in e2e/)"
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("options => axe.run(document, options)", options)
    found = []
    for violation in result["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(f"{violation['id']} ({violation['impact']}): {'; '.join(targets)}")
    return found


def preload_axe(context: BrowserContext) -> None:
    """Load axe into every page `context` opens from now on, as the page starts."""
    assert os.path.exists(AXE_SCRIPT), f"{AXE_SCRIPT} is missing: run `make test` (npm ci in e2e/)"
    context.add_init_script(path=AXE_SCRIPT)
