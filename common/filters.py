"""Strict query filters for the API (django-filter): a bad filter value answers 400 naming
the parameter, instead of being ignored.

django-filter reads an integer filter as a decimal (``?period=0.5`` filtered on 0.5), a
yes/no filter leniently (``?eip_pilot=null`` ignored) and a blank value as "no filter"
(``?status=``), so a client's mistake silently returns everything or nothing with 200.
:class:`StrictFilterSet` refuses each of them; :class:`StrictFilterBackend` (the API's
``DEFAULT_FILTER_BACKENDS``) builds the filter sets of ``filterset_fields`` on it. A refused
value answers ``400 {"<parameter>": ["<reason>"]}``.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend


class StrictBooleanField(forms.Field):
    """``true``/``false`` (or ``1``/``0``); anything else is refused, naming the value."""

    TRUE, FALSE = {"true", "1"}, {"false", "0"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(
            _("“%(value)s” is not true or false."), code="invalid", params={"value": value}
        )


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (``0.5`` is refused)."""

    field_class = forms.IntegerField


class StrictFilterSet(django_filters.FilterSet):
    """A ``FilterSet`` whose integer filters take whole numbers only, yes/no filters
    ``true``/``false`` only, and whose parameters, when given, may not be blank."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.IntegerField: {"filter_class": IntegerFilter},
        models.SmallIntegerField: {"filter_class": IntegerFilter},
        models.BigIntegerField: {"filter_class": IntegerFilter},
        models.PositiveIntegerField: {"filter_class": IntegerFilter},
        models.PositiveSmallIntegerField: {"filter_class": IntegerFilter},
        models.PositiveBigIntegerField: {"filter_class": IntegerFilter},
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.NullBooleanField: {"filter_class": StrictBooleanFilter},
    }

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_blank_checked", False):
            form._blank_checked = True
            if form.is_bound:
                for name in self.filters:
                    values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
                    if values and all(str(v).strip() == "" for v in values):
                        form.is_valid()  # populate errors before adding one
                        form.add_error(name, _("A value is required when the parameter is given."))
        return form


class StrictFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` building ``filterset_fields`` on :class:`StrictFilterSet`."""

    filterset_base = StrictFilterSet
