"""The API's error bodies: DRF's, each with a machine ``code`` beside its ``detail``.

DRF answers a refused request as a whole with ``{"detail": "…"}``; :func:`exception_handler`
(``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) adds the error's code (``parse_error``,
``not_authenticated``, ``permission_denied``, ``not_found``, ``method_not_allowed``,
``unsupported_media_type``, ``throttled``…), so every error of the API carries one, as the
schema declares (``ecopark/schema.py``). Bodies naming fields are left as they are.
"""

from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, then ``code`` added to a ``{"detail": …}`` body that has none."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        if "code" not in response.data:
            codes = exc.get_codes() if hasattr(exc, "get_codes") else None
            response.data["code"] = codes if isinstance(codes, str) else "error"
    return response
