"""What was answered: campaigns, responses and answers (DESIGN.md §2).

A campaign is one reporting round (a period, one pinned framework version). Opening it creates
one response per park in scope and one per enterprise of those parks. A response moves
draft → submitted → returned/approved (Decree 35/2022 Art. 43: the park reports to the
management board; each eco-enterprise to the developer and the board).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Park, Province
from indicators.models import DataElement, FrameworkVersion


class Campaign(models.Model):
    """One reporting round: a period (year), a pinned framework version and a scope."""

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
