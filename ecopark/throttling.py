"""API throttling: an anonymous and a per-user rate, reading their rates when a request comes
(``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, set from ``ECOPARK_API_ANON_RATE`` and
``ECOPARK_API_USER_RATE``) rather than once at import, so a changed setting applies at once.

Each client's requests are counted in a window of the rate's duration that starts at its
first request: ``60/minute`` allows 60 requests, then answers 429 with ``Retry-After`` (the
seconds left in the window) until the window ends. DRF's own throttles keep the time of every
request of the window in the cache and read and rewrite that list on each request (3,600
floats for ``3600/minute``; the read and write of concurrent requests also lose each other's
hits). Here a hit is one atomic counter increment: with the shared Redis cache
(:meth:`ecopark.cache.DegradingRedisCache.hit`) every process's requests are counted, in one
round trip; with a process-local cache (tests, development) under a lock. While Redis is
unreachable requests are not counted (as DRF's throttles with the degrading cache).
"""

from __future__ import annotations

import math
import threading
import time

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

_local_lock = threading.Lock()


def count_hit(cache, key: str, seconds: int, now: float) -> tuple[int, float] | None:
    """Count one request of ``key`` in its window of ``seconds``: ``(requests in the window,
    seconds left in it)``, or None when the cache cannot count (Redis unreachable). ``cache``
    is a Django cache; ``now`` the time (seconds since the epoch)."""
    hit = getattr(cache, "hit", None)
    if hit is not None:
        return hit(key, seconds)
    with _local_lock:  # a process-local cache: one process counts
        count, ends = cache.get(key) or (0, now + seconds)
        if ends <= now:
            count, ends = 0, now + seconds
        count += 1
        cache.set(key, (count, ends), max(1, math.ceil(ends - now)))
    return count, ends - now


class _WindowCount:
    """DRF's rate throttle with the request count of :func:`count_hit`."""

    cache_format = "throttle-window_%(scope)s_%(ident)s"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def timer(self):
        return time.time()

    def allow_request(self, request, view):
        """True while the client's requests in the current window do not exceed the rate."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        counted = count_hit(self.cache, self.key, self.duration, self.now)
        if counted is None:
            return True
        count, self.left = counted
        return count <= self.num_requests

    def wait(self):
        """Seconds until the window ends (``Retry-After``)."""
        return getattr(self, "left", self.duration)


class AnonThrottle(_WindowCount, AnonRateThrottle):
    """Requests without credentials, counted per client address (default 60 a minute)."""


class UserThrottle(_WindowCount, UserRateThrottle):
    """Authenticated requests, counted per user (default 3600 a minute)."""
