"""Forms of the people and registry pages: they check what was typed and keep it on error;
the rules are the services' (``services.py``, ``services_people.py``)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Enterprise, Park, Role, Sector
from .services import ENTERPRISE_FIELDS, PARK_FIELDS
from .services_people import TOKEN_LIFETIMES_DAYS


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: on the field it names when the form
    has it, else at the top."""
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


class InvitationForm(forms.Form):
    """Who to invite: an e-mail, a membership (``target``: a ``role:id`` value among those the
    inviter may give, see :func:`enterprises.selectors.invitation_targets`) and the e-mail's
    language."""

    email = forms.EmailField(label=_("E-mail"))
    target = forms.ChoiceField(label=_("Role and scope"))
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES)

    def __init__(self, *args, targets: list[tuple[str, str, object]], **kwargs):
        super().__init__(*args, **kwargs)
        self._targets = {value: (value.split(":")[0], obj) for value, _label, obj in targets}
        self.fields["target"].choices = [(v, label) for v, label, _obj in targets]

    def role_and_target(self) -> tuple[str, object]:
        """The chosen role and its province, park or enterprise (None for the ministry)."""
        return self._targets[self.cleaned_data["target"]]


class AcceptForm(forms.Form):
    """A new person's names, phone and password (twice), checked with Django's password
    validators."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class ProfileForm(forms.Form):
    """A person's own names, e-mail, phone and preferred language."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)


def _days_label(days: int) -> str:
    """ "<days> days" in the active language (e.g. "90 ngày", "90 days")."""
    return gettext("%(days)s days") % {"days": days}


#: lazy: the labels are worded when the page is rendered, in its language, not at import
_days_label_lazy = lazy(_days_label, str)


class TokenForm(forms.Form):
    """How long a new personal API token stays valid."""

    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(d, _days_label_lazy(d)) for d in TOKEN_LIFETIMES_DAYS],
        initial=90,
    )


class ParkForm(forms.ModelForm):
    """A park's registry fields (:data:`enterprises.services.PARK_FIELDS`); ``provinces``
    limits the province to those the user keeps parks of."""

    class Meta:
        model = Park
        fields = PARK_FIELDS

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces


class EnterpriseForm(forms.ModelForm):
    """A tenant's registry fields (:data:`enterprises.services.ENTERPRISE_FIELDS`); the VSIC
    sector is given as an edition and a code. ``parks`` (when given) lets a board or the
    ministry move the tenant to another park."""

    sector_edition = forms.ChoiceField(
        label=_("VSIC edition"), choices=Sector.Edition.choices, initial=Sector.Edition.VSIC2018
    )
    sector_code = forms.CharField(label=_("VSIC code"), max_length=6, required=False)
    park = forms.ModelChoiceField(label=_("Park"), queryset=Park.objects.none(), required=False)

    class Meta:
        model = Enterprise
        fields = [f for f in ENTERPRISE_FIELDS if f != "sector"]

    def __init__(self, *args, parks=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the tax code is checked (and made unique) by the service, which names the problem
        self.fields["tax_code"].validators = []
        self.fields["tax_code"].help_text = _(
            "10 digits, or 13 for a branch (e.g. 0100109106-001); spaces are removed."
        )
        if self.instance.sector_id:
            self.initial.setdefault("sector_edition", self.instance.sector.edition)
            self.initial.setdefault("sector_code", self.instance.sector.code)
        if parks is None:
            del self.fields["park"]
        else:
            self.fields["park"].queryset = parks
            self.initial.setdefault("park", self.instance.park_id)

    def validate_unique(self):
        """Uniqueness is the service's (it names the registered tax code)."""

    def clean(self):
        data = super().clean()
        code = (data.get("sector_code") or "").strip()
        data["sector"] = None
        if code:
            sector = Sector.objects.filter(edition=data.get("sector_edition"), code=code).first()
            if sector is None:
                self.add_error(
                    "sector_code",
                    _("%(code)s is not a code of %(edition)s.")
                    % {"code": code, "edition": data.get("sector_edition")},
                )
            data["sector"] = sector
        return data


class TenantImportForm(forms.Form):
    """The XLSX file of a park's tenants."""

    file = forms.FileField(label=_("Excel file (.xlsx)"))


def role_label(role: str, target) -> str:
    """ "park manager – Khu công nghiệp Amata" (a choice of the invitation form)."""
    return f"{Role(role).label} – {target}" if target is not None else str(Role(role).label)
