"""Writes to people and partners."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

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
) -> User:
    """Create a login with its role.

    1. Validate email, role and the role's partner link.
    2. Create the user (staff get Django staff status).
    3. For a CAM or CC, assign the partners of their book.
    """
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(_("'%(email)s' is not a valid email address") % {"email": email}) from exc
    if role not in Role.values:
        raise ValidationError(
            _("unknown role '%(role)s'; expected one of %(roles)s") % {"role": role, "roles": ", ".join(Role.values)}
        )
    if role in PARTNER_ROLES and partner is None:
        raise ValidationError(_("role '%(role)s' needs a partner") % {"role": role})
    if role not in PARTNER_ROLES and partner is not None:
        raise ValidationError(_("role '%(role)s' cannot belong to a partner") % {"role": role})
    book = list(book)
    if book and role not in {Role.CAM, Role.CC}:
        raise ValidationError(_("only a CAM or CC is assigned a book of partners, not '%(role)s'") % {"role": role})
    if User.objects.filter(email=email).exists():
        raise ValidationError(_("a user with email '%(email)s' already exists") % {"email": email})
    user = User.objects.create_user(
        email,
        password,
        role=role,
        partner=partner,
        full_name=full_name,
        is_staff=role == Role.STAFF,
    )
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
        raise ValidationError(_("role must be one of %(roles)s") % {"roles": ", ".join(sorted(PARTNER_ROLES))})
    return user_create(email=email, role=role, password=None, partner=partner, full_name=full_name)


@transaction.atomic
def partner_member_set_active(*, member: User, active: bool, acting_user: User) -> User:
    """Deactivate or reactivate a colleague; an admin cannot lock themself out."""
    if not (acting_user.is_partner_admin and acting_user.partner_id == member.partner_id):
        raise PermissionError("only this partner's org admins manage its users")
    if member.pk == acting_user.pk:
        raise ValidationError(_("you cannot deactivate your own login"))
    User.objects.filter(pk=member.pk).update(is_active=active)
    member.is_active = active
    return member
