"""Screenshots of the main pages for the README, from a running portal with demo data.

    make run            # in one terminal (demo data loaded)
    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000]

Drives Debian's Chromium (/usr/bin/chromium) with Playwright; writes docs/screenshots/*.png:
every page in English and Japanese at desktop width (1366 px), and the pages partners and
CAMs use on the go at phone width (390 px) too: `NAME.png`, `NAME-ja.png`, `NAME-390.png`,
`NAME-390-ja.png`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# (login, path, name, also at phone width[, selector to click before the shot])
SHOTS = [
    ("partner@example.com", "/", "home-partner", True),
    ("partner@example.com", "/tiers/", "dashboard", True),
    ("partner@example.com", "/registrations/", "registrations", True),
    ("partner@example.com", "/registrations/deals/", "deals", True),
    ("partner@example.com", "/community/", "community", True),
    ("partner@example.com", "/enablement/", "enablement", True),
    ("cam@example.com", "/", "home-cam", True),
    ("cam@example.com", "/tiers/book/", "book", True),
    ("cam@example.com", "/registrations/queue/", "queue", True),
    # The cap reduction assistant for the demo's over-cap partner of cam@example.com's book, and its confirmation.
    ("cam@example.com", "/registrations/assistant/P00003/", "assistant", True),
    (
        "cam@example.com",
        "/registrations/assistant/P00003/",
        "assistant-confirm",
        True,
        "[data-testid=assistant-review]",
    ),
    ("admin@example.com", "/", "home-staff", True),  # the programme overview
    (
        "admin@example.com",
        "/admin/tiers/ruleset/?status__exact=draft",
        "ruleset-editor",
        False,
        "#result_list tbody th a",
    ),
    ("admin@example.com", "/community/review/hug-flags/", "hug-flags", False),
    ("admin@example.com", "/tiers/whatif/", "whatif", False, "[data-testid=whatif-form] button"),
    ("admin@example.com", "/enablement/awards/", "awards", False),
    ("admin@example.com", "/tiers/uploads/", "uploads", False),
    # The latest upload's page (upload a file first: the demo data holds none).
    ("admin@example.com", "/tiers/uploads/", "upload", False, "[data-testid=upload-record] tbody tr:first-child th a"),
]


def variants(also_phone: bool) -> list[tuple[str, dict[str, int], str]]:
    """(language, viewport, file-name suffix) for one page."""
    sizes = [(DESKTOP, "")] + ([(PHONE, "-390")] if also_phone else [])
    return [(lang, size, suffix + ("-ja" if lang == "ja" else "")) for size, suffix in sizes for lang in ("en", "ja")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default="demo-password")
    parser.add_argument("--only", nargs="*", metavar="NAME", help="shoot only these pages (e.g. uploads upload)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for email, path, name, also_phone, *click in SHOTS:
            if args.only and name not in args.only:
                continue
            for language, viewport, suffix in variants(also_phone):
                shoot(browser, args, email, language, viewport, path, f"{name}{suffix}.png", click)
        browser.close()


def shoot(browser, args, email, language, viewport, path, filename, click) -> None:
    context = browser.new_context(viewport=viewport, locale=language)
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
    page.screenshot(path=str(OUT / filename), full_page=True)
    print("wrote", OUT / filename)
    context.close()


if __name__ == "__main__":
    main()
