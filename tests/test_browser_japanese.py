"""In a real browser set to Japanese, the pages (after their scripts ran) show no English UI text.

The server-rendered check (`test_japanese_ui.py`) reads the HTML; this one reads the DOM
Chromium built, so text added by scripts (buttons, dialogs, collapsed navigation) counts too.
"""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tests import japanese_world as world_module
from tests.visible_text import english_pieces

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "viewport": {"width": 390, "height": 844}}


def test_japanese_pages_in_chromium_show_no_english_ui_text(browser_login, live_server):
    with time_machine.travel(world_module.NOW, tick=True):
        w = world_module.build()
        offences = []
        for user, paths in (
            (
                w.partner_admin,
                [
                    reverse("home"),
                    reverse("tiers:dashboard"),
                    reverse("registrations:capacity"),
                    reverse("registrations:deal", args=[w.deal.pk]),
                    reverse("community:index"),
                    reverse("api:tokens"),
                ],
            ),
            (w.cam, [reverse("registrations:queue"), reverse("tiers:book")]),
        ):
            page = browser_login(user)
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                assert page.evaluate("document.documentElement.lang") == "ja", path
                found = english_pieces(page.content(), names=world_module.NAMES)
                offences += [f"{user.email} {path}: {piece}" for piece in found]
            page.context.clear_cookies()
    assert not offences, "English UI text in Chromium (Japanese):\n" + "\n".join(offences)
