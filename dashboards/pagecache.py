"""Keys and compression of cached dashboard responses (pages in :mod:`dashboards.views`, the
scores API in :mod:`dashboards.api`)."""

from __future__ import annotations

import hashlib

from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string


def cache_key(*parts) -> str:
    """A cache key made of ``parts`` (any values with a stable ``str``)."""
    raw = "|".join(str(p) for p in parts)
    return "dash:" + hashlib.sha256(raw.encode()).hexdigest()


def compress(content: bytes) -> bytes:
    """``content`` gzipped once, to be stored beside it (level 6, with a few random bytes in the
    header as Django's GZipMiddleware adds them against BREACH)."""
    return compress_string(content, max_random_bytes=100)


def compressed(request, response: HttpResponse, compressed: bytes) -> HttpResponse:
    """``response`` with ``compressed`` (gzip) as its content when the request accepts gzip."""
    patch_vary_headers(response, ("Accept-Encoding",))
    if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response.content = compressed
        response.headers["Content-Encoding"] = "gzip"
    return response
