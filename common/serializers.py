"""JSON request bodies held to the types the OpenAPI schema declares.

DRF coerces loosely: a ``CharField`` takes ``0`` and keeps ``"0"``, a ``BooleanField`` takes
``0``, ``"yes"`` or ``"off"``, an ``IntegerField`` takes ``"12"``. In a form every value is a
string, so that leniency is needed there; in JSON a value of the wrong type is a client's
mistake that the schema says is refused. :class:`StrictJSONTypesMixin` refuses it with 400
naming the field (DRF's own "not a valid string/boolean/integer" message).
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.relations import PrimaryKeyRelatedField

#: (field class, accepted JSON types, error key of the field's messages), first match wins
_JSON_TYPES = (
    (serializers.BooleanField, (bool,), "invalid"),
    (serializers.IntegerField, (int,), "invalid"),
    (PrimaryKeyRelatedField, (int, str), "incorrect_type"),
    (serializers.CharField, (str,), "invalid"),
)


class StrictJSONTypesMixin:
    """For a serializer reading a JSON body (``context["request"]``): each top-level boolean,
    integer, primary-key and text field must arrive as that JSON type (``null`` where the
    field allows it); otherwise ``ValidationError`` ``{field: [message]}`` before DRF's
    coercion. Form bodies are read as DRF reads them."""

    def to_internal_value(self, data):
        request = self.context.get("request")
        content_type = getattr(request, "content_type", "") or ""
        if isinstance(data, dict) and content_type.startswith("application/json"):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                value = data[name]
                if value is None:
                    continue  # the field's own allow_null decides
                for kind, types, key in _JSON_TYPES:
                    if isinstance(field, kind):
                        if isinstance(value, bool) and bool not in types:
                            wrong = True
                        else:
                            wrong = not isinstance(value, types)
                        if wrong:
                            message = field.error_messages[key]
                            if key == "incorrect_type":
                                message = message.format(data_type=type(value).__name__)
                            errors[name] = [message]
                        break
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
