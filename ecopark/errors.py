"""The API's error bodies: DRF's, each with a machine ``code`` beside its ``detail``.

DRF answers a refused request as a whole with ``{"detail": "…"}``; :func:`exception_handler`
(``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) adds the error's code (``parse_error``,
``not_authenticated``, ``permission_denied``, ``not_found``, ``method_not_allowed``,
``unsupported_media_type``, ``throttled``…), so every error of the API carries one, as the
schema declares (``ecopark/schema.py``). A validation error naming no field (DRF's bare list,
``["…", "…"]``) becomes ``{"detail": "<the messages>", "code": "<the first one's code>"}``.
One naming fields or query parameters (``{"campaign": ["…"]}``: a serializer's field, a
filter's parameter, ``dashboards/api.py``'s ``campaign``) becomes the shape the survey
workflow already answers (``surveys/api.py``): ``{"detail": "<every message>", "code": "<the
first one's code>", "errors": {"campaign": ["…"]}}`` — so a field named ``code`` or ``detail``
(``responses/?code=``) cannot clash with the error's own keys.

Two of the messages DRF returns are not translatable where they are made, so the handler words
them in the request's language: Django's ``get_object_or_404`` raises ``Http404("No Park
matches the given query.")`` (an English f-string naming the model's class), which DRF passes on
as the detail with code ``error``; it becomes "No <the model's verbose name> matches the given
query." with code ``not_found``. A bare 404 ("Not found.") says the same when the view knows
its model (:func:`_named`). DRF's ``JSONParser`` raises "JSON parse error - <Python's
message>"; its prefix is translated (Python's own message stays as ``json`` wrote it). DRF's
other messages are translated by our catalogue (``common/django_messages.py``).
"""

from __future__ import annotations

import re

from django.apps import apps
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

#: ``django/shortcuts.py`` (Django 5.2): ``f"No {model._meta.object_name} matches the given query."``
_NO_MATCH = re.compile(r"^No (?P<object_name>\w+) matches the given query\.$")
#: ``rest_framework/parsers.py`` (DRF 3.18): ``"JSON parse error - %s" % exc``
_JSON_PARSE_ERROR = "JSON parse error - "


def exception_handler(exc, context):
    """DRF's handler, then every body that refuses the request as a whole shaped
    ``{"detail": str, "code": str}`` (see module)."""
    exc = _translated(exc)
    exc = _named(exc, context.get("view"))
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
    elif isinstance(response.data, dict) and isinstance(exc, exceptions.ValidationError):
        errors = response.data
        response.data = {
            "detail": " ".join(_leaves(errors)),
            "code": next(iter(_leaves(codes)), "invalid"),
            "errors": errors,
        }
    return response


def _leaves(errors) -> list[str]:
    """Every message (or code) of DRF's possibly nested error structure, in order."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _leaves(value)]
    if isinstance(errors, list | tuple):
        return [m for value in errors for m in _leaves(value)]
    return [] if errors is None else [str(errors)]


def _translated(exc):
    """``exc``, or a DRF exception with the same meaning worded in the active language: an
    ``Http404`` becomes :class:`~rest_framework.exceptions.NotFound` (code ``not_found``), a
    JSON parse error keeps Python's explanation after a translated prefix."""
    if isinstance(exc, Http404):
        message = str(exc.args[0]) if exc.args else ""
        match = _NO_MATCH.match(message)
        if match:
            model = _model_named(match["object_name"])
            message = (
                _("No %(verbose_name)s matches the given query.")
                % {"verbose_name": model._meta.verbose_name}
                if model is not None
                else ""
            )
        return exceptions.NotFound(message or None)
    if isinstance(exc, exceptions.ParseError) and isinstance(exc.detail, str):
        if exc.detail.startswith(_JSON_PARSE_ERROR):
            detail = exc.detail[len(_JSON_PARSE_ERROR) :]
            return exceptions.ParseError(
                _("JSON parse error - %(detail)s") % {"detail": detail}, code=exc.detail.code
            )
    return exc


def _named(exc, view):
    """``exc``, or, for a bare 404 ("Not found.", e.g. ``/api/v1/parks/abc/``: DRF's
    ``get_object`` raises ``Http404`` without a message for an id of the wrong type), one naming
    the model the view serves: "No <verbose name> matches the given query." The model is the
    view's ``not_found_model`` attribute, else its queryset's (DRF's generic views); a view
    knowing neither keeps "Not found."."""
    if not isinstance(exc, exceptions.NotFound) or exc.detail != str(
        exceptions.NotFound.default_detail
    ):
        return exc
    model = _view_model(view)
    if model is None:
        return exc
    return exceptions.NotFound(
        _("No %(verbose_name)s matches the given query.")
        % {"verbose_name": model._meta.verbose_name}
    )


def _view_model(view):
    """The model ``view`` answers about (see :func:`_named`), or None."""
    model = getattr(view, "not_found_model", None)
    if model is not None:
        return model
    if view is None or not hasattr(view, "get_queryset"):
        return None
    try:
        return view.get_queryset().model
    except Exception:  # a view whose queryset needs what this request lacks
        return None


def _model_named(object_name: str):
    """The one installed model whose class is called ``object_name``; None when there is none
    or more than one (then the 404 says only "Not found.")."""
    models = [m for m in apps.get_models() if m._meta.object_name == object_name]
    return models[0] if len(models) == 1 else None
