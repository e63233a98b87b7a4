"""Domain normalisation of registrations; the shared implementation lives in `portal.domains`."""

from __future__ import annotations

from portal.domains import InvalidDomain, Normalised, is_valid_registrable, normalise_domain

__all__ = ["InvalidDomain", "Normalised", "is_valid_registrable", "normalise_domain"]
