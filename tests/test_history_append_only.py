"""History nobody can edit: admin, ORM and (on PostgreSQL) raw SQL all refuse to change or delete it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from community.models import AuditEntry as CommunityAudit
from enablement.models import AuditEntry as EnablementAudit
from portal.models import HistoryIsAppendOnly, Partner, Role, Tier, User
from registrations.models import Deal, DealEvent, DealNote, DomainRegistration, RegistrationConfig, RegistrationEvent
from tests.factories import StaffFactory, UserFactory
from tiers.models import TierChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(partner, cam):
    """One row of every append-only history table, all about `partner`."""
    now = timezone.now()
    registration = DomainRegistration.objects.create(partner=partner, domain="acme.example", submitted_at=now)
    deal = Deal.objects.create(
        partner=partner,
        company_name="Acme",
        expected_mrr=Decimal("100"),
        expected_close_on=dt.date(2030, 1, 1),
        submitted_at=now,
    )
    return {
        "registration_event": RegistrationEvent.objects.create(
            registration=registration, at=now, actor=cam, from_status="", to_status="pending", reason="new"
        ),
        "deal_event": DealEvent.objects.create(deal=deal, at=now, actor=cam, to_status="pending"),
        "deal_note": DealNote.objects.create(deal=deal, author=cam, body="Call them Tuesday", created_at=now),
        "tier_change": TierChange.objects.create(
            partner=partner,
            from_tier=Tier.SOLUTIONS_PARTNER,
            to_tier=Tier.GOLD,
            reason="manual",
            effective_on=dt.date(2024, 1, 1),
            changed_by=cam,
            note="by hand",
        ),
        "community_audit": CommunityAudit.log(
            CommunityAudit.Subject.PUG_APPLICATION, partner, new="accepted", actor=cam, partner=partner
        ),
        "enablement_audit": EnablementAudit.log(
            EnablementAudit.Subject.PARTNER_ACCREDITATION, partner, new="active", actor=cam, partner=partner
        ),
        "partner_history": partner.history.first(),
    }


ROWS = [
    "registration_event",
    "deal_event",
    "deal_note",
    "tier_change",
    "community_audit",
    "enablement_audit",
    "partner_history",
]


@pytest.mark.parametrize("name", ROWS)
def test_orm_refuses_update_delete_and_resave(history, name):
    row = history[name]
    rows = type(row).objects.filter(pk=row.pk)
    with pytest.raises(HistoryIsAppendOnly):
        rows.update(pk=row.pk)
    with pytest.raises(HistoryIsAppendOnly):
        rows.delete()
    with pytest.raises(HistoryIsAppendOnly):
        row.save()
    with pytest.raises(HistoryIsAppendOnly):
        row.delete()
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's; SQLite has the ORM guard")
@pytest.mark.parametrize("name", ROWS)
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET {pk} = {pk} WHERE {pk} = %s", "DELETE FROM {table} WHERE {pk} = %s"]
)
def test_postgresql_refuses_raw_update_and_delete(history, name, statement):
    row = history[name]
    meta = type(row)._meta
    sql = statement.format(table=connection.ops.quote_name(meta.db_table), pk=meta.pk.column)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [row.pk])
    assert type(row).objects.filter(pk=row.pk).exists()


HISTORY_ADMINS = [RegistrationEvent, DealEvent, DealNote, TierChange, CommunityAudit, EnablementAudit]


@pytest.fixture
def superuser(db):
    return StaffFactory(email="root@example.test", is_superuser=True)


@pytest.mark.parametrize("model", HISTORY_ADMINS)
def test_admin_offers_no_change_and_no_delete_even_to_a_superuser(client_for, superuser, history, model):
    row = model.objects.get()
    model_admin = admin.site._registry[model]
    request = type("R", (), {"user": superuser})()
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)
    client = client_for(superuser)
    info = (model._meta.app_label, model._meta.model_name)
    change = client.post(reverse(f"admin:{info[0]}_{info[1]}_change", args=[row.pk]), {"reason": "edited"})
    delete = client.post(reverse(f"admin:{info[0]}_{info[1]}_delete", args=[row.pk]), {"post": "yes"})
    assert change.status_code in {302, 403} and delete.status_code == 403
    assert model.objects.filter(pk=row.pk).exists()
    changelist = client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
    action_form = changelist.context["action_form"]
    assert action_form is None or "delete_selected" not in dict(action_form.fields["action"].choices)


def test_admin_adds_no_history_except_a_manual_tier_change(client_for, superuser):
    client = client_for(superuser)
    for model in (RegistrationEvent, DealEvent, DealNote, CommunityAudit, EnablementAudit):
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse(f"admin:{info[0]}_{info[1]}_add")).status_code == 403, model


def test_deleting_a_registration_cannot_take_its_events(history):
    registration = history["registration_event"].registration
    with pytest.raises(ProtectedError):
        registration.delete()
    assert RegistrationEvent.objects.filter(registration=registration).exists()


def test_a_cam_with_history_cannot_be_deleted_and_admin_offers_no_user_delete(client_for, superuser, history, cam):
    with pytest.raises(ProtectedError):
        cam.delete()
    response = client_for(superuser).post(reverse("admin:portal_user_delete", args=[cam.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=cam.pk).exists()
    assert Partner.objects.filter(cam=cam).exists()


def test_a_partner_with_history_cannot_be_deleted(history, partner):
    with pytest.raises(ProtectedError):
        partner.delete()


def test_publishing_a_rule_set_records_who_published_it(staff):
    from tiers.services import rule_set_publish
    from tiers.tests.factories import points_rules

    rule_set = points_rules(draft=True)
    rule_set_publish(rule_set=rule_set, acting_user=staff)
    rule_set.refresh_from_db()
    assert rule_set.status == "published" and rule_set.published_by == staff
    record = rule_set.history.order_by("-history_date").first()
    assert record.history_user == staff and record.history_change_reason == "published"
    assert record.prev_record.status == "draft"


def test_changing_a_partners_cam_in_admin_records_old_and_new_with_the_actor(
    client_for, partner, cam, other_cam, history
):
    operations = StaffFactory(email="ops@example.test", groups=["Partner operations", "Auditors"])
    client = client_for(operations)
    url = reverse("admin:portal_partner_change", args=[partner.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data |= {"cam": other_cam.pk, "country": "JP"}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    record = partner.history.order_by("-history_date").first()
    assert record.history_user == operations
    change = {c.field: c for c in record.diff_against(record.prev_record).changes}["cam"]
    assert (change.old, change.new) == (cam.pk, other_cam.pk)

    page = client.get(reverse("partner-history", args=[partner.partner_id])).content.decode()
    assert "cam@example.test" in page and "other-cam@example.test" in page and "ops@example.test" in page


def test_editing_the_caps_keeps_old_and_new_values(client_for):
    manager = StaffFactory(email="mgr@example.test", groups=["Programme managers"])
    config = RegistrationConfig.get()
    client = client_for(manager)
    url = reverse("admin:registrations_registrationconfig_change", args=[config.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["cap_gold"] = 20
    assert client.post(url, data).status_code == 302
    record = config.history.order_by("-history_date").first()
    assert record.history_user == manager and record.cap_gold == 20
    assert record.prev_record is None or record.prev_record.cap_gold == 15


def test_partner_history_page_shows_every_kind_newest_first(client_for, history, partner, other_partner):
    auditor = StaffFactory(email="aud@example.test", groups=["Auditors"])
    client = client_for(auditor)
    response = client.get(reverse("partner-history", args=[partner.partner_id]))
    body = response.content.decode()
    for text in ("acme.example", "Acme", "Gold", "PUG application", "accreditation", "by hand", "cam@example.test"):
        assert text in body, text
    assert client.get(reverse("partner-history", args=["NOPE"])).status_code == 404
    # Another partner's page shows none of this partner's history.
    other = client.get(reverse("partner-history", args=[other_partner.partner_id])).content.decode()
    assert "acme.example" not in other


def test_partner_history_page_query_count_is_bounded(
    client_for, history, partner, cam, other_cam, django_assert_max_num_queries
):
    for i in range(6):  # CAM changes: each names two users, fetched in one query for the page
        partner.cam = other_cam if i % 2 == 0 else cam
        partner.save()
    for i in range(20):
        RegistrationEvent.objects.create(
            registration=history["registration_event"].registration,
            at=timezone.now(),
            to_status="registered",
            reason=f"r{i}",
        )
    client = client_for(StaffFactory(email="aud2@example.test", groups=["Auditors"]))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("partner-history", args=[partner.partner_id])).status_code == 200


def test_partner_admin_links_to_the_whole_history(client_for, superuser, partner):
    body = client_for(superuser).get(reverse("admin:portal_partner_change", args=[partner.pk])).content.decode()
    assert reverse("partner-history", args=[partner.partner_id]) in body


def test_partner_operations_cannot_grant_rights(client_for):
    operations = StaffFactory(email="ops2@example.test", groups=["Partner operations"])
    target = UserFactory(email="new-staff@example.test", role=Role.STAFF, is_staff=True)
    url = reverse("admin:portal_user_change", args=[target.pk])
    readonly = client_for(operations).get(url).context["adminform"].readonly_fields
    assert {"is_superuser", "groups", "user_permissions", "is_staff"} <= set(readonly)


def test_changing_a_users_role_and_groups_in_admin_is_recorded(client_for, superuser, cam):
    client = client_for(superuser)
    url = reverse("admin:portal_user_change", args=[cam.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.pop("password", None)
    data |= {"role": Role.STAFF, "is_staff": "on", "groups": [g.pk for g in Group.objects.filter(name="Auditors")]}
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    latest = cam.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == superuser
    assert latest.role == Role.STAFF
    assert [g.group.name for g in latest.groups.all()] == ["Auditors"]
    roles = list(cam.history.order_by("history_date", "history_id").values_list("role", flat=True))
    assert roles[0] == Role.CAM and roles[-1] == Role.STAFF
