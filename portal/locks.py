"""Transaction-scoped advisory locks, shared by every app's jobs."""

from __future__ import annotations

import hashlib

from django.db import connection


def advisory_xact_lock(key: str) -> None:
    """Serialise every holder of `key` until the current transaction ends (PostgreSQL).

    Call inside `transaction.atomic()`. SQLite allows one writing transaction at
    a time already, so it needs none.
    """
    if connection.vendor != "postgresql":
        return
    lock_id = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
