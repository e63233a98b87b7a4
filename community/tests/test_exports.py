"""Exports of the programme review queues and a PUG's members: the rows on screen, never a self-identification."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community import services
from community.tests.conftest import TODAY as NOW
from tests.export_files import body, column, export_rows

pytestmark = pytest.mark.django_db
FORMATS = ["csv", "xlsx"]
TODAY = NOW.date()
SECRET = "Founded by two Black women in Osaka"


def _deib_apply(client):
    data = {"owners_identify_as_poc": "on", "statement": SECRET, "consent": "on"}
    return client.post(reverse("community:deib-apply"), data, follow=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_deib_export_lists_the_queue_without_any_self_identification(
    frozen, staff, partner_admin, cohort, client_for, fmt
):
    _deib_apply(client_for(partner_admin))
    client = client_for(staff)
    assert SECRET in client.get(reverse("community:review")).content.decode()  # on the page, for reviewers
    response = client.get(reverse("community:review-export", args=["deib", fmt]))
    rows = export_rows(response)
    assert column(rows, "Partner") == ["Own Agency"]
    text = " ".join(str(cell) for row in rows for cell in row)
    assert SECRET not in text and "colour" not in text and "Self-identification" not in text
    if fmt == "xlsx":  # not hidden somewhere in the workbook either (shared strings, other sheets)
        import io
        import zipfile

        archive = zipfile.ZipFile(io.BytesIO(body(client.get(reverse("community:review-export", args=["deib", fmt])))))
        assert all(SECRET.encode() not in archive.read(name) for name in archive.namelist())


@pytest.mark.parametrize("fmt", FORMATS)
def test_pug_queue_export_holds_the_rows_on_the_review_page(
    frozen, staff, partner_admin, other_partner_user, pug_group, cycle, client_for, fmt
):
    services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    services.pug_apply(user=other_partner_user, group=pug_group, cycle=cycle, today=TODAY)
    client = client_for(staff)
    on_screen = [app.partner.name for app in client.get(reverse("community:review")).context["pug_queue"]]
    rows = export_rows(client.get(reverse("community:review-export", args=["pug", fmt])))
    assert column(rows, "Partner") == on_screen and sorted(on_screen) == ["Other Agency", "Own Agency"]
    assert column(rows, "Group") == ["Sales leaders Japan"] * 2


def test_review_exports_are_for_reviewers_only(frozen, partner_admin, cam, cohort, client_for):
    for user in (partner_admin, cam):
        for kind in ("pug", "hug-lead", "deib"):
            assert client_for(user).get(reverse("community:review-export", args=[kind, "csv"])).status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_pug_members_export_is_for_members_and_lists_the_cohort(
    frozen, staff, partner_admin, other_partner_user, cam, pug_group, cycle, client_for, fmt
):
    application = services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    services.pug_decide(application=application, decision="accepted", actor=staff)
    services.pug_apply(user=other_partner_user, group=pug_group, cycle=cycle, today=TODAY)
    url = reverse("community:pug-members-export", args=[pug_group.pk, fmt])
    rows = export_rows(client_for(partner_admin).get(url))
    assert column(rows, "Partner") == ["Own Agency"]
    for outsider in (other_partner_user, cam):
        assert client_for(outsider).get(url).status_code == 404
