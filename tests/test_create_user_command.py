from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from portal.models import Partner, Role, User
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_creates_partner_admin_with_password(partner):
    call_command(
        "create_user",
        "Boss@Own.example.test",
        "--role",
        "partner_admin",
        "--partner",
        partner.partner_id,
        "--password",
        "s3cret-pass-123",
    )
    user = User.objects.get(email="boss@own.example.test")
    assert user.role == Role.PARTNER_ADMIN
    assert user.partner == partner
    assert user.check_password("s3cret-pass-123")


def test_creates_cam_with_book():
    first, second, untouched = PartnerFactory(), PartnerFactory(), PartnerFactory()
    call_command(
        "create_user", "newcam@example.test", "--role", "cam", "--partners", f"{first.partner_id},{second.partner_id}"
    )
    cam = User.objects.get(email="newcam@example.test")
    assert set(Partner.objects.filter(cam=cam)) == {first, second}
    untouched.refresh_from_db()
    assert untouched.cam is None


def test_staff_role_gets_admin_access():
    call_command("create_user", "ops@example.test", "--role", "staff", "--password", "s3cret-pass-123")
    assert User.objects.get(email="ops@example.test").is_staff


def test_staff_without_a_group_gets_no_rights():
    call_command("create_user", "bare@example.test", "--role", "staff")
    user = User.objects.get(email="bare@example.test")
    assert not user.is_superuser and not user.groups.exists()
    assert not user.has_perm("tiers.publish_ruleset") and not user.has_perm("portal.view_partner")


def test_group_option_puts_staff_in_duty_groups():
    call_command("create_user", "two@example.test", "--role", "staff", "--group", "Reviewers", "--group", "Auditors")
    user = User.objects.get(email="two@example.test")
    assert set(user.groups.values_list("name", flat=True)) == {"Reviewers", "Auditors"}
    assert user.has_perm("community.review_applications") and user.has_perm("tiers.view_ruleset")
    assert not user.has_perm("tiers.publish_ruleset")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x@example.test", "--role", "partner_member"], "needs a partner"),
        (["x@example.test", "--role", "cam", "--partner", "P10001"], "cannot belong to a partner"),
        (["x@example.test", "--role", "partner_admin", "--partner", "NOPE"], "unknown partner id(s): NOPE"),
        (["x@example.test", "--role", "cam", "--partners", "P10001,NOPE"], "unknown partner id(s): NOPE"),
        (["not-an-email", "--role", "staff"], "not a valid email"),
        (["x@example.test", "--role", "staff", "--partners", "P10001"], "only a CAM or CC"),
        (["x@example.test", "--role", "staff", "--group", "Wizards"], "unknown group(s) Wizards"),
        (["x@example.test", "--role", "cam", "--group", "Auditors"], "only staff are put in groups"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(partner, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("create_user", *args)
    assert User.objects.count() == before
    partner.refresh_from_db()
    assert partner.cam.email == "cam@example.test"


def test_existing_email_is_refused(partner_admin):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_user", partner_admin.email, "--role", "staff")
