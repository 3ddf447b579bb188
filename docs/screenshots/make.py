"""Screenshots of the dashboard for docs/screenshots/: Home, Providers, Usage and Settings at
1366×900 in light and dark, and at 390×844 in English, Arabic and Japanese, on a gateway filled
with a week of sample usage. Run from the repository root after `make test` installed the tools:

    .venv/bin/python -m docs.screenshots.make

Uses Debian's chromium (tests/e2e/chromium.py) and the test harness; writes PNGs here.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile

from playwright.sync_api import sync_playwright

from omniroute.clock import utcnow
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.gateway_harness import ADMIN_PASSWORD, start_gateway
from tests.integration.stored_usage import store_usage, usage_row

HERE = os.path.dirname(os.path.abspath(__file__))
PAGES = {"home": "/", "providers": "/providers", "usage": "/usage", "settings": "/settings/routing"}
SHOTS = [  # (width, height, theme, language)
    (1366, 900, "light", "en"),
    (1366, 900, "dark", "en"),
    (390, 844, "light", "en"),
    (390, 844, "light", "ar"),
    (390, 844, "light", "ja"),
]
MODELS = [("openai", "gpt-4o", 2.5, 10.0), ("anthropic", "claude-sonnet-4-5", 3.0, 15.0),
          ("ds", "deepseek-chat", 0.27, 1.1), ("gemini", "gemini-2.5-flash", 0.3, 2.5)]  # fmt: skip


def sample_usage(gateway) -> None:
    """A week of requests: busier in working hours, a few errors, four providers."""
    rng = random.Random(7)
    now = utcnow()
    rows = []
    for hour in range(7 * 24):
        moment = now - dt.timedelta(hours=hour)
        busy = 12 if 8 <= moment.hour <= 18 else 3
        for _ in range(rng.randint(0, busy)):
            provider, model, price_in, price_out = rng.choice(MODELS)
            tokens_in, tokens_out = rng.randint(200, 4000), rng.randint(20, 900)
            cost = (tokens_in * price_in + tokens_out * price_out) / 1_000_000
            failed = rng.random() < 0.04
            rows.append(usage_row(
                moment - dt.timedelta(minutes=rng.randint(0, 59)),
                provider=provider, model=model, requested_model=f"{provider}/{model}",
                prompt_tokens=tokens_in, completion_tokens=tokens_out, cost_usd=cost,
                list_cost_usd=cost, latency_ms=rng.uniform(300, 4000),
                status=502 if failed else 200, error="upstream error" if failed else None,
            ))  # fmt: skip
    store_usage(gateway, sorted(rows, key=lambda row: row["created_at"]))  # oldest first


def main() -> None:
    gateway = start_gateway(tempfile.mkdtemp(prefix="omniroute-shots-"))
    try:
        for provider in ("openai", "anthropic", "deepseek"):
            gateway.add_connection("https://example.invalid/v1", provider=provider)
        sample_usage(gateway)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            for width, height, theme, language in SHOTS:
                context = browser.new_context(
                    base_url=gateway.url, viewport={"width": width, "height": height}
                )
                context.add_cookies([
                    {"name": "theme", "value": theme, "url": gateway.url},
                    {"name": "lang", "value": language, "url": gateway.url},
                ])  # fmt: skip
                page = context.new_page()
                page.goto("/login")
                page.locator("#password").fill(ADMIN_PASSWORD)
                page.locator("#password").press("Enter")
                page.wait_for_url("**/")
                for name, path in PAGES.items():
                    page.goto(path, wait_until="networkidle")
                    target = os.path.join(HERE, f"{name}-{width}-{theme}-{language}.png")
                    page.screenshot(path=target)
                context.close()
            browser.close()
    finally:
        gateway.stop()


if __name__ == "__main__":
    main()
