"""Typed audit events: each app names its subjects in `AuditEntry.Subject`, rows are written through `log`."""

from __future__ import annotations

import pytest

from community.models import AuditEntry as CommunityAudit
from enablement.models import AuditEntry as EnablementAudit
from portal.history import audit_history_items


def test_subjects_are_typed_and_labelled_from_their_choices():
    assert dict(CommunityAudit.Subject.choices) == CommunityAudit.SUBJECTS
    assert str(CommunityAudit.SUBJECTS["deib_application"]) == "DEI&B application"
    assert str(EnablementAudit.SUBJECTS["accreditation_mark"]) == "Mark on record"
    # Each app's table has its own subjects.
    assert "impact_award" not in CommunityAudit.SUBJECTS


def test_an_unknown_subject_is_refused_before_anything_is_written(partner, cam):
    with pytest.raises(ValueError, match="not an audit subject"):
        CommunityAudit.log("impact_award", partner, new="published", actor=cam)
    assert not CommunityAudit.objects.exists()


def test_log_derives_the_object_and_partner_and_keeps_a_job_without_actor(partner_admin, partner, cam):
    row = CommunityAudit.log(CommunityAudit.Subject.BLACK_AT_INBOUND, partner_admin, old="member", new="left")
    row.refresh_from_db()
    assert (row.subject, row.object_id, row.partner_id) == ("black_at_inbound", partner_admin.pk, partner.pk)
    assert (row.from_state, row.to_state, row.actor_id) == ("member", "left", None)
    # A partner given by id wins over the object's own, and states are stored as text.
    other = CommunityAudit.log(
        CommunityAudit.Subject.HUG_GROUP_LEADER,
        partner_admin,
        old=None or "",
        new=partner.pk,
        actor=cam,
        partner=partner.pk,
    )
    assert (other.to_state, other.actor_id) == (str(partner.pk), cam.pk)


def test_the_history_page_shows_the_subject_and_state_labels(partner, cam):
    CommunityAudit.log(CommunityAudit.Subject.HUG_MEMBERSHIP, partner, new="member", actor=cam, partner=partner)
    [item] = audit_history_items(CommunityAudit, partner=partner, limit=10, kind="Community")
    assert (item.subject, item.old, item.new) == (f"HUG membership #{partner.pk}", "∅", "Member")
