"""API throttling: DRF's anonymous and per-user rate throttles, reading their rates when a
request comes (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, set from
``ECOPARK_API_ANON_RATE`` and ``ECOPARK_API_USER_RATE``) rather than once at import, so a
changed setting applies at once; the clock is read at each request too (DRF keeps
``time.time`` from import time)."""

from __future__ import annotations

import time

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    """Requests without credentials, counted per client address (default 60 a minute)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def timer(self):
        return time.time()


class UserThrottle(UserRateThrottle):
    """Authenticated requests, counted per user (default 3600 a minute)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def timer(self):
        return time.time()
