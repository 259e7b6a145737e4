"""What was answered: campaigns, responses and answers (docs/architecture.md).

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

from common import fields
from common.formats import format_list
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
    #: the official report forms this round collects (Circular 05/2025/TT-BKHĐT: ``A.4``,
    #: ``A.5`` from parks, ``B.4``, ``B.5`` from enterprises; ``indicators.official_forms``),
    #: in filing order; empty: only the framework's data elements are asked
    report_forms = models.JSONField(_("report forms"), default=list, blank=True)
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

    @property
    def reminder_days_text(self) -> str:
        """The schedule as a sentence says it: ``30 và 7`` / ``30 and 7``."""
        return format_list(self.reminder_days_list)


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
    #: the answers were made up for the demo (``manage.py load_demo``) and are labelled so
    is_demo = models.BooleanField(_("demo data"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = fields.user_reference(_("submitted by"), on_delete=models.PROTECT)
    updated_at = fields.updated_at()
    #: the response's own due date, replacing the campaign's close date when later: set by an
    #: extension (:class:`Extension`) or by a reviewer returning it (``surveys.periods``)
    due_on = models.DateField(_("own due date"), null=True, blank=True)
    #: the first submission (a later resubmission after a return does not move it)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    #: whole days between the campaign's close date and the first submission (0: on time;
    #: null: never submitted), recorded when first submitted (``surveys.periods``)
    days_late = models.PositiveIntegerField(_("days late"), null=True, blank=True)

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
            models.CheckConstraint(
                condition=Q(days_late__isnull=True) | Q(first_submitted_at__isnull=False),
                name="response_lateness_needs_a_submission",
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
        """True while the status lets the respondent change answers (draft or returned); the
        reporting period must be open too (``surveys.periods``)."""
        return self.status in self.EDITABLE_STATUSES


class Origin(models.TextChoices):
    """Where a stored value came from: typed by the person, the registers' figure accepted
    with one action, or computed by ecopark from other fields (Circular 05/2025 forms)."""

    TYPED = "typed", _("typed")
    REGISTERS = "registers", _("from the registers")
    CALCULATED = "calculated", _("calculated")


class StoredValue(models.Model):
    """The fields a stored answer keeps, whatever it answers: a number (``value_number``, in
    the unit its question keeps), a yes/no (``value_bool``) or text (``value_text``), what the
    person typed (``raw``, ``unit_entered``), where it came from (``origin``) and who changed it
    last, when."""

    value_number = fields.quantity(_("number"))
    value_bool = models.BooleanField(_("yes/no"), null=True, blank=True)
    value_text = models.TextField(_("text"), blank=True)
    raw = models.CharField(_("as entered"), max_length=200, blank=True)
    unit_entered = models.CharField(_("unit as entered"), max_length=30, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.TYPED
    )
    updated_by = fields.updated_by(on_delete=models.PROTECT)
    updated_at = fields.updated_at()

    class Meta:
        abstract = True


class _AnswerHistory(HistoricalRecords):
    """The answers' history (django-simple-history) with only the indexes a page reads by.

    An import writes one history row per answer (60,000 for 1,000 enterprises × 60
    columns), so every index of ``surveys_historicalanswer`` is kept up 60,000 times per
    import (``benchmarks/README.md``, ``import_xlsx.py``). The history is read by response
    (:func:`surveys.selectors.response_answer_history` on the response page,
    :func:`surveys.selectors.corrected_answers_rows` on the dashboards) and by answer
    (``instance.history``: the admin's history page, ``surveys/admin.py``); the plans are
    printed by ``benchmarks/answer_plans.py``. Kept:

    - ``response_id``: both selectors filter on it;
    - ``id``: the history of one answer;
    - ``history_user_id``: the foreign key to the user (a real constraint, ``SET NULL`` on
      delete): deleting a user in the admin finds its history rows through it, rather than
      reading the whole history twice (it costs ~0.09 s per 60,000 rows,
      ``benchmarks/answer_inserts.py``).

    Dropped, as nothing filters or sorts the history by them alone (every reader filters by
    response or answer first, then orders their few rows): ``history_date``,
    ``data_element_id`` and ``updated_by_id`` (copies of the answer's keys, without a
    constraint in the history).
    """

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        extra["history_date"] = models.DateTimeField(db_index=False)
        return extra


class Answer(StoredValue):
    """One data element's value in a response.

    Numbers are stored in the element's canonical unit in ``value_number``; yes/no in
    ``value_bool``; everything else in ``value_text``. ``raw`` keeps what the person typed;
    ``origin`` whether it was typed or the registers' figure accepted (:class:`Origin`).
    """

    #: no index of its own: the unique constraint (response, data_element) below leads with
    #: it and serves every filter by response (plans: ``benchmarks/answer_plans.py``); one
    #: index fewer to keep up on each answer an import writes
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("response"),
        db_index=False,
    )
    data_element = models.ForeignKey(
        DataElement,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("data element"),
    )
    #: the value intended for the response's target year (UNIDO EIP assessment: intended vs
    #: current), canonical unit like ``value_number``; yes/no as 1 / 0; null = no plan given
    value_intended = fields.quantity(_("intended value"))

    #: every change (who, when, old and new value): django-simple-history
    history = _AnswerHistory(
        excluded_fields=["updated_at"],
        no_db_index=["data_element", "updated_by"],
        verbose_name=_("historical answer"),
    )

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


class ReportValue(StoredValue):
    """One field of an official report form (Circular 05/2025/TT-BKHĐT A.4, B.4, …) in a
    response, for the fields that are not data elements of the framework: ``item`` names it
    as ``"<form>:<key>"`` (e.g. ``"A.4:III.1.2.3"``, ``indicators.official_forms``).

    ``value_number`` is in the item's stored unit (``store_unit``: kWh, m³, t, t CO2e,
    million VND …; for a quantity with its own unit, ``unit_entered``); ``value_bool`` a
    yes/no; ``value_text`` text, a date (ISO) or several codes separated by ``;``. ``raw`` is
    what was typed, ``origin`` whether it was typed, the registers' figure accepted, or
    calculated by the server (:class:`Origin`). Every change is kept in ``history``.
    """

    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="report_values",
        verbose_name=_("response"),
    )
    item = models.CharField(_("form field"), max_length=40)

    history = HistoricalRecords(
        excluded_fields=["updated_at"], verbose_name=_("historical report value")
    )

    class Meta:
        ordering = ["response", "item"]
        verbose_name = _("report value")
        verbose_name_plural = _("report values")
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="report_value_once"),
            models.CheckConstraint(
                condition=Q(value_number__isnull=True) | ~Q(value_bool__isnull=False),
                name="report_value_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.item}={self.value_number if self.value_number is not None else self.value_text}"
        )


class ProductionLine(models.Model):
    """One row of an enterprise's production capacity table (form B.4 Part II, year [N-1]):
    a product, its unit, the design capacity and the current output in that unit, the energy
    it consumes per unit of product with its carrier, and its revenue in million VND.

    Kept with its response; every change in ``history``."""

    class Unit(models.TextChoices):
        TONNES_YEAR = "tấn/năm", "tấn/năm"
        METRES_YEAR = "m/năm", "m/năm"
        SQUARE_METRES_YEAR = "m²/năm", "m²/năm"
        CUBIC_METRES_HOUR = "m³/giờ", "m³/giờ"

    class Carrier(models.TextChoices):
        ELECTRICITY = "electricity", _("electricity")
        OIL = "oil", _("oil")
        GAS = "gas", _("gas")

    #: the row's cells, in the order of the form's columns
    COLUMNS = (
        "product",
        "unit",
        "design_capacity",
        "actual_output",
        "energy_per_unit",
        "energy_carrier",
        "revenue_million_vnd",
    )

    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="production_lines",
        verbose_name=_("response"),
    )
    position = models.PositiveSmallIntegerField(_("row"))
    product = models.TextField(_("product"))
    unit = models.CharField(_("unit of measure"), max_length=10, choices=Unit.choices, blank=True)
    design_capacity = fields.quantity(_("design capacity"))
    actual_output = fields.quantity(_("current output"))
    energy_per_unit = fields.quantity(_("energy per unit of product"))
    energy_carrier = models.CharField(
        _("energy carrier"), max_length=12, choices=Carrier.choices, default=Carrier.ELECTRICITY
    )
    revenue_million_vnd = fields.quantity(_("revenue (million VND)"))
    updated_by = fields.updated_by(on_delete=models.PROTECT)

    history = HistoricalRecords(verbose_name=_("historical production line"))

    class Meta:
        ordering = ["response", "position"]
        verbose_name = _("production line")
        verbose_name_plural = _("production lines")
        constraints = [
            models.UniqueConstraint(fields=["response", "position"], name="production_row_once"),
            models.CheckConstraint(condition=~Q(product=""), name="production_product_named"),
            models.CheckConstraint(
                condition=(Q(design_capacity__isnull=True) | Q(design_capacity__gte=0))
                & (Q(actual_output__isnull=True) | Q(actual_output__gte=0))
                & (Q(energy_per_unit__isnull=True) | Q(energy_per_unit__gte=0))
                & (Q(revenue_million_vnd__isnull=True) | Q(revenue_million_vnd__gte=0)),
                name="production_numbers_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.product


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
    #: the due date a reviewer set when returning or reopening (null: none set)
    due_on = models.DateField(_("due date set"), null=True, blank=True)

    class Meta:
        ordering = ["response", "at", "pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.response_id}: {self.from_status} → {self.to_status}"


class Extension(models.Model):
    """A new due date granted to one response after (or before) its campaign closes: who
    granted it, when, until which day and why (``surveys.periods``). The latest grant is the
    one in force; it is also copied to :attr:`Response.due_on`. Who may grant one is the
    permission policy's ``extend`` action (``enterprises/policy.py``)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("response")
    )
    until = models.DateField(_("extended until"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        ordering = ["response", "granted_at", "pk"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="extension_reason_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} → {self.until:%d/%m/%Y}"


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
# Evidence files and sent reminders (see surveys/evidence.py and surveys/reminders.py)
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
    """A file proving an answer (PDF, JPEG, PNG, XLSX, or DOCX for a form field that asks for
    Word documents; at most 10 MB), typed from its content.

    Which answers take evidence, and the checks on upload: ``surveys.evidence``.
    """

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        XLSX = "xlsx", "XLSX"
        DOCX = "docx", "DOCX"

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("response")
    )
    data_element = models.ForeignKey(
        DataElement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("data element"),
    )
    #: or the report form field the file supports (``"A.4:III.2.1.11"``: the symbiosis
    #: agreements), see ``indicators.official_forms``
    item = models.CharField(_("form field"), max_length=40, blank=True)
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
                condition=Q(kind__in=["pdf", "jpeg", "png", "xlsx", "docx"]),
                name="evidence_kind_known_with_word",
            ),
            models.CheckConstraint(
                condition=(Q(data_element__isnull=False) & Q(item=""))
                | (Q(data_element__isnull=True) & ~Q(item="")),
                name="evidence_for_element_or_form_field",
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


# --------------------------------------------------------------------------------------
# Background XLSX exports (see surveys/tasks.py and surveys/views_excel.py)
# --------------------------------------------------------------------------------------


def export_upload_to(instance, filename: str) -> str:
    """A random stored name, ``exports/<32 hex>.xlsx`` (``.zip`` for documents); the download
    name is built by the view."""
    import uuid

    return f"exports/{uuid.uuid4().hex}.{instance.extension}"


class ExportJob(models.Model):
    """One XLSX export of a campaign's answers, or one ZIP of its official documents, built by
    a Celery task outside the request.

    ``shape``: ``long`` | ``wide`` (an XLSX, ``surveys.interchange.EXPORT_SHAPES``) or
    ``docx`` | ``pdf`` (a ZIP of the documents of every response and form in scope,
    ``surveys.documents``, ``docs/documents.md``); ``park`` narrows it to one park and
    ``province`` to one province (null = everything in the requesting user's scope);
    ``language``: ``vi`` | ``en``, the language of headers and yes/no (of the documents). Status moves queued → running → done | failed,
    then → expired once ``ECOPARK_EXPORT_KEEP_DAYS`` days after ``finished_at``
    (``surveys.services_exports.expire_exports``: the file is deleted and ``file`` emptied).
    The file (private storage, no public URL) is served only to ``requested_by``;
    ``rows_written`` counts data rows (header rows excluded) or, for documents, the documents
    written so far out of ``total`` (the progress the job page shows).

    A ZIP of documents is written in chunks (``surveys.documents_archive``): ``chunks_done``,
    ``archive_size`` (bytes of the file that form a complete ZIP), ``resume_response`` and
    ``resume_form`` (the last document written: response id, form ``A4`` | ``A5`` | ``B4`` |
    ``B5``) record where the next chunk continues (:meth:`archive_mark`).
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
        _("layout"),
        max_length=4,
        choices=[
            ("long", _("long")),
            ("wide", _("wide")),
            ("docx", _("documents (DOCX)")),
            ("pdf", _("documents (PDF)")),
        ],
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("park"),
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    language = models.CharField(_("language"), max_length=2, default="vi")
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(
        _("file"), upload_to=export_upload_to, storage=evidence_storage, max_length=200, blank=True
    )
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    total = models.PositiveIntegerField(_("documents to write"), default=0)
    # the ZIP of documents, written in chunks (surveys/documents_archive.py): the recorded mark
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    archive_size = models.PositiveBigIntegerField(_("archive size (bytes)"), default=0)
    resume_response = models.PositiveBigIntegerField(
        _("last response written"), null=True, blank=True
    )
    resume_form = models.CharField(_("last form written"), max_length=2, blank=True)
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

    #: the shapes whose file is a ZIP of official documents
    DOCUMENT_SHAPES = ("docx", "pdf")

    @property
    def is_documents(self) -> bool:
        """True for a ZIP of official documents (shape ``docx`` or ``pdf``)."""
        return self.shape in self.DOCUMENT_SHAPES

    @property
    def extension(self) -> str:
        """``zip`` for documents, else ``xlsx``."""
        return "zip" if self.is_documents else "xlsx"

    def archive_mark(self):
        """The recorded point of a documents ZIP (:class:`surveys.documents_archive.Mark`):
        chunks done, size, last document ``(response id, form)`` (the count is read from the
        archive: ``rows_written`` also moves inside a chunk)."""
        from .documents_archive import Mark

        after = None
        if self.resume_response is not None:
            after = (self.resume_response, self.resume_form)
        return Mark(chunks=self.chunks_done, size=self.archive_size, after=after)

    def download_name(self) -> str:
        """``ecopark-<period>-campaign<id>-<shape>[-province<id>][-park<id>].<xlsx|zip>``, as
        the streamed exports."""
        name = f"ecopark-{self.campaign.period}-campaign{self.campaign_id}-{self.shape}"
        if self.province_id is not None:
            name += f"-province{self.province_id}"
        if self.park_id is not None:
            name += f"-park{self.park_id}"
        return f"{name}.{self.extension}"


# --------------------------------------------------------------------------------------
# Background Excel imports (see surveys/services_imports.py)
# --------------------------------------------------------------------------------------


def import_upload_to(instance, filename: str) -> str:
    """A random stored name, ``imports/<32 hex>.xlsx``; deleted once the job has run."""
    import uuid

    return f"imports/{uuid.uuid4().hex}.xlsx"


class ImportJob(models.Model):
    """One Excel import of a park's enterprise answers too large to check within a request,
    run by a Celery task (``surveys.services_imports``).

    Status moves queued → running → done | failed. ``rows_total`` is the number of rows the
    first sheet holds (read from the file before the job is queued) and ``rows_read`` the rows
    checked so far (the progress shown). ``errors`` lists the cell problems of a refused file
    (as :meth:`common.xlsx.CellError.as_dict`), ``error`` a reason refusing the file as a
    whole; on success ``answers_changed`` and ``responses_changed`` say what was written. The
    uploaded file is kept in private storage only until the job has run.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("campaign")
    )
    park = models.ForeignKey(
        Park, on_delete=models.CASCADE, related_name="+", verbose_name=_("park")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("requested by"),
    )
    language = models.CharField(_("number format"), max_length=2, default="vi")
    file = models.FileField(
        _("file"), upload_to=import_upload_to, storage=evidence_storage, max_length=200, blank=True
    )
    name = models.CharField(_("file name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_read = models.PositiveIntegerField(_("rows checked"), default=0)
    answers_changed = models.PositiveIntegerField(_("answers changed"), default=0)
    responses_changed = models.PositiveIntegerField(_("responses changed"), default=0)
    errors = models.JSONField(_("cell errors"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_read__lte=models.F("rows_total")),
                name="import_job_read_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.park_id}: {self.status}"

    @property
    def is_finished(self) -> bool:
        """True when done or failed (the job page stops refreshing)."""
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """Rows checked, 0–100 (100 once done)."""
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_read / self.rows_total) if self.rows_total else 0
