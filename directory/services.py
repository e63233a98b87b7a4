"""Writes of the directory: a partner's listing, and staff hiding one. Atomic and audited."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Avg, Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from directory.caching import directory_cache_bump
from directory.models import AuditEntry, PartnerProfile, Review, ReviewStatus
from portal.access import acting_user_require
from portal.errors import Forbidden, PortalError
from portal.models import Partner, User

HIDE_LISTINGS = "directory.change_partnerprofile"
# Paths of the directory that a partner's web address must not take.
RESERVED_SLUGS = {"my-profile", "language", "reviews", "review", "partner-of-the-year"}
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 2000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
# The columns a partner edits, in the order the audit row names them.
PROFILE_FIELDS = ("tagline", "description", "website", "services", "languages", "listed")


class DirectoryError(PortalError):
    """A directory rule said no. The message is shown to the person as is."""

    code = "directory_refused"


@dataclass(frozen=True)
class Logo:
    content: bytes
    content_type: str


def logo_read(upload: UploadedFile) -> Logo:
    """A logo as stored: a PNG, JPEG or WebP of at most 1 MB and 2000 × 2000 pixels, re-encoded by Pillow,
    so nothing but the pixels (no metadata, no trailing bytes) reaches the public page."""
    if upload.size is not None and upload.size > LOGO_MAX_BYTES:
        raise DirectoryError(_("The logo is larger than 1 MB. Save it smaller and upload it again."), field="logo_file")
    data = upload.read(LOGO_MAX_BYTES + 1)
    if len(data) > LOGO_MAX_BYTES:
        raise DirectoryError(_("The logo is larger than 1 MB. Save it smaller and upload it again."), field="logo_file")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image_format not in LOGO_FORMATS:
            raise DirectoryError(_("The logo must be a PNG, JPEG or WebP image."), field="logo_file")
        if max(image.size) > LOGO_MAX_PIXELS:
            raise DirectoryError(
                _("The logo is %(width)s × %(height)s pixels; at most 2000 × 2000 fits.")
                % {"width": image.size[0], "height": image.size[1]},
                field="logo_file",
            )
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise DirectoryError(_("The logo must be a PNG, JPEG or WebP image."), field="logo_file") from exc
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    image.save(out, format=image_format, optimize=True)
    return Logo(out.getvalue(), LOGO_FORMATS[image_format])


def _new_slug(partner: Partner) -> str:
    base = slugify(partner.name)[:60] or partner.partner_id.lower()
    slug, n = base, 2
    while slug in RESERVED_SLUGS or PartnerProfile.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def profile_ratings_refresh(*, partner_ids: Iterable[int] | None = None) -> int:
    """Set each listing's published rating (average, 2 places) and count from its reviews, in one UPDATE.

    Called when a review is published and when a listing is created; `partner_ids=None` refreshes
    every listing (demo data, benchmarks, the migration that added the columns)."""
    published = Review.objects.filter(partner=OuterRef("partner_id"), status=ReviewStatus.PUBLISHED).order_by()
    per_partner = published.values("partner")
    profiles = PartnerProfile.objects.all()
    if partner_ids is not None:
        profiles = profiles.filter(partner_id__in=list(partner_ids))
    return profiles.update(
        rating=Subquery(per_partner.annotate(avg=Round(Avg("rating"), 2)).values("avg")[:1]),
        review_count=Coalesce(Subquery(per_partner.annotate(n=Count("pk")).values("n")[:1]), 0),
    )


def profile_for_partner(partner: Partner) -> PartnerProfile:
    """The partner's listing, created empty (not yet saved) when it has none."""
    return PartnerProfile.objects.filter(partner=partner).first() or PartnerProfile(partner=partner, listed=True)


def profile_update(
    *,
    partner: Partner,
    actor: User,
    tagline: str,
    description: str,
    website: str,
    services: list[str],
    languages: list[str],
    listed: bool,
    industries: list[str],
    operating_countries: list[str],
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> PartnerProfile:
    """A partner's org admin saves its listing.

    1. Only an active org admin of this partner may (members read it).
    2. A new logo is checked and re-encoded before anything is locked.
    3. The partner row is locked (two admins saving at once write one after the other); the
       listing is created on first save with a web address from the partner's name.
    4. One audit row names the changed fields; the public pages are refreshed after commit.
    """
    if not (actor.is_active and actor.is_partner_admin and actor.partner_id == partner.pk):
        raise Forbidden(_("Only an org admin of the partner may edit its directory profile."))
    new_logo = logo_read(logo) if logo is not None else None
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        profile = PartnerProfile.objects.select_for_update().filter(partner=locked).first()
        created = profile is None
        if created:
            profile = PartnerProfile(partner=locked, slug=_new_slug(locked))
        old_listed = "" if created else ("listed" if profile.listed else "unlisted")
        values = {
            "tagline": tagline,
            "description": description,
            "website": website,
            "services": services,
            "languages": languages,
            "listed": listed,
        }
        changed = [name for name in PROFILE_FIELDS if getattr(profile, name) != values[name]]
        for name, value in values.items():
            setattr(profile, name, value)
        if new_logo is not None:
            profile.logo, profile.logo_content_type = new_logo.content, new_logo.content_type
            changed.append("logo")
        elif remove_logo and profile.logo_content_type:
            profile.logo, profile.logo_content_type = None, ""
            changed.append("logo")
        partner_changed = _partner_facts_set(locked, industries=industries, operating_countries=operating_countries)
        changed += partner_changed
        if not changed and not created:
            return profile
        profile.save()
        if created:  # a partner reviewed before it had a listing
            profile_ratings_refresh(partner_ids=[locked.pk])
        if partner_changed:
            locked.save(update_fields=partner_changed)
        AuditEntry.log(
            AuditEntry.Subject.PROFILE,
            profile,
            old=old_listed,
            new="listed" if profile.listed else "unlisted",
            actor=actor,
            reason="changed: " + ", ".join(changed) if changed else "created",
            partner=locked,
        )
        transaction.on_commit(directory_cache_bump, robust=True)
    return profile


def _partner_facts_set(partner: Partner, *, industries: list[str], operating_countries: list[str]) -> list[str]:
    changed = []
    if list(partner.industries) != list(industries):
        partner.industries = list(industries)
        changed.append("industries")
    current = [country.code for country in partner.operating_countries]
    if sorted(current) != sorted(operating_countries):
        partner.operating_countries = list(operating_countries)
        changed.append("operating_countries")
    return changed


def profile_hide(*, profile: PartnerProfile, actor: User | None, reason: str) -> PartnerProfile:
    """Staff take a listing out of the public directory, saying why (the partner's own `listed` stays)."""
    acting_user_require(actor, HIDE_LISTINGS)
    reason = reason.strip()
    if not reason:
        raise DirectoryError(_("Say why the listing is hidden."), field="reason")
    with transaction.atomic():
        hidden = PartnerProfile.objects.filter(pk=profile.pk, hidden_at__isnull=True).update(
            hidden_at=timezone.now(), hidden_by=actor, hidden_reason=reason, updated_at=timezone.now()
        )
        if not hidden:
            raise DirectoryError(_("This listing is already hidden."))
        AuditEntry.log(
            AuditEntry.Subject.PROFILE,
            profile,
            old="visible",
            new="hidden",
            actor=actor,
            reason=reason,
            partner=profile.partner_id,
        )
        transaction.on_commit(directory_cache_bump, robust=True)
    profile.refresh_from_db()
    return profile


def profile_unhide(*, profile: PartnerProfile, actor: User | None, reason: str = "") -> PartnerProfile:
    """Staff put a hidden listing back (it shows again if the partner keeps it listed)."""
    acting_user_require(actor, HIDE_LISTINGS)
    with transaction.atomic():
        shown = PartnerProfile.objects.filter(pk=profile.pk, hidden_at__isnull=False).update(
            hidden_at=None, hidden_by=None, hidden_reason="", updated_at=timezone.now()
        )
        if not shown:
            raise DirectoryError(_("This listing is not hidden."))
        AuditEntry.log(
            AuditEntry.Subject.PROFILE,
            profile,
            old="hidden",
            new="visible",
            actor=actor,
            reason=reason.strip(),
            partner=profile.partner_id,
        )
        transaction.on_commit(directory_cache_bump, robust=True)
    profile.refresh_from_db()
    return profile
