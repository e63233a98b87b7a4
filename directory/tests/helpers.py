"""Helpers for the directory tests: listings, reviews, images (the root conftest empties the page cache per test)."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.utils import timezone
from PIL import Image

from directory.models import PartnerProfile, Review, ReviewInvitation, ReviewStatus
from directory.services import profile_ratings_refresh

_tokens = itertools.count()


def profile_make(partner, **fields) -> PartnerProfile:
    defaults = {
        "slug": partner.name.lower().replace(" ", "-"),
        "tagline": f"{partner.name} tagline",
        "description": "We build things.",
        "services": ["website"],
        "languages": ["en"],
    }
    profile = PartnerProfile.objects.create(partner=partner, **(defaults | fields))
    profile_ratings_refresh(partner_ids=[partner.pk])
    profile.refresh_from_db()
    return profile


def review_make(partner, *, rating: int, status: str = ReviewStatus.PUBLISHED, **fields) -> Review:
    n = next(_tokens)
    now = timezone.now()
    invitation = ReviewInvitation.objects.create(
        partner=partner,
        email=f"client{n}@customer.example",
        contact_name="Client",
        customer_domain="customer.example",
        token_hash=f"{n:064d}",
        created_at=now,
        expires_at=now + dt.timedelta(days=30),
        used_at=now,
    )
    defaults = {
        "reviewer_name": f"Reviewer {n}",
        "reviewer_title": "Head of Marketing",
        "reviewer_email": f"client{n}@customer.example",
        "customer_domain": "customer.example",
        "title": f"Review {n}",
        "body": "They did great work.",
        "submitted_at": now - dt.timedelta(days=n),
        "status": status,
    }
    review = Review.objects.create(partner=partner, invitation=invitation, rating=rating, **(defaults | fields))
    profile_ratings_refresh(partner_ids=[partner.pk])  # as review_publish keeps it
    return review


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 40), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "#336699").save(out, format=fmt)
    return out.getvalue()
