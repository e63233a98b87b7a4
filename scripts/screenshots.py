"""Screenshots of the main pages for the README, from a running portal with demo data.

    make run            # in one terminal (demo data loaded)
    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000]

Drives Debian's Chromium (/usr/bin/chromium) with Playwright; writes docs/screenshots/*.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]

# (login, language, path, file name[, selector to click before the shot])
SHOTS = [
    ("partner@example.com", "en", "/", "home-partner.png"),
    ("partner@example.com", "en", "/tiers/", "dashboard.png"),
    ("partner@example.com", "ja", "/tiers/", "dashboard-ja.png"),
    ("partner@example.com", "en", "/registrations/", "registrations.png"),
    ("partner@example.com", "en", "/community/", "community.png"),
    ("partner@example.com", "en", "/enablement/", "enablement.png"),
    ("cam@example.com", "en", "/tiers/book/", "book.png"),
    ("cam@example.com", "en", "/registrations/queue/", "queue.png"),
    ("admin@example.com", "en", "/tiers/whatif/", "whatif.png", "[data-testid=whatif-form] button"),
    ("admin@example.com", "en", "/enablement/awards/", "awards.png"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default="demo-password")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for email, language, path, name, *click in SHOTS:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language)
            context.add_cookies([{"name": "django_language", "value": language, "url": args.base}])
            page = context.new_page()
            page.goto(f"{args.base}/accounts/login/")
            page.fill("#id_username", email)
            page.fill("#id_password", args.password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{args.base}/")
            page.goto(f"{args.base}{path}")
            page.wait_for_load_state("networkidle")
            if click:
                page.click(click[0])
                page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name), full_page=True)
            print("wrote", OUT / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
