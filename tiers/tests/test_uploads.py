"""Staff upload the MRR, partner and rule-set files in the browser (issue #12 item 1): the file is kept in the
database, the worker imports it through the import services with progress, a refused file lists every problem
with its line number and writes nothing, and every upload is on record."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from portal.access import PARTNER_OPERATIONS, PROGRAMME_MANAGERS, REVIEWERS
from portal.models import Partner
from tests.factories import PartnerFactory, StaffFactory
from tiers import uploads
from tiers.models import CustomerMRR, MonthCompleteness, RuleSet, RuleSetStatus, Upload, UploadStatus
from tiers.tests.factories import points_rules, rules_doc

pytestmark = pytest.mark.django_db

HEADER = "partner_id,month,customer_domain,customer_country,currency,sold_mrr,managed_mrr\n"
GOOD_MRR = HEADER + "P1,2022-07,acme.example.com,US,USD,1200.00,0\nP2,2022-07,globex.example.com,JP,USD,0,300.50\n"
BAD_MRR = (
    HEADER
    + "P1,2022-07,acme.example.com,US,USD,1200.00,0\n"
    + "P9,2022-07,nobody.example.com,US,USD,10,0\n"
    + "P2,2022-07,globex.example.com,JP,USD,lots,0\n"
)


@pytest.fixture
def programme():
    points_rules(effective_from="2022-01-01", currencies=["USD", "EUR", "JPY"])
    return {pid: PartnerFactory(partner_id=pid) for pid in ("P1", "P2")}


def csv_file(text: str, name: str = "mrr-2022-07.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def post_upload(client, django_capture_on_commit_callbacks, *, kind: str, file, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("tiers:uploads"), {"kind": kind, "file": file, **extra})


# --- the service -------------------------------------------------------------


def test_an_upload_is_kept_in_the_database_and_imported_through_the_mrr_service(
    programme, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = uploads.upload_create(kind="mrr", file=csv_file(GOOD_MRR), acting_user=staff, complete=True)

    upload.refresh_from_db()
    assert bytes(upload.content) == GOOD_MRR.encode()
    assert (upload.size, upload.sha256) == (len(GOOD_MRR), hashlib.sha256(GOOD_MRR.encode()).hexdigest())
    assert (upload.status, upload.phase, upload.rows_read, upload.rows_rejected) == ("done", "finished", 2, 0)
    assert upload.result == {"rows": 2, "complete": True}
    assert upload.uploaded_by == staff and upload.finished_at is not None
    assert set(CustomerMRR.objects.values_list("partner__partner_id", "customer_domain")) == {
        ("P1", "acme.example.com"),
        ("P2", "globex.example.com"),
    }
    month = MonthCompleteness.objects.get(month=dt.date(2022, 7, 1))
    assert month.complete and staff.email in month.completed_by


def test_a_refused_mrr_upload_keeps_every_problem_with_its_line_and_writes_nothing(programme, staff):
    before = CustomerMRR.objects.count()
    upload = uploads.upload_create(kind="mrr", file=csv_file(BAD_MRR), acting_user=staff)
    upload = uploads.upload_run(upload_id=upload.pk)

    assert upload.status == UploadStatus.REFUSED
    assert [error.split(":")[0] for error in upload.errors] == ["line 3", "line 4"]
    assert "P9" in upload.errors[0]
    assert (upload.rows_read, upload.rows_rejected) == (3, 2)
    assert CustomerMRR.objects.count() == before
    assert not MonthCompleteness.objects.filter(month=dt.date(2022, 7, 1)).exists()


def test_a_file_that_is_not_text_is_refused_naming_its_line_and_column(programme, staff):
    data = (HEADER + "P1,2022-07,acme.example.com,US,USD,1\x00,0\n").encode()
    upload = uploads.upload_create(kind="mrr", file=SimpleUploadedFile("mrr.csv", data), acting_user=staff)
    upload = uploads.upload_run(upload_id=upload.pk)

    assert upload.status == UploadStatus.REFUSED
    assert upload.errors[0].startswith("line 2, column 37: a NUL byte")
    assert not CustomerMRR.objects.exists()


def test_a_second_run_of_the_same_upload_changes_nothing(programme, staff):
    upload = uploads.upload_create(kind="mrr", file=csv_file(GOOD_MRR), acting_user=staff)
    first = uploads.upload_run(upload_id=upload.pk)
    CustomerMRR.objects.all().delete()

    again = uploads.upload_run(upload_id=upload.pk)

    assert (first.status, again.status, again.finished_at) == ("done", "done", first.finished_at)
    assert not CustomerMRR.objects.exists()  # not imported a second time


def test_an_upload_whose_worker_died_long_ago_is_imported_when_its_task_comes_again(programme, staff):
    upload = uploads.upload_create(kind="mrr", file=csv_file(GOOD_MRR), acting_user=staff)
    stale = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.RUNNING, started_at=stale)

    again = uploads.upload_run(upload_id=upload.pk)

    assert (again.status, again.rows_read) == ("done", 2) and again.started_at > stale
    assert CustomerMRR.objects.count() == 2


def test_partner_and_rule_set_files_go_through_their_own_services(staff):
    partners = "partner_id,name,kind,country,joined_on\nP77,Seventy Seven KK,solutions_partner,JP,2021-04-01\n"
    done = uploads.upload_run(
        upload_id=uploads.upload_create(kind="partners", file=csv_file(partners), acting_user=staff).pk
    )
    rules = json.dumps(rules_doc(name="Uploaded 2030", effective_from="2030-01-01", currencies=["USD"]))
    draft = uploads.upload_run(
        upload_id=uploads.upload_create(
            kind="rule_set", file=csv_file(rules, "rules.json"), acting_user=staff, draft=True
        ).pk
    )

    assert (done.status, done.result) == ("done", {"created": 1, "updated": 0, "tier_changes": 0})
    assert Partner.objects.get(partner_id="P77").name == "Seventy Seven KK"
    assert draft.status == "done" and draft.result["status"] == RuleSetStatus.DRAFT
    assert RuleSet.objects.get(name="Uploaded 2030").status == RuleSetStatus.DRAFT


def test_a_japanese_uploader_reads_the_problems_in_japanese(programme, staff):
    from django.utils import translation

    with translation.override("ja"):
        upload = uploads.upload_create(kind="mrr", file=csv_file(BAD_MRR), acting_user=staff)
    upload = uploads.upload_run(upload_id=upload.pk)

    assert upload.language == "ja"
    assert [error.split(":")[0] for error in upload.errors] == ["3行目", "4行目"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="progress apart from the import is PostgreSQL's")
def test_progress_is_visible_to_another_connection_while_the_import_runs(monkeypatch):
    """What the polling page sees, read from a connection of its own at each report."""
    points_rules(effective_from="2022-01-01", currencies=["USD", "EUR", "JPY"])
    for pid in ("P1", "P2"):
        PartnerFactory(partner_id=pid)
    staff = StaffFactory(email="uploader@example.test")
    seen: list[tuple] = []
    original = uploads._write_apart

    def observed(upload_id: int, fields: dict) -> None:
        original(upload_id, fields)
        assert connection.in_atomic_block  # the import's transaction is open
        thread = threading.Thread(target=lambda: seen.append(_read_apart(upload_id)))
        thread.start()
        thread.join()

    monkeypatch.setattr(uploads, "_write_apart", observed)
    good = uploads.upload_run(
        upload_id=uploads.upload_create(kind="mrr", file=csv_file(GOOD_MRR), acting_user=staff).pk
    )
    good_seen, seen[:] = list(seen), []
    bad = uploads.upload_run(upload_id=uploads.upload_create(kind="mrr", file=csv_file(BAD_MRR), acting_user=staff).pk)

    assert good.status == "done" and bad.status == "refused"
    assert ("running", "writing", 2, 0) in good_seen  # the fast way: coarse phases, the count at the end
    assert ("running", "checking", 3, 2) in seen  # the row-by-row way: rows read and rejected before refusing


def _read_apart(upload_id: int) -> tuple:
    try:
        return tuple(
            Upload.objects.filter(pk=upload_id).values_list("status", "phase", "rows_read", "rows_rejected").get()
        )
    finally:
        connection.close()


# --- the pages ---------------------------------------------------------------


def test_staff_upload_a_file_and_follow_it_to_the_outcome(
    programme, staff, client_for, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    response = post_upload(client, django_capture_on_commit_callbacks, kind="mrr", file=csv_file(GOOD_MRR))
    upload = Upload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tiers:upload", kwargs={"pk": upload.pk})

    page = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in page and "2 MRR rows imported." in page
    assert 'hx-trigger="every 1s"' not in page  # finished: the page stops polling
    listed = client.get(reverse("tiers:uploads")).content.decode()
    assert f'data-upload="{upload.pk}"' in listed and "mrr-2022-07.csv" in listed and staff.email in listed


def test_the_progress_partial_polls_every_second_until_the_import_finishes(programme, staff, client_for):
    client = client_for(staff)
    upload = uploads.upload_create(kind="mrr", file=csv_file(BAD_MRR), acting_user=staff)  # not run: queued
    url = reverse("tiers:upload", kwargs={"pk": upload.pk})

    queued = client.get(url, headers={"HX-Request": "true"}).content.decode()
    uploads.upload_run(upload_id=upload.pk)
    refused = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert queued.lstrip().startswith('<section class="card section upload-progress"')  # the partial only
    assert 'hx-trigger="every 1s"' in queued and "<progress" in queued
    assert 'hx-trigger="every 1s"' not in refused and 'data-status="refused"' in refused
    assert "line 3:" in refused and "line 4:" in refused and "Nothing was written." in refused


def test_the_upload_record_reads_a_fixed_number_of_queries_however_many_uploads(
    programme, staff, client_for, django_assert_max_num_queries
):
    for n in range(30):
        uploads.upload_create(kind="mrr", file=csv_file(GOOD_MRR, f"mrr-{n}.csv"), acting_user=staff)
    client = client_for(staff)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("tiers:uploads")).content.decode()
    assert page.count("data-upload=") == 25  # one page of the record
    assert "Page 1 of 2" in page and 'href="?page=2"' in page
    second = client.get(reverse("tiers:uploads"), {"page": 2}).content.decode()
    assert second.count("data-upload=") == 5 and 'href="?page=1"' in second


def test_a_month_is_marked_complete_in_one_click(programme, staff, client_for):
    MonthCompleteness.objects.create(month=dt.date(2022, 7, 1))
    client = client_for(staff)
    assert 'value="2022-07"' in client.get(reverse("tiers:uploads")).content.decode()

    response = client.post(reverse("tiers:upload-month-complete"), {"month": "2022-07"})

    assert response.status_code == 302
    month = MonthCompleteness.objects.get(month=dt.date(2022, 7, 1))
    assert month.complete and staff.email in month.completed_by


def test_an_empty_file_is_refused_on_the_form_and_nothing_is_stored(staff, client_for):
    response = client_for(staff).post(
        reverse("tiers:uploads"), {"kind": "mrr", "file": SimpleUploadedFile("empty.csv", b"")}
    )
    assert response.status_code == 400
    assert not Upload.objects.exists()


@pytest.mark.parametrize("persona", ["partner_admin", "cam"])
def test_partner_and_cam_users_cannot_see_or_use_the_upload_pages(persona, request, staff, client_for):
    upload = uploads.upload_create(kind="mrr", file=csv_file(GOOD_MRR), acting_user=staff)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(reverse("tiers:uploads")).status_code == 404
    assert client.get(reverse("tiers:upload", kwargs={"pk": upload.pk})).status_code == 404
    assert client.post(reverse("tiers:uploads"), {"kind": "mrr", "file": csv_file(GOOD_MRR)}).status_code == 404
    assert client.post(reverse("tiers:upload-month-complete"), {"month": "2022-07"}).status_code == 404
    assert Upload.objects.count() == 1 and not MonthCompleteness.objects.exists()


def test_staff_without_the_upload_duty_get_403_and_each_kind_needs_its_import_right(client_for):
    reviewer = StaffFactory(email="reviewer@example.test", groups=[REVIEWERS])
    operations = StaffFactory(email="ops@example.test", groups=[PARTNER_OPERATIONS])
    assert client_for(reviewer).get(reverse("tiers:uploads")).status_code == 403
    assert client_for(operations).get(reverse("tiers:uploads")).status_code == 403

    # Programme managers import MRR and rule sets; the partner list also needs Partner operations' right.
    manager = StaffFactory(email="pm@example.test", groups=[PROGRAMME_MANAGERS])
    both = StaffFactory(email="both@example.test", groups=[PROGRAMME_MANAGERS, PARTNER_OPERATIONS])
    assert uploads.upload_kinds_for(manager) == ["mrr", "rule_set"]
    assert uploads.upload_kinds_for(both) == ["mrr", "partners", "rule_set"]
    response = client_for(manager).post(reverse("tiers:uploads"), {"kind": "partners", "file": csv_file("x\n")})
    assert response.status_code == 400 and not Upload.objects.exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_imports_the_upload_from_the_database(celery_app_on_redis):
    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    points_rules(effective_from="2022-01-01", currencies=["USD"])
    for pid in ("P1", "P2"):
        PartnerFactory(partner_id=pid)
    staff = StaffFactory(email="uploader@example.test")
    upload = uploads.upload_create(kind="mrr", file=csv_file(GOOD_MRR), acting_user=staff)  # enqueued on commit

    with start_worker(celery_app_on_redis, perform_ping_check=False, pool="solo", shutdown_timeout=20):
        outcome = celery_app_on_redis.send_task("tiers.tasks.run_upload", args=[upload.pk]).get(timeout=60)
    connections.close_all()

    upload.refresh_from_db()
    assert outcome == {"upload": upload.pk, "status": "done", "rows": 2}
    assert (upload.status, upload.rows_read) == ("done", 2)
    assert CustomerMRR.objects.count() == 2


def test_the_staff_home_and_menu_link_to_uploads_for_those_who_may_upload(client_for, staff):
    reviewer = StaffFactory(email="reviewer@example.test", groups=[REVIEWERS])
    url = reverse("tiers:uploads")

    assert client_for(staff).get(reverse("home")).content.decode().count(f'href="{url}"') == 2  # menu and home card
    assert f'href="{url}"' not in client_for(reviewer).get(reverse("home")).content.decode()


def test_a_finished_upload_reads_as_finished_in_japanese_not_as_a_date_label():
    # The project catalogue once translated the job-run column "Finished" as 終了日時 (finished at),
    # which shadowed the upload phase's own translation.
    from django.utils import translation

    from tiers.models import UploadPhase

    with translation.override("ja"):
        assert str(UploadPhase.FINISHED.label) == "終了"
        assert translation.gettext("Finished at") == "終了日時"
