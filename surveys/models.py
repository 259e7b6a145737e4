"""What was answered: campaigns, responses and answers (DESIGN.md §2).

A campaign is one reporting round (a period, one pinned framework version). Opening it creates
one response per park in scope and one per enterprise of those parks. A response moves
draft → submitted → returned/approved (Decree 35/2022 Art. 43: the park reports to the
management board; each eco-enterprise to the developer and the board).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.models import Enterprise, Park, Province
from indicators.models import DataElement, FrameworkVersion


def parse_reminder_days(value: str) -> list[int]:
    """``"30, 7"`` → ``[30, 7]``: whole days before the close date, distinct, 1–365, largest
    first; ``""`` → ``[]`` (no reminders). Raises ``ValidationError`` naming the bad item."""
    days: list[int] = []
    for item in (value or "").replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        if not item.isdigit() or not 1 <= int(item) <= 365:
            raise ValidationError(
                _("“%(item)s” is not a number of days between 1 and 365."),
                params={"item": item},
                code="reminder_days",
            )
        if int(item) not in days:
            days.append(int(item))
    return sorted(days, reverse=True)


def validate_reminder_days(value: str) -> None:
    """Model-field validator for :attr:`Campaign.reminder_days` (see :func:`parse_reminder_days`)."""
    parse_reminder_days(value)


class Campaign(models.Model):
    """One reporting round: a period (year), a pinned framework version and a scope.

    ``reminder_days`` is the reminder schedule as typed, e.g. ``"30,7"``: e-mail the
    respondents who have not submitted 30 and 7 days before ``closes_on`` (read it with
    :attr:`reminder_days_list`).
    """

    class Scope(models.TextChoices):
        ALL = "all", _("all parks")
        PROVINCE = "province", _("one province")
        PARKS = "parks", _("chosen parks")

    name = models.CharField(_("name"), max_length=200)
    period = models.PositiveSmallIntegerField(_("period (year)"))
    framework_version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("framework version"),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.ALL)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("province")
    )
    parks = models.ManyToManyField(Park, blank=True, verbose_name=_("parks"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    reminder_days = models.CharField(
        _("reminder days before closing"),
        max_length=60,
        blank=True,
        default="30,7",
        validators=[validate_reminder_days],
        help_text=_("Days before the close date on which to remind, separated by commas."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="campaign_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(period__gte=2000, period__lte=2100), name="campaign_period_year"
            ),
            models.CheckConstraint(
                condition=Q(scope="province", province__isnull=False)
                | (~Q(scope="province") & Q(province__isnull=True)),
                name="campaign_province_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def reminder_days_list(self) -> list[int]:
        """The reminder schedule as whole days before ``closes_on``, largest first."""
        return parse_reminder_days(self.reminder_days)


class Response(models.Model):
    """One park's or one enterprise's answers in a campaign, with its workflow status.

    ``park`` is always set (for an enterprise response, the enterprise's park) so that scope
    filtering is one join. ``version`` increases on every save: a save based on an older
    version is refused (no silent overwrite).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        APPROVED = "approved", _("approved")

    #: statuses whose answers the scoring engine reads
    SCORED_STATUSES = (Status.SUBMITTED, Status.APPROVED)
    #: statuses in which the respondent may edit
    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="responses", verbose_name=_("campaign")
    )
    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, related_name="responses", verbose_name=_("park")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("enterprise"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["campaign", "park", "enterprise"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "park"],
                condition=Q(enterprise__isnull=True),
                name="response_one_per_park",
            ),
            models.UniqueConstraint(
                fields=["campaign", "enterprise"],
                condition=Q(enterprise__isnull=False),
                name="response_one_per_enterprise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.enterprise or self.park}"

    @property
    def subject_kind(self) -> str:
        """``"park"`` or ``"enterprise"``: whose answers these are."""
        return "enterprise" if self.enterprise_id else "park"

    @property
    def is_editable(self) -> bool:
        """True while the respondent may still change answers (draft or returned)."""
        return self.status in self.EDITABLE_STATUSES


class Answer(models.Model):
    """One data element's value in a response.

    Numbers are stored in the element's canonical unit in ``value_number``; yes/no in
    ``value_bool``; everything else in ``value_text``. ``raw`` keeps what the person typed.
    """

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    data_element = models.ForeignKey(
        DataElement,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("data element"),
    )
    value_number = models.DecimalField(
        _("number"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    value_bool = models.BooleanField(_("yes/no"), null=True, blank=True)
    #: the value intended for the response's target year (UNIDO EIP assessment: intended vs
    #: current), canonical unit like ``value_number``; yes/no as 1 / 0; null = no plan given
    value_intended = models.DecimalField(
        _("intended value"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    value_text = models.TextField(_("text"), blank=True)
    raw = models.CharField(_("as entered"), max_length=200, blank=True)
    unit_entered = models.CharField(_("unit as entered"), max_length=30, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    #: every change (who, when, old and new value): django-simple-history
    history = HistoricalRecords(excluded_fields=["updated_at"], verbose_name=_("historical answer"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "data_element"], name="answer_one_per_element"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.data_element.code}={self.display_value}"

    @property
    def is_blank(self) -> bool:
        """True when no value is stored."""
        return self.value_number is None and self.value_bool is None and not self.value_text

    @property
    def display_value(self) -> str:
        """The stored value as text (canonical unit)."""
        if self.value_bool is not None:
            return "yes" if self.value_bool else "no"
        if self.value_number is not None:
            return f"{self.value_number.normalize():f}"
        return self.value_text


class Transition(models.Model):
    """A workflow step of a response: who moved it, when, from which status to which, and why."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("response")
    )
    from_status = models.CharField(_("from"), max_length=10, choices=Response.Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Response.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["response", "at", "pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.response_id}: {self.from_status} → {self.to_status}"


class AnswerComment(models.Model):
    """A reviewer's comment on one answer of a response, made when returning or reopening it.

    ``data_element`` is the element commented on (whether or not it has an answer);
    ``transition`` the return or reopen that carried the comment. The general reason of that
    step is :attr:`Transition.reason`.
    """

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="comments", verbose_name=_("response")
    )
    data_element = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="+", verbose_name=_("data element")
    )
    transition = models.ForeignKey(
        Transition,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("workflow step"),
    )
    text = models.TextField(_("comment"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["response", "at", "pk"]
        verbose_name = _("comment on an answer")
        verbose_name_plural = _("comments on answers")
        constraints = [
            models.UniqueConstraint(
                fields=["transition", "data_element"], name="answer_comment_one_per_step"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="answer_comment_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.data_element_id}: {self.text[:40]}"


# --------------------------------------------------------------------------------------
# Evidence files and sent reminders (issue 4 §2 evidence, §6 reminders; see
# surveys/evidence.py and surveys/reminders.py)
# --------------------------------------------------------------------------------------

from django.core.files.storage import FileSystemStorage  # noqa: E402  (kept with its block)


class PrivateFileStorage(FileSystemStorage):
    """Files under ``MEDIA_ROOT`` (outside ``static/``) with **no public URL**: they are served
    only by a view that checks the permission policy, never from ``/media/``."""

    def url(self, name):
        raise ValueError("private files have no URL; serve them through a permission-checked view")


def evidence_storage() -> PrivateFileStorage:
    """The storage of evidence files (a callable, so migrations stay free of paths; the
    location follows ``MEDIA_ROOT`` at run time)."""
    return PrivateFileStorage()


def evidence_upload_to(instance, filename: str) -> str:
    """A random stored name, ``evidence/<year>/<32 hex>.<ext>``: the original name is kept in
    ``original_name`` for display only, never used on disk."""
    import uuid

    from django.utils import timezone

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


class Evidence(models.Model):
    """A file proving an answer (PDF, JPEG, PNG or XLSX; at most 10 MB), typed from its content.

    Which answers take evidence, and the checks on upload: ``surveys.evidence``.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        XLSX = "xlsx", "XLSX"

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("response")
    )
    data_element = models.ForeignKey(
        DataElement,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("data element"),
    )
    file = models.FileField(
        _("file"), upload_to=evidence_upload_to, storage=evidence_storage, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=5, choices=Kind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["response", "data_element", "uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0, size__lte=10 * 1024 * 1024), name="evidence_size_limit"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["pdf", "jpeg", "png", "xlsx"]), name="evidence_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class ReminderSent(models.Model):
    """One reminder e-mail that went out, so that a re-run never sends it twice.

    ``kind``: ``due`` (``on`` = close date − n days of the campaign's schedule), ``overdue``
    (``on`` = the day after the close date), both per response; ``digest`` (``on`` = the
    Monday of the week), per park and campaign, to the park's managers.
    """

    class Kind(models.TextChoices):
        DUE = "due", _("due soon")
        OVERDUE = "overdue", _("overdue")
        DIGEST = "digest", _("weekly digest")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("response"),
    )
    park = models.ForeignKey(
        Park, on_delete=models.CASCADE, related_name="+", verbose_name=_("park")
    )
    on = models.DateField(_("for the date"))
    recipients = models.TextField(_("recipients"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "pk"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "kind", "on"],
                condition=Q(response__isnull=False),
                name="reminder_once_per_response_kind_date",
            ),
            models.UniqueConstraint(
                fields=["campaign", "park", "on"],
                condition=Q(kind="digest"),
                name="digest_once_per_park_week",
            ),
            models.CheckConstraint(
                condition=Q(kind="digest", response__isnull=True)
                | (Q(kind__in=["due", "overdue"]) & Q(response__isnull=False)),
                name="reminder_kind_matches_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.on:%d/%m/%Y} → {self.recipients}"


# --- RECP measures, industrial symbiosis, streams, certificates, roadmap (issue 7) -----------
# Registers that respondents keep once and that the criteria read (surveys/registers.py).


class RECPMeasure(models.Model):
    """A resource-efficient and cleaner production (RECP) measure of one enterprise.

    ``saving_value`` is the yearly physical saving in the canonical unit of its dimension
    (``saving_unit``: kWh energy, m³ volume, t mass; converted with ``indicators.units``), as
    typed in ``saving_value_entered``/``saving_unit_entered``; ``saving_money_vnd`` the yearly
    money saving in VND; ``investment_vnd`` the investment in VND. ``ghg_reduction_tco2e`` is
    computed (never typed) for grid-electricity savings from the emission factor of ``year``
    (``emission_factor``); ``ghg_note`` says why it is empty. ``year``: the year implemented
    (or planned). ``version`` increases on every save (conflicting edits are refused).
    Decree 35/2022/ND-CP Art. 37(2) (RECP with demonstrated savings), Art. 43 (yearly report).
    """

    class Area(models.TextChoices):
        ENERGY = "energy", _("energy")
        WATER = "water", _("water")
        MATERIALS = "materials", _("materials")
        CHEMICALS = "chemicals", _("chemicals")
        WASTE = "waste", _("waste")

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("identified")
        IMPLEMENTED = "implemented", _("implemented")
        VERIFIED = "verified", _("verified")

    class Carrier(models.TextChoices):
        NONE = "", _("not energy")
        ELECTRICITY = "electricity", _("grid electricity")
        FUEL_HEAT = "fuel_heat", _("fuel or heat")

    #: statuses that count as applying RECP (Art. 37(2))
    APPLIED_STATUSES = (Status.IMPLEMENTED, Status.VERIFIED)

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="recp_measures",
        verbose_name=_("enterprise"),
    )
    area = models.CharField(_("area"), max_length=12, choices=Area.choices)
    title = models.CharField(_("measure"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IDENTIFIED
    )
    year = models.PositiveSmallIntegerField(_("year implemented (or planned)"))
    investment_vnd = models.DecimalField(
        _("investment (VND)"), max_digits=20, decimal_places=0, null=True, blank=True
    )
    saving_value = models.DecimalField(
        _("yearly saving"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    saving_unit = models.CharField(_("unit of the saving"), max_length=10, blank=True)
    saving_value_entered = models.CharField(_("saving as entered"), max_length=60, blank=True)
    saving_unit_entered = models.CharField(_("unit as entered"), max_length=10, blank=True)
    energy_carrier = models.CharField(
        _("energy saved"), max_length=12, choices=Carrier.choices, blank=True, default=""
    )
    saving_money_vnd = models.DecimalField(
        _("yearly money saving (VND)"), max_digits=20, decimal_places=0, null=True, blank=True
    )
    ghg_reduction_tco2e = models.DecimalField(
        _("GHG reduction (t CO2e/year)"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    emission_factor = models.ForeignKey(
        "indicators.EmissionFactor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("emission factor used"),
    )
    ghg_note = models.CharField(_("GHG note"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["enterprise", "-year", "title"]
        verbose_name = _("RECP measure")
        verbose_name_plural = _("RECP measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="recp_year_range"
            ),
            models.CheckConstraint(
                condition=Q(investment_vnd__isnull=True) | Q(investment_vnd__gte=0),
                name="recp_investment_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(saving_money_vnd__isnull=True) | Q(saving_money_vnd__gte=0),
                name="recp_money_saving_not_negative",
            ),
            models.CheckConstraint(
                condition=(Q(saving_value__isnull=True) & Q(saving_unit=""))
                | (Q(saving_value__gte=0) & Q(saving_unit__in=["kWh", "m³", "t"])),
                name="recp_saving_canonical_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_savings(self) -> bool:
        """True when a positive physical or money saving is recorded."""
        return bool((self.saving_value or 0) > 0 or (self.saving_money_vnd or 0) > 0)

    @property
    def payback_years(self):
        """Simple payback in years = investment (VND) / yearly money saving (VND), to 0.1;
        None when either is missing or the saving is zero."""
        if self.investment_vnd is None or not self.saving_money_vnd:
            return None
        return round(float(self.investment_vnd) / float(self.saving_money_vnd), 1)


class SymbiosisExchange(models.Model):
    """An industrial symbiosis exchange (cộng sinh công nghiệp) of a park between two or more
    parties: enterprises of the park, the park developer, or outside parties.

    ``kind`` follows the forms Circular 05/2025/TT-BKHĐT Art. 2(1) lists. ``quantity_per_year``
    is in the canonical unit ``unit`` of its dimension (kWh, m³, t, or '' for a count or a
    service). An exchange is operating on a date D when it started on or before D and had
    not ended before D (statuses operating or ended). Decree 35/2022 Art. 37(2)(b).
    """

    class Kind(models.TextChoices):
        MATERIAL = "material", _("material or by-product")
        WASTE = "waste", _("waste")
        WATER = "water", _("water")
        ENERGY = "energy", _("energy or heat")
        INFRASTRUCTURE = "infrastructure", _("shared infrastructure")
        SERVICE = "service", _("shared service")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        UNDER_STUDY = "under_study", _("under study")
        OPERATING = "operating", _("operating")
        ENDED = "ended", _("ended")

    park = models.ForeignKey(
        Park, on_delete=models.PROTECT, related_name="symbioses", verbose_name=_("park")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("exchange"), max_length=200)
    flow = models.CharField(_("what flows"), max_length=300, blank=True)
    quantity_per_year = models.DecimalField(
        _("quantity per year"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    quantity_entered = models.CharField(_("quantity as entered"), max_length=80, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    source_output = models.ForeignKey(
        "Stream",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matched output stream"),
    )
    source_input = models.ForeignKey(
        "Stream",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matched input need"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["park", "title"]
        verbose_name = _("symbiosis exchange")
        verbose_name_plural = _("symbiosis exchanges")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["operating", "ended"]) | Q(started_on__isnull=False),
                name="symbiosis_operating_has_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | Q(ended_on__isnull=False),
                name="symbiosis_ended_has_end",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="symbiosis_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(quantity_per_year__isnull=True) | Q(quantity_per_year__gte=0),
                name="symbiosis_quantity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SymbiosisParticipant(models.Model):
    """A party of an exchange: an enterprise, a park's developer, or an outside party by name.
    ``role``: provides, receives, or shares (infrastructure, services)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        DEVELOPER = "developer", _("park developer")
        OUTSIDE = "outside", _("outside party")

    class Role(models.TextChoices):
        PROVIDES = "provides", _("provides")
        RECEIVES = "receives", _("receives")
        SHARES = "shares", _("shares")

    exchange = models.ForeignKey(
        SymbiosisExchange,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("exchange"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SHARES)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="symbiosis_roles",
        verbose_name=_("enterprise"),
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("park (of the developer)"),
    )
    name = models.CharField(_("name (outside party)"), max_length=200, blank=True)

    class Meta:
        ordering = ["exchange", "kind", "pk"]
        verbose_name = _("symbiosis participant")
        verbose_name_plural = _("symbiosis participants")
        constraints = [
            models.CheckConstraint(
                name="participant_shape",
                condition=Q(kind="enterprise", enterprise__isnull=False, park__isnull=True)
                | Q(kind="developer", enterprise__isnull=True, park__isnull=False)
                | (Q(kind="outside", enterprise__isnull=True, park__isnull=True) & ~Q(name="")),
            ),
            models.UniqueConstraint(
                fields=["exchange", "enterprise"],
                condition=Q(enterprise__isnull=False),
                name="participant_enterprise_once",
            ),
        ]

    def __str__(self) -> str:
        if self.enterprise_id:
            return str(self.enterprise)
        if self.park_id:
            return f"{self.park.operator or self.park} ({_('park developer')})"
        return self.name


class ISOCertificate(models.Model):
    """A management-system certificate an enterprise holds (ISO 14001, ISO 50001, ISO 9001,
    ISO 45001 or another ISO management-system standard named in ``other_standard``), valid
    from ``issued_on`` to ``expires_on`` inclusive. Evidence for Decree 35/2022 Art. 37(2)(b)
    ("participants apply ISO production and environmental management systems"; the Decree
    names no particular standard)."""

    class Standard(models.TextChoices):
        ISO14001 = "iso14001", "ISO 14001"
        ISO50001 = "iso50001", "ISO 50001"
        ISO9001 = "iso9001", "ISO 9001"
        ISO45001 = "iso45001", "ISO 45001"
        OTHER = "other", _("other ISO management-system standard")

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="iso_certificates",
        verbose_name=_("enterprise"),
    )
    standard = models.CharField(_("standard"), max_length=10, choices=Standard.choices)
    other_standard = models.CharField(_("other standard"), max_length=60, blank=True)
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    issuer = models.CharField(_("certification body"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"))
    is_demo = models.BooleanField(_("demo data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["enterprise", "expires_on"]
        verbose_name = _("ISO certificate")
        verbose_name_plural = _("ISO certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="iso_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(standard="other") | ~Q(other_standard=""),
                name="iso_other_named",
            ),
        ]

    def __str__(self) -> str:
        name = self.other_standard if self.standard == "other" else self.get_standard_display()
        return f"{name} – {self.enterprise}"


class CertificateNotice(models.Model):
    """An expiry notice e-mailed for a certificate, one per (certificate, expiry date): a
    renewed certificate (new ``expires_on``) gets a new notice, the same one never twice."""

    certificate = models.ForeignKey(
        ISOCertificate,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("certificate"),
    )
    expires_on = models.DateField(_("expiry notified"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("certificate expiry notice")
        verbose_name_plural = _("certificate expiry notices")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "expires_on"], name="certificate_notice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.expires_on:%d/%m/%Y} → {self.recipients}"


class Stream(models.Model):
    """An output stream an enterprise offers (by-product, waste, surplus heat or water) or an
    input it needs, for matching. ``quantity_per_year`` in the canonical unit ``unit``."""

    class Direction(models.TextChoices):
        OUTPUT = "output", _("output (offered)")
        INPUT = "input", _("input (needed)")

    class Category(models.TextChoices):
        PLASTIC = "plastic", _("plastic scrap")
        METAL = "metal", _("metal scrap")
        PAPER = "paper", _("paper and cardboard")
        WOOD = "wood", _("wood and biomass")
        TEXTILE = "textile", _("textile scrap")
        GLASS = "glass", _("glass")
        ORGANIC = "organic", _("organic waste")
        SLUDGE = "sludge", _("sludge")
        ASH = "ash", _("ash and slag")
        CHEMICAL = "chemical", _("chemicals and solvents")
        WATER = "water", _("treated or surplus water")
        HEAT = "heat", _("waste heat or steam")
        OTHER = "other", _("other")

    #: categories grouped by the kind of exchange they lead to (Circular 05/2025 Art. 2(1))
    GROUPS = {
        "plastic": "material",
        "metal": "material",
        "paper": "material",
        "wood": "material",
        "textile": "material",
        "glass": "material",
        "organic": "waste",
        "sludge": "waste",
        "ash": "waste",
        "chemical": "material",
        "water": "water",
        "heat": "energy",
        "other": "other",
    }

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="streams", verbose_name=_("enterprise")
    )
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity_per_year = models.DecimalField(
        _("quantity per year"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    quantity_entered = models.CharField(_("quantity as entered"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["enterprise", "direction", "category"]
        verbose_name = _("stream")
        verbose_name_plural = _("streams")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_per_year__isnull=True) | Q(quantity_per_year__gte=0),
                name="stream_quantity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.get_category_display()} – {self.enterprise}"


class RoadmapAction(models.Model):
    """An improvement-roadmap action (lộ trình) on a criterion of a park (``enterprise`` empty)
    or of one of its enterprises: owner, target date, expected effect, status. Overdue when
    still open after ``target_date``; its owner is e-mailed once per target date
    (``overdue_notified_for``)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    park = models.ForeignKey(
        Park, on_delete=models.CASCADE, related_name="roadmap_actions", verbose_name=_("park")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roadmap_actions",
        verbose_name=_("enterprise"),
    )
    criterion = models.ForeignKey(
        "indicators.Criterion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("criterion"),
    )
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roadmap_actions",
        verbose_name=_("owner"),
    )
    owner_name = models.CharField(_("owner (name)"), max_length=200, blank=True)
    target_date = models.DateField(_("target date"))
    expected_effect = models.TextField(_("expected effect"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    overdue_notified_for = models.DateField(_("overdue notice sent for"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["park", "target_date", "pk"]
        verbose_name = _("roadmap action")
        verbose_name_plural = _("roadmap actions")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today=None) -> bool:
        """True when still planned or in progress after the target date."""
        import datetime as _dt

        today = today or _dt.date.today()
        return self.status in self.OPEN_STATUSES and self.target_date < today


# --------------------------------------------------------------------------------------
# Background XLSX exports (issue 4 §8; see surveys/tasks.py and surveys/views_excel.py)
# --------------------------------------------------------------------------------------


def export_upload_to(instance, filename: str) -> str:
    """A random stored name, ``exports/<32 hex>.xlsx``; the download name is built by the view."""
    import uuid

    return f"exports/{uuid.uuid4().hex}.xlsx"


class ExportJob(models.Model):
    """One XLSX export of a campaign's answers, built by a Celery task outside the request.

    ``shape``: ``long`` | ``wide`` (``surveys.interchange.EXPORT_SHAPES``); ``park`` narrows it
    to one park (null = every park in the requesting user's scope); ``language``: ``vi`` |
    ``en``, the language of headers and yes/no. Status moves queued → running → done | failed,
    then → expired once ``ECOPARK_EXPORT_KEEP_DAYS`` days after ``finished_at``
    (``surveys.services_exports.expire_exports``: the file is deleted and ``file`` emptied).
    The file (private storage, no public URL) is served only to ``requested_by``;
    ``rows_written`` counts data rows (header rows excluded).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("campaign")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    shape = models.CharField(
        _("layout"), max_length=4, choices=[("long", _("long")), ("wide", _("wide"))]
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("park"),
    )
    language = models.CharField(_("language"), max_length=2, default="vi")
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(
        _("file"), upload_to=export_upload_to, storage=evidence_storage, max_length=200, blank=True
    )
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.shape}/{self.status}"

    @property
    def is_finished(self) -> bool:
        """True when done, failed or expired (the job page stops refreshing)."""
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    def download_name(self) -> str:
        """``ecopark-<period>-campaign<id>-<shape>[-park<id>].xlsx``, as the streamed exports."""
        name = f"ecopark-{self.campaign.period}-campaign{self.campaign_id}-{self.shape}"
        if self.park_id is not None:
            name += f"-park{self.park_id}"
        return f"{name}.xlsx"
