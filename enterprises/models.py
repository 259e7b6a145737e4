"""Who is tracked: provinces, parks, enterprises, industry sectors, and the people: memberships
(user scopes), profiles and invitations.

A park belongs to one of the 34 provincial-level units in force since 1 July 2025 (National
Assembly Resolution 202/2025/QH15) and keeps the name of the province it lay in before the
merger. An enterprise is identified by its Vietnamese tax code (mã số thuế, Circular
105/2020/TT-BTC Art. 5(1)), validated with python-stdnum's ``stdnum.vn.mst``.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from stdnum import vn
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import ValidationError as StdnumValidationError

from common import fields

#: python-stdnum's exceptions as ``stdnum.vn.mst.validate`` raises them, each with our own
#: translated reason (stdnum's messages are English only)
TAX_CODE_REASONS = (
    (InvalidLength, _("wrong length: 10 digits are needed, or 13 for a branch")),
    (InvalidFormat, _("only digits are allowed (spaces, dots and hyphens may separate them)")),
    (
        InvalidComponent,
        _("digits 3 to 9 cannot all be 0, and a branch's last three digits cannot be 000"),
    ),
    (InvalidChecksum, _("the check digit is wrong")),
)


def normalise_tax_code(value: str) -> str:
    """Return the canonical form of a Vietnamese tax code: ``NNNNNNNNNN`` or ``NNNNNNNNNN-NNN``.

    Spaces, dots and hyphens are accepted as separators on input. Raises Django's
    ``ValidationError`` (code ``invalid_tax_code``) when the length, the all-zero body, the
    ``000`` branch suffix or the check digit (weights 31,29,23,19,17,13,7,5,3, N10 = 10 - S mod 11)
    is wrong; python-stdnum's ``stdnum.vn.mst`` does the checking and its exception is given
    as one of :data:`TAX_CODE_REASONS`, in the active language.
    """
    try:
        compact = vn.mst.validate(value)
    except StdnumValidationError as exc:
        reason = next(
            (text for kind, text in TAX_CODE_REASONS if isinstance(exc, kind)),
            _("it is not a tax code"),
        )
        raise ValidationError(
            _("%(value)s is not a valid Vietnamese tax code (mã số thuế): %(reason)s"),
            code="invalid_tax_code",
            params={"value": value, "reason": reason},
        ) from exc
    return compact if len(compact) == 10 else f"{compact[:10]}-{compact[10:]}"


def validate_tax_code(value: str) -> None:
    """Model-field validator form of :func:`normalise_tax_code`."""
    normalise_tax_code(value)


class Province(models.Model):
    """A provincial-level unit in force since 1 July 2025 (Resolution 202/2025/QH15; 34 units).

    ``code`` is the two-digit administrative code (Decision 19/2025/QĐ-TTg); ``absorbed`` lists
    the former provinces merged into it.
    """

    code = models.CharField(_("code"), max_length=2, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100, unique=True)
    absorbed = models.CharField(_("former provinces"), max_length=200, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name_vi


class Sector(models.Model):
    """A code of the Vietnam Standard Industrial Classification, with its edition.

    Editions: VSIC 2018 (Decision 27/2018/QĐ-TTg) and VSIC 2025 (Decision 36/2025/QĐ-TTg, in
    force from 15 Nov 2025, re-lettered). A code means nothing without its edition.
    """

    class Edition(models.TextChoices):
        VSIC2018 = "VSIC2018", _("VSIC 2018 (Decision 27/2018/QĐ-TTg)")
        VSIC2025 = "VSIC2025", _("VSIC 2025 (Decision 36/2025/QĐ-TTg)")

    edition = models.CharField(_("edition"), max_length=10, choices=Edition.choices)
    level = models.PositiveSmallIntegerField(_("level"))
    code = models.CharField(_("code"), max_length=6)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)

    class Meta:
        ordering = ["edition", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="sector_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_vi} ({self.edition})"


class Park(models.Model):
    """An industrial park, export-processing zone or hi-tech park in one province.

    ``area_ha`` in hectares; ``latitude``/``longitude`` in WGS84 degrees (centres of
    OpenStreetMap outlines, © OpenStreetMap contributors, ODbL). Empty values were not
    established from a source.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        UNDER_CONSTRUCTION = "under_construction", _("under construction")
        OPERATING = "operating", _("operating")
        CLOSED = "closed", _("closed")

    class Kind(models.TextChoices):
        INDUSTRIAL_PARK = "industrial_park", _("industrial park")
        EXPORT_PROCESSING_ZONE = "export_processing_zone", _("export-processing zone")
        HI_TECH_PARK = "hi_tech_park", _("hi-tech park")

    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="parks", verbose_name=_("province")
    )
    province_before_2025 = models.CharField(
        _("province before 1 July 2025"), max_length=100, blank=True
    )
    area_ha = models.DecimalField(
        _("area (ha)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    operator = models.CharField(_("infrastructure developer"), max_length=300, blank=True)
    established_year = models.PositiveSmallIntegerField(
        _("year established"), null=True, blank=True
    )
    # the same bounds as the constraints below, checked on the field to name it
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(8), MaxValueValidator(24)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(102), MaxValueValidator(110)],
    )
    eip_pilot = models.BooleanField(_("eco-industrial park pilot"), default=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        blank=True,
        db_default="",
        help_text=_("Empty: not recorded."),
    )
    source = models.TextField(_("source"), blank=True)
    history = HistoricalRecords(verbose_name=_("historical park"))

    class Meta:
        ordering = ["name_vi"]
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        constraints = [
            models.CheckConstraint(
                condition=Q(area_ha__isnull=True) | Q(area_ha__gt=0), name="park_area_positive"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=8, latitude__lte=24),
                name="park_latitude_in_vietnam",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=102, longitude__lte=110),
                name="park_longitude_in_vietnam",
            ),
        ]

    def __str__(self) -> str:
        return self.name_vi

    @property
    def name(self) -> str:
        """The park's name in the active language (Vietnamese unless English is active)."""
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class Enterprise(models.Model):
    """A tenant enterprise of a park, identified by its tax code (unique, check digit verified).

    ``employees`` is a head count. ``is_demo`` marks enterprises made up for the demo: no
    per-enterprise indicator data is public, so every demo enterprise is labelled as such.
    A branch (tax code ``NNNNNNNNNN-NNN``, Circular 105/2020/TT-BTC Art. 5(1)(b)) is recorded
    with ``parent``, the enterprise holding the first ten digits; a head office has none (a
    database constraint). ``is_active`` False: deactivated by its park manager (no longer in
    new campaigns; its history and past responses stay). ``history`` keeps every edit, the
    park included, so a tenant that moved keeps its past.
    """

    name = models.CharField(_("name"), max_length=300)
    tax_code = models.CharField(
        _("tax code"), max_length=14, unique=True, validators=[validate_tax_code]
    )
    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("park")
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("sector (VSIC)"),
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("head office (for a branch)"),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True, db_default="")
    contact_email = models.EmailField(_("contact e-mail"), blank=True, db_default="")
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True, db_default="")
    is_active = models.BooleanField(_("active"), default=True, db_default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords(verbose_name=_("historical enterprise"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        constraints = [
            # a head office (ten digits, no branch suffix) has no parent
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(tax_code__contains="-"),
                name="enterprise_parent_only_for_branch",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        """True for a branch's code (``NNNNNNNNNN-NNN``)."""
        return "-" in (self.tax_code or "")

    def clean(self) -> None:
        """Normalise a valid tax code to its canonical form. An invalid one is left as typed:
        the field's validator (:func:`validate_tax_code`, run by ``full_clean`` before this)
        reports it once on ``tax_code``."""
        if self.tax_code:
            try:
                self.tax_code = normalise_tax_code(self.tax_code)
            except ValidationError:
                pass


class Role(models.TextChoices):
    """The four roles of docs/architecture.md, each with its scope."""

    MINISTRY = "ministry", _("ministry reviewer")
    BOARD = "board", _("provincial management board")
    PARK_MANAGER = "park_manager", _("park manager")
    ENTERPRISE = "enterprise", _("enterprise respondent")


#: the field of a membership or invitation that each role needs (None: the ministry, which
#: covers every park), as :data:`SCOPE_MATCHES_ROLE` enforces
ROLE_SCOPE_FIELD = {
    Role.MINISTRY: None,
    Role.BOARD: "province",
    Role.PARK_MANAGER: "park",
    Role.ENTERPRISE: "enterprise",
}

SCOPE_MATCHES_ROLE = (
    Q(role="ministry", province__isnull=True, park__isnull=True, enterprise__isnull=True)
    | Q(role="board", province__isnull=False, park__isnull=True, enterprise__isnull=True)
    | Q(role="park_manager", province__isnull=True, park__isnull=False, enterprise__isnull=True)
    | Q(role="enterprise", province__isnull=True, park__isnull=True, enterprise__isnull=False)
)


class UserScope(models.Model):
    """A membership: what one user may see and change as one role over the province, park or
    enterprise it covers. A user may hold several (a group's environmental officer in two
    enterprises, a consultant) and then sees the union (``enterprises/policy.py``).

    The database enforces that exactly the object matching the role is set (ministry: none;
    board: a province; park manager: a park; enterprise: an enterprise). ``is_active`` False:
    ended by whoever manages that scope (the row and its history stay). A user without an
    active membership sees nothing (default deny).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="scopes",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("province")
    )
    park = models.ForeignKey(
        Park, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("park")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("enterprise"),
    )
    is_active = models.BooleanField(_("active"), default=True, db_default=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now, db_default=Now())
    history = HistoricalRecords(verbose_name=_("historical membership"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(name="scope_matches_role", condition=SCOPE_MATCHES_ROLE)
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.target_name}"

    @property
    def target_name(self) -> str:
        """The province, park or enterprise covered, or "all parks" for the ministry."""
        return str(self.province or self.park or self.enterprise or _("all parks"))


class Profile(models.Model):
    """What a person keeps about themselves: phone and preferred language (the interface
    follows it once they are logged in). Names and e-mail are the user's own fields."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


#: Days an invitation link stays valid after it was (re)sent.
INVITATION_VALID_DAYS = 7


class Invitation(models.Model):
    """An invitation of one e-mail address to one role and scope (the same role/scope pairs as
    :class:`UserScope`, enforced by the database), sent in Vietnamese or English.

    The link holds a random token of which only the SHA-256 digest is stored
    (``token_digest``): it can be used once, until ``expires_at`` (``INVITATION_VALID_DAYS``
    days after it was last sent). Resending makes a new token (the old link stops working).
    State (:attr:`state`): revoked, accepted, expired or sent. ``history`` keeps every change
    with who made it.
    """

    class State(models.TextChoices):
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    province = models.ForeignKey(
        Province, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("province")
    )
    park = models.ForeignKey(
        Park, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("park")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("enterprise")
    )
    language = models.CharField(
        _("language of the e-mail"), max_length=5, choices=settings.LANGUAGES, default="vi"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    times_sent = models.PositiveSmallIntegerField(_("times sent"), default=1)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = fields.user_reference(_("accepted by"), on_delete=models.PROTECT)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    history = HistoricalRecords(
        verbose_name=_("historical invitation"), excluded_fields=["token_digest"]
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                name="invitation_scope_matches_role", condition=SCOPE_MATCHES_ROLE
            ),
            models.CheckConstraint(
                name="invitation_accepted_or_revoked",
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.get_role_display()} – {self.target_name}"

    @property
    def target_name(self) -> str:
        """The province, park or enterprise the invitation is for, or "all parks"."""
        return str(self.province or self.park or self.enterprise or _("all parks"))

    def state_at(self, now: datetime.datetime) -> str:
        """The :class:`State` value at ``now``: revoked and accepted win over expired."""
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if now >= self.expires_at:
            return self.State.EXPIRED
        return self.State.SENT

    @property
    def state(self) -> str:
        """The :class:`State` value now."""
        return self.state_at(timezone.now())

    def get_state_display(self) -> str:
        """The state's translated label."""
        return self.State(self.state).label


class InvestmentProject(models.Model):
    """The investment project a report is about, with its investor, the investor's legal
    representative and the economic organisation that implements it: Part I of the annual
    monitoring reports (Circular 05/2025/TT-BKHĐT forms A.4 and B.4).

    One per park (``enterprise`` empty: the park's infrastructure project, its investor being
    the infrastructure developer, form A.4 Part I) and one per enterprise (its investment
    project in the park, form B.4 Part I). Every field may be blank: what the registry lacks,
    the respondent enters in the report and it is kept here. Every change is kept in
    ``history`` (who, when, old and new values: django-simple-history).

    The fields of :data:`PERSONAL_FIELDS` are personal data of a natural person (dates of birth,
    identity documents, home addresses, mobile numbers): the permission policy shows them only
    to the entity's own users, its park's manager and the provincial board
    (``enterprises.policy``, action ``view_personal``); never on dashboards.
    """

    class InvestorKind(models.TextChoices):
        INDIVIDUAL = "individual", _("individual")
        ORGANISATION = "organisation", _("enterprise or organisation")

    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    park = models.ForeignKey(
        Park, on_delete=models.CASCADE, related_name="projects", verbose_name=_("park")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("enterprise"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    # the project (A.4 Part I.2, B.4 Part I.3)
    project_name = models.CharField(_("project name"), max_length=300, blank=True)
    project_location = models.CharField(_("project location"), max_length=300, blank=True)
    project_certificate_number = models.CharField(
        _("investment decision or certificate number"), max_length=100, blank=True
    )
    project_certificate_issuer = models.CharField(
        _("issued by (project)"), max_length=200, blank=True
    )
    project_certificate_first_date = models.DateField(
        _("first issue date (project)"), null=True, blank=True
    )
    project_certificate_latest_date = models.DateField(
        _("latest amendment date (project)"), null=True, blank=True
    )

    # the investor (A.4 Part I.1: the developer; B.4 Part I.1: an individual or organisation)
    investor_kind = models.CharField(
        _("type of investor"), max_length=12, choices=InvestorKind.choices, blank=True
    )
    investor_name = models.CharField(_("investor name"), max_length=300, blank=True)
    investor_enterprise_code = models.CharField(
        _("enterprise code or legal document number"), max_length=100, blank=True
    )
    investor_registration_issuer = models.CharField(
        _("registration issued by"), max_length=200, blank=True
    )
    investor_first_registered_on = models.DateField(
        _("first registration date"), null=True, blank=True
    )
    investor_latest_amended_on = models.DateField(
        _("latest registration amendment"), null=True, blank=True
    )
    investor_tax_code = models.CharField(_("investor tax code"), max_length=14, blank=True)
    investor_office_address = models.CharField(_("office address"), max_length=300, blank=True)
    investor_head_office = models.CharField(_("head office address"), max_length=300, blank=True)
    investor_phone = models.CharField(_("telephone"), max_length=40, blank=True)
    investor_fax = models.CharField(_("fax"), max_length=40, blank=True)
    investor_email = models.CharField(_("e-mail"), max_length=254, blank=True)
    investor_website = models.CharField(_("website"), max_length=200, blank=True)
    investor_enterprise_type = models.CharField(_("type of enterprise"), max_length=200, blank=True)
    investor_gender = models.CharField(
        _("gender (individual investor)"), max_length=6, choices=Gender.choices, blank=True
    )
    investor_birth_date = models.DateField(
        _("date of birth (individual investor)"), null=True, blank=True
    )
    investor_nationality = models.CharField(_("nationality (investor)"), max_length=100, blank=True)
    investor_identity_number = models.CharField(
        _("identity document number (investor)"), max_length=40, blank=True
    )
    investor_identity_issued_on = models.DateField(
        _("identity document issued on (investor)"), null=True, blank=True
    )
    investor_identity_issued_by = models.CharField(
        _("identity document issued by (investor)"), max_length=200, blank=True
    )
    investor_permanent_address = models.CharField(
        _("permanent address (investor)"), max_length=300, blank=True
    )
    investor_current_address = models.CharField(
        _("current residence (investor)"), max_length=300, blank=True
    )

    # the investor's legal representative (A.4 Part I.1.4, B.4 Part I.1.2a)
    representative_name = models.CharField(_("legal representative"), max_length=200, blank=True)
    representative_gender = models.CharField(
        _("gender (representative)"), max_length=6, choices=Gender.choices, blank=True
    )
    representative_title = models.CharField(_("title (representative)"), max_length=200, blank=True)
    representative_birth_date = models.DateField(
        _("date of birth (representative)"), null=True, blank=True
    )
    representative_nationality = models.CharField(
        _("nationality (representative)"), max_length=100, blank=True
    )
    representative_identity_number = models.CharField(
        _("identity document number (representative)"), max_length=40, blank=True
    )
    representative_identity_issued_on = models.DateField(
        _("identity document issued on (representative)"), null=True, blank=True
    )
    representative_identity_issued_by = models.CharField(
        _("identity document issued by (representative)"), max_length=200, blank=True
    )
    representative_mobile = models.CharField(
        _("mobile telephone (representative)"), max_length=40, blank=True
    )
    representative_phone = models.CharField(
        _("telephone (representative)"), max_length=40, blank=True
    )
    representative_fax = models.CharField(_("fax (representative)"), max_length=40, blank=True)
    representative_email = models.CharField(
        _("e-mail (representative)"), max_length=254, blank=True
    )
    representative_current_address = models.CharField(
        _("current residence (representative)"), max_length=300, blank=True
    )

    # the economic organisation implementing the project (B.4 Part I.2)
    organisation_name = models.CharField(_("economic organisation"), max_length=300, blank=True)
    organisation_code = models.CharField(
        _("enterprise code, licence or establishment decision"), max_length=100, blank=True
    )
    organisation_issuer = models.CharField(
        _("issued by (organisation)"), max_length=200, blank=True
    )
    organisation_first_date = models.DateField(
        _("first issue date (organisation)"), null=True, blank=True
    )
    organisation_latest_date = models.DateField(
        _("latest amendment date (organisation)"), null=True, blank=True
    )

    updated_by = fields.updated_by()
    updated_at = fields.updated_at()

    history = HistoricalRecords(
        excluded_fields=["updated_at"], verbose_name=_("historical investment project")
    )

    #: personal data of a natural person, shown only under ``view_personal``
    PERSONAL_FIELDS = frozenset(
        {
            "investor_birth_date",
            "investor_identity_number",
            "investor_identity_issued_on",
            "investor_identity_issued_by",
            "investor_permanent_address",
            "investor_current_address",
            "representative_birth_date",
            "representative_identity_number",
            "representative_identity_issued_on",
            "representative_identity_issued_by",
            "representative_mobile",
            "representative_current_address",
        }
    )

    class Meta:
        ordering = ["park", "enterprise"]
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        constraints = [
            models.UniqueConstraint(
                fields=["park"],
                condition=Q(enterprise__isnull=True),
                name="project_one_per_park",
            ),
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(enterprise__isnull=False),
                name="project_one_per_enterprise",
            ),
            fields.ordered_or_blank(
                "project_certificate_first_date",
                "project_certificate_latest_date",
                name="project_certificate_dates_ordered",
            ),
            fields.ordered_or_blank(
                "investor_first_registered_on",
                "investor_latest_amended_on",
                name="project_registration_dates_ordered",
            ),
            fields.ordered_or_blank(
                "organisation_first_date",
                "organisation_latest_date",
                name="project_organisation_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.project_name or str(self.enterprise or self.park)

    @classmethod
    def registry_fields(cls) -> list[str]:
        """The registry's value fields, in the model's order (the ids, flags and audit fields
        excluded)."""
        skip = {"id", "park", "enterprise", "is_demo", "updated_by", "updated_at"}
        return [f.name for f in cls._meta.concrete_fields if f.name not in skip]
