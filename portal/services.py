"""Writes to people and partners."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from portal.access import GROUP_NAMES, groups_ensure
from portal.models import PARTNER_ROLES, Partner, Role, User


@transaction.atomic
def user_create(
    *,
    email: str,
    role: str,
    password: str | None,
    partner: Partner | None = None,
    book: Iterable[Partner] = (),
    full_name: str = "",
    groups: Iterable[str] = (),
) -> User:
    """Create a login with its role.

    1. Validate email, role, the role's partner link and the staff groups (duties).
    2. Create the user (staff get Django staff status; rights come only from the groups).
    3. For a CAM or CC, assign the partners of their book.
    """
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(f"'{email}' is not a valid email address") from exc
    if role not in Role.values:
        raise ValidationError(f"unknown role '{role}'; expected one of {', '.join(Role.values)}")
    if role in PARTNER_ROLES and partner is None:
        raise ValidationError(f"role '{role}' needs a partner")
    if role not in PARTNER_ROLES and partner is not None:
        raise ValidationError(f"role '{role}' cannot belong to a partner")
    book = list(book)
    if book and role not in {Role.CAM, Role.CC}:
        raise ValidationError(f"only a CAM or CC is assigned a book of partners, not '{role}'")
    groups = list(dict.fromkeys(groups))
    if groups and role != Role.STAFF:
        raise ValidationError(f"only staff are put in groups, not '{role}'")
    unknown = [name for name in groups if name not in GROUP_NAMES]
    if unknown:
        raise ValidationError(f"unknown group(s) {', '.join(unknown)}; expected one of {', '.join(GROUP_NAMES)}")
    if User.objects.filter(email=email).exists():
        raise ValidationError(f"a user with email '{email}' already exists")
    user = User.objects.create_user(
        email,
        password,
        role=role,
        partner=partner,
        full_name=full_name,
        is_staff=role == Role.STAFF,
    )
    if groups:
        groups_ensure()
        user.groups.set(Group.objects.filter(name__in=groups))
    if book:
        field = "cam" if role == Role.CAM else "cc"
        Partner.objects.filter(pk__in=[p.pk for p in book]).update(**{field: user})
    return user


@transaction.atomic
def partner_member_invite(*, partner: Partner, email: str, full_name: str, role: str, acting_user: User) -> User:
    """An org admin adds a colleague; the new user sets a password via reset email."""
    if not (acting_user.is_partner_admin and acting_user.partner_id == partner.pk):
        raise PermissionError("only this partner's org admins manage its users")
    if role not in PARTNER_ROLES:
        raise ValidationError(f"role must be one of {', '.join(sorted(PARTNER_ROLES))}")
    return user_create(email=email, role=role, password=None, partner=partner, full_name=full_name)


@transaction.atomic
def partner_member_set_active(*, member: User, active: bool, acting_user: User) -> User:
    """Deactivate or reactivate a colleague; an admin cannot lock themself out."""
    if not (acting_user.is_partner_admin and acting_user.partner_id == member.partner_id):
        raise PermissionError("only this partner's org admins manage its users")
    if member.pk == acting_user.pk:
        raise ValidationError("you cannot deactivate your own login")
    User.objects.filter(pk=member.pk).update(is_active=active)
    member.is_active = active
    return member
