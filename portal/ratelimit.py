"""A small fixed-window rate limiter on the Django cache (Redis when REDIS_URL is set).

    if not rate_allow(f"review-link:{ip}", limit=30, window=3600):
        ...refuse...

Each call counts one attempt in the current window (`cache.add` then `cache.incr`, both atomic
in Redis, so two workers cannot both take the last slot). Limits that must survive a cache flush
or be exact per business object (invitations per partner and day) are counted in the database
instead, by the service that owns the rows.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def rate_allow(key: str, *, limit: int, window: int) -> bool:
    """Count one attempt for `key`; False once more than `limit` attempts fell in this `window` (seconds)."""
    bucket = f"rate:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window + 1)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window + 1)
        count = 1
    return count <= limit
