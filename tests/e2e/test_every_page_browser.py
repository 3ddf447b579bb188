"""Every page and tab of the dashboard in Debian's chromium, on one gateway filled with a week of
data: no axe violation (WCAG 2.2 AA) on desktop and phone in English and Arabic, no sideways
scrolling at 390 px in English, Arabic and German, the page budget with no web font, and the
Arabic layout mirrored with the navigation on the right."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import axe_violations, preload_axe
from tests.e2e.chromium import assert_page_budget, log_in
from tests.e2e.every_page import (
    FRAGMENT_PAGES,
    LIVE_PAGES,
    PAGES,
    DashboardPage,
    FilledGateway,
    filled_gateway,
)

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
BY_NAME = {page.name: page for page in PAGES}
SIGNED_IN = [page.name for page in PAGES if page.signed_in]
TabOpener = Callable[..., Page]


@pytest.fixture(scope="module")
def site(tmp_path_factory, upstream_server) -> Iterator[FilledGateway]:
    with filled_gateway(str(tmp_path_factory.mktemp("every-page")), upstream_server.url) as s:
        yield s


@pytest.fixture(scope="module")
def signed_in_state(browser: Browser, site: FilledGateway) -> dict:
    context = browser.new_context(base_url=site.url)
    log_in(context.new_page())
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="module")
def tabs(browser: Browser, site: FilledGateway, signed_in_state: dict) -> Iterator[TabOpener]:
    """`tabs(viewport, language, signed_in, audited)`: one browser tab per combination, kept
    for the module, its CSP bypassed so axe's script runs (loaded into every page if audited)."""
    opened: dict[tuple, Page] = {}

    def tab(viewport: str, language: str, signed_in: bool = True, audited: bool = False) -> Page:
        key = (viewport, language, signed_in, audited)
        if key not in opened:
            context = browser.new_context(
                base_url=site.url,
                viewport=VIEWPORTS[viewport],  # type: ignore[arg-type]
                bypass_csp=True,
                storage_state=signed_in_state if signed_in else None,  # type: ignore[arg-type]
            )
            context.add_cookies([{"name": "lang", "value": language, "url": site.url}])
            context.set_default_timeout(10_000)
            if audited:
                preload_axe(context)
            opened[key] = context.new_page()
        return opened[key]

    yield tab
    for page in opened.values():
        page.context.close()


def settled(name: str) -> str:
    """When a page is ready to check: loaded, or network-idle for one that fetches fragments."""
    return "networkidle" if name in FRAGMENT_PAGES else "load"


def visit(
    tabs: TabOpener, site: FilledGateway, name: str, viewport: str, language: str, audited=False
) -> Page:
    """The page `name` opened in the kept tab (one with axe loaded when `audited`), its content
    settled, its status checked."""
    dashboard_page: DashboardPage = BY_NAME[name]
    page = tabs(viewport, language, dashboard_page.signed_in, audited)
    response = page.goto(site.path(dashboard_page), wait_until=settled(name))  # type: ignore[arg-type]
    assert response is not None and response.status == dashboard_page.status
    expect(page.locator("main h1").first).to_be_visible()
    return page


def cases(*dimensions) -> list:
    """Every combination of the dimensions, named like "costs-pricing-phone-ar"."""
    return [pytest.param(*case, id="-".join(case)) for case in itertools.product(*dimensions)]


@pytest.mark.parametrize("name,viewport,language", cases(BY_NAME, VIEWPORTS, ("en", "ar")))
def test_no_axe_violation(tabs: TabOpener, site: FilledGateway, name, viewport, language):
    page = visit(tabs, site, name, viewport, language, audited=True)
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("viewport,language", cases(VIEWPORTS, ("en", "ar")))
def test_no_axe_violation_in_the_request_drawer(tabs: TabOpener, site, viewport, language):
    page = visit(tabs, site, "usage-requests", viewport, language, audited=True)
    page.locator("[data-detail]").first.click()
    drawer = page.locator("#request-drawer-body")
    expect(drawer.locator("h2, h3").first).to_be_visible()
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_axe_violation_with_the_phone_menu_open(tabs: TabOpener, site, language):
    page = visit(tabs, site, "keys", "phone", language, audited=True)
    page.locator("details.menu-toggle summary").click()
    expect(page.locator(".sidebar nav")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]


@pytest.mark.parametrize("name,language", cases(BY_NAME, ("en", "ar", "de")))
def test_no_sideways_scroll_on_a_phone(tabs: TabOpener, site: FilledGateway, name, language):
    page = visit(tabs, site, name, "phone", language)
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391)
            .map(e => `${e.tagName}#${e.id}.${e.className.baseVal ?? e.className}`).slice(0, 8)"""
    )
    assert width <= VIEWPORTS["phone"]["width"], f"{width} px wide: {wide}"


@pytest.mark.parametrize("name", list(BY_NAME))
def test_page_budget_without_web_fonts(browser, tabs: TabOpener, site: FilledGateway, name):
    dashboard_page = BY_NAME[name]
    page = tabs("desktop", "en", dashboard_page.signed_in)
    assert_page_budget(
        browser,
        page,
        site.url,
        site.path(dashboard_page),
        lambda fresh: expect(fresh.locator("main h1").first).to_be_visible(),
        wait_until="load" if name in LIVE_PAGES else "networkidle",
        status=dashboard_page.status,
    )


@pytest.mark.parametrize("name", SIGNED_IN)
def test_arabic_is_right_to_left_with_the_navigation_on_the_right(tabs, site, name):
    page = visit(tabs, site, name, "desktop", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    sidebar = page.locator(".sidebar").bounding_box()
    navigation = page.locator(".sidebar nav").bounding_box()
    content = page.locator("main").bounding_box()
    assert sidebar is not None and navigation is not None and content is not None
    assert navigation["x"] >= content["x"] + content["width"] - 1  # right of the content
    assert sidebar["x"] + sidebar["width"] >= VIEWPORTS["desktop"]["width"] - 1


@pytest.mark.parametrize("language,direction", [("he", "rtl"), ("de", "ltr"), ("en", "ltr")])
def test_direction_follows_the_language(tabs: TabOpener, site, language, direction):
    page = visit(tabs, site, "home", "phone", language)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.locator("html")).to_have_attribute("lang", language)
