"""The API's error bodies: DRF's, each with a machine ``code`` beside its ``detail``.

DRF answers a refused request as a whole with ``{"detail": "…"}``; :func:`exception_handler`
(``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) adds the error's code (``parse_error``,
``not_authenticated``, ``permission_denied``, ``not_found``, ``method_not_allowed``,
``unsupported_media_type``, ``throttled``…), so every error of the API carries one, as the
schema declares (``ecopark/schema.py``). A validation error naming no field (DRF's bare list,
``["…", "…"]``) becomes ``{"detail": "<the messages>", "code": "<the first one's code>"}``.
Bodies naming fields are left as they are.
"""

from __future__ import annotations

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, then every body that refuses the request as a whole shaped
    ``{"detail": str, "code": str}`` (see module)."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return response
    codes = exc.get_codes() if hasattr(exc, "get_codes") else None
    if isinstance(response.data, list):
        codes = codes if isinstance(codes, list) else []
        first = codes[0] if codes and isinstance(codes[0], str) else "invalid"
        response.data = {"detail": " ".join(str(m) for m in response.data), "code": first}
    elif isinstance(response.data, dict) and "detail" in response.data:
        if "code" not in response.data:
            response.data["code"] = codes if isinstance(codes, str) else "error"
    return response
