"""Forms of the criteria catalogue pages: choosing two versions to compare, publishing a
draft, and editing a criterion of a draft. Forms only read and check input; writes go through
``indicators.services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Criterion, DataElement


class DiffForm(forms.Form):
    """``?from=N&to=M``: two version numbers of one framework (only those the user may read)."""

    from_version = forms.TypedChoiceField(label=_("From version"), coerce=int)
    to_version = forms.TypedChoiceField(label=_("To version"), coerce=int)

    def __init__(self, data, *, numbers: list[int]):
        super().__init__(data)
        choices = [(n, _("version %(n)s") % {"n": n}) for n in numbers]
        self.fields["from_version"].choices = choices
        self.fields["to_version"].choices = choices

    def add_prefix(self, field_name):
        """The query string says ``from``/``to`` (``from`` is a Python keyword)."""
        return {"from_version": "from", "to_version": "to"}.get(field_name, field_name)


class PublishForm(forms.Form):
    """Publishing a draft: an optional date from which it takes effect (never invented)."""

    effective_from = forms.DateField(
        label=_("Effective from (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Leave blank when the legal instrument gives no date. The version it replaces then "
            "ends the day before."
        ),
    )


class _DraftRowForm(forms.ModelForm):
    """A row of a draft version on the catalogue page: model validation is done by the
    service (with the check of the whole version), not here."""

    def _post_clean(self):
        pass


class DataElementForm(_DraftRowForm):
    """The fields of a draft data element ministry staff may change on the catalogue page:
    labels, help, unit, range and whether it is required on submit. Its code, subject and type
    stay (formulas read them); saving goes through ``indicators.services.data_element_update``,
    which checks the whole version again."""

    class Meta:
        model = DataElement
        fields = [
            "label_vi",
            "label_en",
            "help_vi",
            "help_en",
            "unit",
            "min_value",
            "max_value",
            "required",
        ]
        widgets = {
            "help_vi": forms.Textarea(attrs={"rows": 2}),
            "help_en": forms.Textarea(attrs={"rows": 2}),
        }


class CriterionForm(_DraftRowForm):
    """The fields of a draft criterion ministry staff may change on the catalogue page.

    The threshold is in the criterion's unit; leave it blank where the source gives none
    (ecopark never invents a threshold). Saving goes through
    ``indicators.services.criterion_update``, which checks the whole version again.
    """

    class Meta:
        model = Criterion
        fields = [
            *Criterion.WORDING_FIELDS,
            "level",
            *Criterion.RULE_FIELDS,
            *Criterion.SOURCE_FIELDS,
        ]
        widgets = {
            "requirement_vi": forms.Textarea(attrs={"rows": 3}),
            "requirement_en": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "notes_vi": forms.Textarea(attrs={"rows": 3}),
        }
