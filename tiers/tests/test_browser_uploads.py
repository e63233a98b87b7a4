"""Uploads in a real browser: staff upload an MRR file and watch its progress reach done; a bad file shows every
problem with its line number and the MRR table is unchanged."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from playwright.sync_api import expect

from portal.access import groups_sync
from tests.factories import PartnerFactory
from tiers import uploads
from tiers.models import CustomerMRR, Upload
from tiers.tests.factories import points_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADER = "partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr\n"
GOOD = HEADER + "P1,2022-07,acme.example.com,US,USD,1200.00,0\nP2,2022-07,globex.example.com,JP,USD,0,300.50\n"
BAD = (
    HEADER
    + "P1,2022-07,acme.example.com,US,USD,12,0\nP9,2022-07,x.example.com,US,USD,1,0\nP2,2022-07,y.example.com,ZZ,USD,1,0\n"
)


@pytest.fixture
def programme():
    # After another transactional test's flush, the restored database may hold the duty groups but no
    # permissions: create them and refill the groups, so the staff persona holds its duties' rights.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    groups_sync()
    points_rules(effective_from="2022-01-01", currencies=["USD"])
    for pid in ("P1", "P2"):
        PartnerFactory(partner_id=pid)


def upload(page, live_server, name: str, text: str) -> None:
    page.goto(f"{live_server.url}/tiers/uploads/")
    page.select_option("#id_kind", "mrr")
    page.set_input_files("#id_file", {"name": name, "mimeType": "text/csv", "buffer": text.encode()})
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and import").click()


def test_staff_upload_mrr_and_watch_the_progress_reach_done(programme, browser_login, staff, live_server, monkeypatch):
    # The worker is held back so the page is seen waiting and polling; then it runs.
    monkeypatch.setattr(uploads, "_enqueue", lambda upload_id: None)
    page = browser_login(staff)
    upload(page, live_server, "mrr-2022-07.csv", GOOD)
    progress = page.get_by_test_id("upload-progress")
    expect(progress).to_have_attribute("data-status", "queued")
    expect(progress.locator("progress")).to_be_visible()

    uploads.upload_run(upload_id=Upload.objects.get().pk)

    expect(progress).to_have_attribute("data-status", "done", timeout=10_000)  # the 1-second poll, no reload
    expect(page.get_by_test_id("rows-read")).to_have_text("2")
    expect(page.get_by_test_id("rows-rejected")).to_have_text("0")
    expect(page.get_by_test_id("upload-result")).to_contain_text("2 MRR rows imported.")
    assert CustomerMRR.objects.count() == 2
    page.get_by_role("link", name="Uploads").first.click()
    expect(page.get_by_test_id("upload-record").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("upload-record")).to_contain_text("mrr-2022-07.csv")


def test_a_bad_mrr_file_shows_every_problem_with_its_line_and_writes_nothing(
    programme, browser_login, staff, live_server
):
    page = browser_login(staff)
    upload(page, live_server, "bad.csv", BAD)

    progress = page.get_by_test_id("upload-progress")
    expect(progress).to_have_attribute("data-status", "refused", timeout=10_000)
    errors = page.get_by_test_id("upload-errors").locator("li")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_have_text(re.compile(r"^line 3: .*P9"))
    expect(errors.nth(1)).to_have_text(re.compile(r"^line 4: .*ZZ"))
    expect(page.get_by_test_id("rows-rejected")).to_have_text("2")
    expect(progress).to_contain_text("Nothing was written.")
    assert not CustomerMRR.objects.exists()
