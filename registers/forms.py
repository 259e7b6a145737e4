"""Forms of the register pages. Numbers and dates are read as people in Vietnam
type them (:mod:`common.parsing`: ``1.234,5`` in Vietnamese, ``1,234.5`` in English; dates
day first); a value that cannot be read is refused with the field named and what was typed
kept. Units are offered from :mod:`indicators.units`."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.collation import collate_choices
from common.formats import active_language, format_number
from common.parsing import ParseError, parse_date, parse_number
from indicators import units

from .models import (
    ISOCertificate,
    RECPMeasure,
    RoadmapAction,
    Stream,
    SymbiosisExchange,
    SymbiosisParticipant,
    SymbiosisSaving,
)


class NumberField(forms.CharField):
    """A number typed the Vietnamese or English way; cleans to ``Decimal`` or None."""

    def prepare_value(self, value):
        return format_number(value) if isinstance(value, Decimal | int | float) else value

    def clean(self, value):
        text = super().clean(value)
        try:
            return parse_number(text, language=active_language())
        except ParseError:
            example = "1.234,5" if active_language() == "vi" else "1,234.5"
            raise forms.ValidationError(
                _("“%(value)s” is not a number; write a number such as %(example)s.")
                % {"value": text, "example": example}
            ) from None


class DateField(forms.CharField):
    """A date written day first (dd/mm/yyyy) or yyyy-mm-dd; cleans to ``date`` or None."""

    def prepare_value(self, value):
        return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else value

    def clean(self, value):
        text = super().clean(value)
        try:
            return parse_date(text)
        except ParseError:
            raise forms.ValidationError(
                _("“%(value)s” is not a date; write it as dd/mm/yyyy.") % {"value": text}
            ) from None


def _unit_choices(*dimensions: str, blank: str | None = None) -> list[tuple[str, str]]:
    choices = [("", blank)] if blank is not None else []
    for d in dimensions:
        choices += [(u, u) for u in units.units_for(d)]
    return choices


FLOW_UNITS = _unit_choices("energy", "volume", "mass", blank="—")


def _set_enterprises(form, enterprises) -> None:
    """Offer ``enterprises`` (None: the field is dropped, editing an existing record); a
    single choice is preselected, without an empty option."""
    if enterprises is None:
        del form.fields["enterprise"]
        return
    field = form.fields["enterprise"]
    field.queryset = enterprises
    collate_choices(field)
    if len(enterprises[:2]) == 1:
        field.empty_label = None
        field.initial = enterprises[0].pk


class MeasureForm(forms.Form):
    """A RECP measure; ``enterprise`` is offered only when creating."""

    enterprise = forms.ModelChoiceField(queryset=None, label=_("enterprise"))
    area = forms.ChoiceField(choices=RECPMeasure.Area.choices, label=_("area"))
    title = forms.CharField(max_length=200, label=_("measure"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    status = forms.ChoiceField(choices=RECPMeasure.Status.choices, label=_("status"))
    year = forms.IntegerField(
        min_value=1990, max_value=2100, label=_("year implemented (or planned)")
    )
    investment_vnd = NumberField(required=False, label=_("investment (VND)"))
    saving_value = NumberField(required=False, label=_("yearly saving"))
    saving_unit = forms.ChoiceField(choices=FLOW_UNITS, required=False, label=_("unit"))
    energy_carrier = forms.ChoiceField(
        choices=RECPMeasure.Carrier.choices,
        required=False,
        label=_("energy saved"),
        help_text=_("Only grid electricity has an official emission factor (t CO2/MWh)."),
    )
    fuel = forms.CharField(
        max_length=100,
        required=False,
        label=_("fuel"),
        help_text=_("For a saving of fuel or heat: which fuel (e.g. dầu DO, than, LPG, hơi nước)."),
    )
    saving_money_vnd = NumberField(required=False, label=_("yearly money saving (VND)"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        _set_enterprises(self, enterprises)
        self.fields["description"].label = _("description")


class StreamForm(forms.Form):
    """An output stream offered or an input needed."""

    enterprise = forms.ModelChoiceField(queryset=None, label=_("enterprise"))
    direction = forms.ChoiceField(choices=Stream.Direction.choices, label=_("direction"))
    category = forms.ChoiceField(choices=Stream.Category.choices, label=_("category"))
    description = forms.CharField(max_length=300, required=False, label=_("description"))
    quantity_per_year = NumberField(required=False, label=_("quantity per year"))
    unit = forms.ChoiceField(choices=FLOW_UNITS, required=False, label=_("unit"))
    active = forms.BooleanField(required=False, initial=True, label=_("active"))
    offered = forms.BooleanField(
        required=False,
        label=_("offered for matching"),
        help_text=_(
            "Other enterprises see this stream, with its quantity, among matching candidates "
            "only when it is offered."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        _set_enterprises(self, enterprises)


class CertificateForm(forms.Form):
    """An ISO management-system certificate."""

    enterprise = forms.ModelChoiceField(queryset=None, label=_("enterprise"))
    standard = forms.ChoiceField(choices=ISOCertificate.Standard.choices, label=_("standard"))
    other_standard = forms.CharField(max_length=60, required=False, label=_("other standard"))
    number = forms.CharField(max_length=100, required=False, label=_("certificate number"))
    issuer = forms.CharField(max_length=200, required=False, label=_("certification body"))
    issued_on = DateField(required=False, label=_("issued on"))
    expires_on = DateField(label=_("expires on"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        _set_enterprises(self, enterprises)


class ExchangeForm(forms.Form):
    """A symbiosis exchange: participants are chosen as providing and receiving
    enterprises, the park developer's part, and outside parties (one name a line)."""

    kind = forms.ChoiceField(
        choices=SymbiosisExchange.Kind.choices,
        label=_("kind"),
        help_text=_("The forms of industrial symbiosis of Circular 05/2025/TT-BKHĐT Art. 2(1)."),
    )
    title = forms.CharField(max_length=200, label=_("exchange"))
    flow = forms.CharField(max_length=300, required=False, label=_("what flows"))
    quantity_per_year = NumberField(required=False, label=_("quantity per year"))
    unit = forms.ChoiceField(
        choices=_unit_choices("energy", "volume", "mass", blank=_("(count or none)")),
        required=False,
        label=_("unit"),
    )
    status = forms.ChoiceField(choices=SymbiosisExchange.Status.choices, label=_("status"))
    started_on = DateField(required=False, label=_("started on"))
    ended_on = DateField(required=False, label=_("ended on"))
    providers = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("enterprises that provide")
    )
    receivers = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("enterprises that receive")
    )
    sharers = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("enterprises that share")
    )
    developer_role = forms.ChoiceField(
        choices=[("", _("does not take part")), *SymbiosisParticipant.Part.choices],
        required=False,
        label=_("the park developer"),
    )
    outside_providers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("outside parties that provide (one name a line)"),
    )
    outside_receivers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=_("outside parties that receive (one name a line)"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("providers", "receivers", "sharers"):
            self.fields[name].queryset = enterprises
            collate_choices(self.fields[name])
            self.fields[name].widget.attrs["size"] = 5


class SavingForm(forms.Form):
    """A yearly saving of a symbiosis exchange, for one carrier."""

    exchange = forms.ModelChoiceField(queryset=None, label=_("exchange"))
    year = forms.IntegerField(min_value=1990, max_value=2100, label=_("year"))
    carrier = forms.ChoiceField(choices=SymbiosisSaving.Carrier.choices, label=_("what was saved"))
    enterprise = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("enterprise that saved"),
        help_text=_("Empty: the exchange as a whole (counted in the park's report only)."),
    )
    fuel = forms.CharField(max_length=100, required=False, label=_("fuel or service"))
    quantity = NumberField(required=False, label=_("quantity in the year"))
    unit = forms.ChoiceField(choices=FLOW_UNITS, required=False, label=_("unit"))
    money_vnd = NumberField(required=False, label=_("money saved in the year (VND)"))
    tco2e = NumberField(
        required=False,
        label=_("GHG reduction (t CO2e)"),
        help_text=_("Computed for grid electricity; for a fuel, type it if you know it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, exchanges=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        if exchanges is None:
            del self.fields["exchange"]
        else:
            self.fields["exchange"].queryset = exchanges
        self.fields["enterprise"].queryset = enterprises


class ActionForm(forms.Form):
    """A roadmap action on a criterion."""

    enterprise = forms.ModelChoiceField(
        queryset=None, required=False, label=_("enterprise (empty: the park)")
    )
    criterion = forms.ModelChoiceField(queryset=None, label=_("criterion"))
    title = forms.CharField(max_length=200, label=_("action"))
    owner = forms.ModelChoiceField(queryset=None, required=False, label=_("owner (user)"))
    owner_name = forms.CharField(max_length=200, required=False, label=_("owner (name)"))
    target_date = DateField(label=_("target date"))
    expected_effect = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("expected effect")
    )
    status = forms.ChoiceField(choices=RoadmapAction.Status.choices, label=_("status"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, enterprises=None, criteria=None, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        collate_choices(self.fields["enterprise"])
        self.fields["criterion"].queryset = criteria
        self.fields["criterion"].label_from_instance = lambda c: f"{c.code} – {c.title}"
        self.fields["owner"].queryset = owners


class ImportForm(forms.Form):
    """An .xlsx workbook of RECP measures (see :mod:`registers.imports`)."""

    file = forms.FileField(label=_("workbook (.xlsx)"))
