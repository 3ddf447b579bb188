"""The dashboard's frame in Debian's chromium: a sidebar on desktop, a top bar with a keyboard
menu on phones, no sideways scrolling at 390 px on any main page, the light/dark theme switch
(remembered across a reload) and the mirrored right-to-left layout for Arabic."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e.chromium import log_in

browser_test = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
MAIN_PAGES = (
    "/",
    "/providers",
    "/combos",
    "/keys",
    "/usage",
    "/costs",
    "/translator",
    "/dashboard/health",
    "/settings/routing",
    "/settings/security",
    "/cli-tools",
    "/admin/ai_models",
)


def phone_page(browser: Browser, gateway, **options) -> Page:
    context = browser.new_context(base_url=gateway.url, viewport=PHONE, **options)
    context.set_default_timeout(10_000)
    return context.new_page()


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


@browser_test
def test_no_page_scrolls_sideways_on_a_phone(browser: Browser, gateway):
    page = phone_page(browser, gateway)
    log_in(page)
    wider = {}
    for path in MAIN_PAGES:
        page.goto(path)
        expect(page.locator("main h1").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wider[path] = width
    assert wider == {}
    page.context.close()


@browser_test
def test_phone_menu_opens_and_its_links_work_by_keyboard(browser: Browser, gateway):
    page = phone_page(browser, gateway)
    log_in(page)
    page.goto("/providers")
    expect(main_nav(page)).to_be_hidden()  # folded behind the menu button
    expect(page.get_by_role("button", name="Log out")).to_be_visible()  # in the top bar
    menu = page.locator("summary", has_text="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    expect(main_nav(page)).to_be_visible()
    expect(page.get_by_label("Language")).to_be_visible()
    # Tab walks from the menu button into the links, the current page first marked.
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Combos":
            break
    combos = main_nav(page).get_by_role("link", name="Combos")
    expect(combos).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/combos$"))
    expect(main_nav(page)).to_be_hidden()  # a new page starts with the menu folded
    expect(page.locator("#sidebar-body a[aria-current=page]")).to_have_text("Combos")
    page.context.close()


@browser_test
def test_desktop_sidebar_marks_the_current_page_and_collapses(page: Page):
    page.set_viewport_size(DESKTOP)
    log_in(page)
    page.goto("/usage")
    nav = main_nav(page)
    usage = nav.get_by_role("link", name="Usage")
    expect(usage).to_have_attribute("aria-current", "page")
    expect(nav.locator("[aria-current=page]")).to_have_count(1)
    box = nav.bounding_box()
    assert box is not None and box["x"] < 40 and box["height"] > 400  # a column on the left
    main_box = page.locator("main").bounding_box()
    assert main_box is not None and main_box["x"] >= box["x"] + box["width"]

    page.locator("summary", has_text="Collapse sidebar").click()
    narrow = page.locator(".sidebar").bounding_box()
    assert narrow is not None and narrow["width"] < 100  # an icon rail
    expect(usage).to_be_visible()  # still named "Usage" for screen readers
    page.locator("summary", has_text="Expand sidebar").click()
    wide = page.locator(".sidebar").bounding_box()
    assert wide is not None and wide["width"] > 200


@browser_test
def test_theme_switch_sets_data_theme_and_survives_a_reload(page: Page):
    log_in(page)
    page.goto("/keys")
    html = page.locator("html")
    expect(html).not_to_have_attribute("data-theme", re.compile("."))  # the system decides
    page.emulate_media(color_scheme="dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")

    page.get_by_role("button", name="Light").click()
    expect(page).to_have_url(re.compile(r"/keys$"))  # back where the switch was used
    expect(html).to_have_attribute("data-theme", "light")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != background
    expect(page.get_by_role("button", name="Light")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Dark").click()
    expect(html).to_have_attribute("data-theme", "dark")
    page.emulate_media(color_scheme="light")  # the choice wins over the system's
    page.reload()
    expect(html).to_have_attribute("data-theme", "dark")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background

    page.get_by_role("button", name="System").click()
    expect(html).not_to_have_attribute("data-theme", re.compile("."))


@browser_test
def test_arabic_lays_out_right_to_left_with_the_sidebar_on_the_right(page: Page, gateway):
    page.set_viewport_size(DESKTOP)
    log_in(page)
    page.context.add_cookies([{"name": "lang", "value": "ar", "url": gateway.url}])
    page.goto("/providers")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    sidebar = page.locator(".sidebar").bounding_box()
    content = page.locator("main").bounding_box()
    assert sidebar is not None and content is not None
    assert sidebar["x"] > content["x"]  # the sidebar sits on the right
    assert sidebar["x"] + sidebar["width"] >= DESKTOP["width"] - 1


@browser_test
def test_theme_endpoint_checks_csrf_and_the_value(gateway):
    session = requests.Session()
    session.trust_env = False
    login_page = session.get(gateway.url + "/login")
    token = re.search(r'name="csrf-token" content="([^"]+)"', login_page.text).group(1)

    bad = session.post(gateway.url + "/theme", data={"csrf_token": token, "theme": "neon"})
    assert bad.status_code == 400
    assert "theme" not in session.cookies

    forged = session.post(gateway.url + "/theme", data={"theme": "dark"}, allow_redirects=False)
    assert forged.status_code == 400  # no CSRF token
    assert "theme" not in session.cookies

    chosen = session.post(
        gateway.url + "/theme",
        data={"csrf_token": token, "theme": "dark", "next": "/login"},
        allow_redirects=False,
    )
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/login")
    assert session.cookies["theme"] == "dark"
    assert 'data-theme="dark"' in session.get(gateway.url + "/login").text

    elsewhere = session.post(
        gateway.url + "/theme",
        data={"csrf_token": token, "theme": "light", "next": "https://evil.example/"},
        allow_redirects=False,
    )
    assert elsewhere.headers["Location"] == "/"  # only paths of this site
    back_to_system = session.post(
        gateway.url + "/theme", data={"csrf_token": token, "theme": "system"}
    )
    assert back_to_system.status_code == 200
    assert "theme" not in session.cookies
    assert "data-theme" not in back_to_system.text
