"""A real browser: the CAM filters the book, clicks Export Excel and gets exactly the rows on screen (en and ja)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from portal.models import Tier
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def book(cam, other_cam):
    for name, tier in (("Alpha KK", Tier.GOLD), ("Beta GmbH", Tier.PLATINUM), ("Gamma Ltd", Tier.GOLD)):
        PartnerFactory(name=name, tier=tier, cam=cam)
    PartnerFactory(name="Elsewhere Gold", tier=Tier.GOLD, cam=other_cam)


def _download_rows(page, tmp_path, label: str) -> list[tuple]:
    with page.expect_download() as download_info:
        page.get_by_role("link", name=label).click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.suffix == ".xlsx" and path.name.startswith("cam-book-")
    return list(load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))


def test_cam_exports_the_filtered_book_to_excel_in_english_and_japanese(
    browser_login, cam, book, live_server, tmp_path
):
    page = browser_login(cam)
    page.goto(f"{live_server.url}/tiers/book/")
    rows = page.locator("[data-testid=book-row]")
    expect(rows).to_have_count(3)
    page.select_option("#id_tier", Tier.GOLD)  # htmx swaps the table, and its export links with it
    expect(rows).to_have_count(2)
    on_screen = [rows.nth(i).locator("td a").first.inner_text() for i in range(rows.count())]
    assert on_screen == ["Alpha KK", "Gamma Ltd"]

    sheet = _download_rows(page, tmp_path, "Export Excel")
    assert sheet[0][:4] == ("Partner ID", "Partner", "Country", "Tier")
    assert [row[1] for row in sheet[1:]] == on_screen
    assert {row[3] for row in sheet[1:]} == {"Gold"}

    page.select_option("#language", "ja")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ja"
    page.goto(f"{live_server.url}/tiers/book/?tier={Tier.GOLD}")
    expect(rows).to_have_count(2)
    sheet = _download_rows(page, tmp_path, "Excelをエクスポート")
    assert sheet[0][1] == "パートナー" and sheet[0][3] == "ティア"
    assert [row[1] for row in sheet[1:]] == on_screen
