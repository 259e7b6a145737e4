"""Forms of the campaign and review workflow: opening a campaign, returning / approving /
reopening a response with comments per answer. They only read input; the rules live in
``surveys.services`` (which raises the errors these forms show)."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import F
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common.collation import collate_choices
from enterprises.models import Park, Province
from enterprises.policy import Action, can, restrict
from indicators.models import DataElement, FrameworkVersion
from indicators.official_forms import official_forms

from .forms import element_label
from .models import Campaign, validate_reminder_days
from .services import campaign_parks_openable

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    """A native date picker (phones show their own), ISO value."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CampaignOpenForm(forms.Form):
    """Open a campaign. Ministry staff choose any scope; a provincial board its own province
    or parks of it (the choices offered are already limited; the service checks again)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    period = forms.IntegerField(label=_("Period (year)"), min_value=2000, max_value=2100)
    framework_version = forms.ModelChoiceField(
        label=_("Framework version"),
        queryset=FrameworkVersion.objects.none(),
        help_text=_("Only published versions can be used."),
    )
    scope = forms.ChoiceField(label=_("Scope"), widget=forms.RadioSelect)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.none(), required=False
    )
    parks = forms.ModelMultipleChoiceField(
        label=_("Parks"),
        queryset=Park.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("For the scope “chosen parks”."),
    )
    opens_on = forms.DateField(label=_("Opens on"), input_formats=DATE_FORMATS, widget=DateInput)
    closes_on = forms.DateField(label=_("Closes on"), input_formats=DATE_FORMATS, widget=DateInput)
    reminder_days = forms.CharField(
        label=_("Reminder days before closing"),
        initial="30,7",
        required=False,
        max_length=60,
        validators=[validate_reminder_days],
        help_text=_("For example 30,7: respondents who have not submitted are reminded then."),
    )
    report_forms = forms.MultipleChoiceField(
        label=_("Official report forms (Circular 05/2025/TT-BKHĐT)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The forms the parks (A.4, A.5) and the enterprises (B.4, B.5) file in this round; "
            "they belong to the VN-2022 framework."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        published = FrameworkVersion.objects.filter(
            status=FrameworkVersion.Status.PUBLISHED
        ).select_related("framework")
        self.fields["framework_version"].queryset = published
        newest = published.order_by(F("effective_from").desc(nulls_last=True), "-pk").first()
        self.fields["framework_version"].initial = newest.pk if newest else None
        self.fields["parks"].queryset = campaign_parks_openable(user).select_related("province")
        collate_choices(self.fields["parks"])
        collate_choices(self.fields["province"])
        choices = [(v, label) for v, label in Campaign.Scope.choices]
        if not can(user, Action.MANAGE, Campaign):  # a board: its own province only
            choices = [c for c in choices if c[0] != Campaign.Scope.ALL]
            own = restrict(Province.objects.all(), user)
            self.fields["province"].queryset = own
            self.fields["province"].initial = own.values_list("pk", flat=True).first()
            self.fields["scope"].initial = Campaign.Scope.PROVINCE
        else:
            self.fields["province"].queryset = Province.objects.order_by("name_vi")
            self.fields["scope"].initial = Campaign.Scope.ALL
        self.fields["scope"].choices = choices
        language = "en" if (get_language() or "vi").startswith("en") else "vi"
        self.fields["report_forms"].choices = [
            (f.code, f"{f.code} – {f.title(language)}") for f in official_forms()
        ]
        self.fields["report_forms"].initial = [f.code for f in official_forms()]
        today = datetime.date.today()
        self.fields["period"].initial = today.year - 1 if today.month < 7 else today.year

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == Campaign.Scope.PROVINCE and not cleaned.get("province"):
            self.add_error("province", _("Choose the province."))
        if scope == Campaign.Scope.PARKS and not cleaned.get("parks"):
            self.add_error("parks", _("Choose at least one park."))
        return cleaned

    def service_kwargs(self) -> dict:
        """Keyword arguments for ``surveys.services.campaign_open`` (after ``is_valid()``)."""
        d = self.cleaned_data
        return {
            "name": d["name"],
            "period": d["period"],
            "framework_version": d["framework_version"],
            "opens_on": d["opens_on"],
            "closes_on": d["closes_on"],
            "reminder_days": d.get("reminder_days") or "",
            "province": d["province"] if d["scope"] == Campaign.Scope.PROVINCE else None,
            "parks": list(d["parks"]) if d["scope"] == Campaign.Scope.PARKS else None,
            "report_forms": list(d.get("report_forms") or ()),
        }


REVIEW_ACTIONS = [
    ("return", _("Return for correction")),
    ("approve", _("Approve")),
    ("reopen", _("Reopen")),
]


class ReviewForm(forms.Form):
    """A reviewer's step on one response: ``action`` (return, approve, reopen), the general
    ``reason`` and one optional ``comment__<code>`` per data element."""

    action = forms.ChoiceField(choices=REVIEW_ACTIONS)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "form": "review-form"}),
        help_text=_("Required to reopen; to return, give a reason or comment on an answer."),
    )
    due_on = forms.DateField(
        label=_("Correction due by"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(attrs={"form": "review-form"}),
        help_text=_(
            "The respondent may correct and submit until this day. Required once the "
            "response's due date has passed; otherwise the campaign's close date applies."
        ),
    )

    def __init__(self, *args, elements: list[DataElement], **kwargs):
        super().__init__(*args, **kwargs)
        self.elements = elements
        for element in elements:
            self.fields[f"comment__{element.code}"] = forms.CharField(
                label=_("Comment on “%(label)s”") % {"label": element_label(element)},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "form": "review-form"}),
            )

    def comments(self) -> dict[str, str]:
        """``{data element code: comment}`` of the non-blank comments (after ``is_valid()``)."""
        return {
            e.code: self.cleaned_data[f"comment__{e.code}"].strip()
            for e in self.elements
            if self.cleaned_data.get(f"comment__{e.code}", "").strip()
        }


class ExtensionForm(forms.Form):
    """An extension of one response: the new due date and the reason (the rules, who may
    and which dates, are ``surveys.services.response_extend``'s)."""

    until = forms.DateField(label=_("Extended until"), input_formats=DATE_FORMATS, widget=DateInput)
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
