"""The OpenAPI schema's error responses (drf-spectacular), documented as the API returns them.

Every operation of the API may answer with Django REST framework's errors besides the
statuses its view declares; :class:`ErrorDocumentingAutoSchema` adds each one that can happen
to the operation, unless the view declared its own body for that status:

- ``400`` when the operation reads a body or query parameters (a field or filter refused,
  the parameter named in the body);
- ``401``/``403`` on every operation (not logged in, wrong credentials, or — code
  ``locked_out`` — a user name locked out by django-axes; logged in without the right);
- ``404`` when the path names an object (outside the user's scope or missing) and on
  paginated lists (a page past the last);
- ``415`` when the operation reads a body (a media type other than JSON or a form);
- ``429`` on every operation (DRF's throttles, ``ecopark/throttling.py``);
- ``409`` for the methods a view lists in ``conflict_methods`` (a stale ``version``: someone
  saved the object since the caller read it).

An operation without a request body (``request=None``) reads none: a body sent anyway is
ignored, so neither 400 nor 415 can answer it for its body.

The bodies: :data:`ERROR` (``{"detail": "…", "code": "…"}``, ``ecopark/errors.py`` adds the
code) for a refusal of the request as a whole; a 400 naming what was refused has the same two
and ``errors``: ``{"<field or parameter>": ["…"]}``.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR = inline_serializer(
    "Error",
    fields={
        "detail": serializers.CharField(help_text="What went wrong, in the user's language."),
        "code": serializers.CharField(
            help_text=(
                "A stable machine code (``not_authenticated``, ``authentication_failed``, "
                "``locked_out``, ``permission_denied``, ``not_found``, ``throttled``…)."
            )
        ),
    },
)


def _field_errors_schema() -> dict:
    return {
        "type": "object",
        "description": (
            "A refused request: ``detail`` (every message) and ``code``; ``errors`` names the "
            "refused fields or query parameters, each with its reasons (absent when the request "
            "is refused as a whole)."
        ),
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {
                    "oneOf": [
                        {"type": "array", "items": {}},
                        {"type": "string"},
                        {"type": "object"},
                    ]
                },
            },
        },
        "required": ["detail", "code"],
    }


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's ``AutoSchema`` adding the error statuses DRF returns (see module)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        reads_body = (
            self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        )
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        extra: dict[str, object] = {}
        if reads_body or has_query:
            extra["400"] = OpenApiResponse(
                response=_field_errors_schema(), description="Refused input, named."
            )
        extra["401"] = OpenApiResponse(response=ERROR, description="Not logged in.")
        extra["403"] = OpenApiResponse(response=ERROR, description="Not allowed.")
        if "{" in self.path or self._is_list_view():
            extra["404"] = OpenApiResponse(
                response=ERROR, description="Not found in the user's scope (or no such page)."
            )
        if reads_body:
            extra["415"] = OpenApiResponse(response=ERROR, description="Unsupported media type.")
        if self.method in getattr(self.view, "conflict_methods", ()):
            extra["409"] = OpenApiResponse(
                response=ERROR, description="Stale version: changed since it was read."
            )
        extra["429"] = OpenApiResponse(response=ERROR, description="Too many requests.")
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        return responses
