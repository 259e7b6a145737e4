"""The read side: score snapshots written by the recompute task (DESIGN.md §3, §4).

A snapshot holds one subject's (park or enterprise) results in one campaign, with the
framework version and a fingerprint of the inputs it used: recomputing the same inputs writes
the same rows, and last year's snapshot does not move when a later version changes a threshold.
Dashboards read snapshots only; they never recompute.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Park
from indicators.models import Category, Criterion, FrameworkVersion
from surveys.models import Campaign


class State(models.TextChoices):
    """The state of one criterion for one subject. Missing data is never "not met"."""

    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")
    NO_DATA = "no_data", _("no data")
    NO_THRESHOLD = "no_threshold", _("no threshold set")


class RecomputeState(models.Model):
    """Whether a park's results in a campaign are up to date.

    ``stale`` is set in the same transaction that changes scored answers and cleared by the
    recompute that read them; the periodic sweep recomputes whatever stays stale (e.g. when the
    broker was unreachable at submit time).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="+")
    stale = models.BooleanField(_("stale"), default=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recompute state")
        verbose_name_plural = _("recompute states")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "park"], name="recompute_state_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.park_id}: {'stale' if self.stale else 'fresh'}"


class ScoreSnapshot(models.Model):
    """One subject's scores in one campaign (kết quả đánh giá).

    ``index`` is 0–100: the weighted share of applicable criteria met. ``eligible`` is True
    only when every applicable mandatory criterion is met (the Decree 35 Art. 37 gate for parks,
    Art. 40(2) for eco-enterprises). ``fingerprint`` is a SHA-256 of the inputs.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("campaign")
    )
    framework_version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("framework version"),
    )
    park = models.ForeignKey(
        Park, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("park")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="snapshots",
        verbose_name=_("enterprise"),
    )
    computed_at = models.DateTimeField(_("computed at"))
    fingerprint = models.CharField(_("input fingerprint"), max_length=64)
    index = models.DecimalField(_("index"), max_digits=6, decimal_places=2, null=True)
    criteria_met = models.PositiveIntegerField(_("criteria met"), default=0)
    criteria_applicable = models.PositiveIntegerField(_("criteria applicable"), default=0)
    mandatory_met = models.PositiveIntegerField(_("mandatory criteria met"), default=0)
    mandatory_total = models.PositiveIntegerField(_("mandatory criteria"), default=0)
    eligible = models.BooleanField(_("eligible for certification"), default=False)
    reported = models.PositiveIntegerField(_("enterprises reported"), null=True, blank=True)
    population = models.PositiveIntegerField(_("enterprises in the park"), null=True, blank=True)

    class Meta:
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "park"],
                condition=Q(enterprise__isnull=True),
                name="snapshot_one_per_park",
            ),
            models.UniqueConstraint(
                fields=["campaign", "enterprise"],
                condition=Q(enterprise__isnull=False),
                name="snapshot_one_per_enterprise",
            ),
            models.CheckConstraint(
                condition=Q(index__isnull=True) | Q(index__gte=0, index__lte=100),
                name="snapshot_index_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.enterprise or self.park}"


class CriterionResult(models.Model):
    """One criterion's state for the snapshot's subject, with the value and gap it was judged on.

    ``gap`` is ``threshold - value`` for ≥/> rules and ``value - threshold`` for ≤/< rules,
    positive while the criterion is not met. ``reported``/``population`` carry a roll-up's
    coverage (enterprises that reported / enterprises in the park).
    """

    snapshot = models.ForeignKey(
        ScoreSnapshot, on_delete=models.CASCADE, related_name="results", verbose_name=_("snapshot")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    value = models.FloatField(_("value"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    reported = models.PositiveIntegerField(_("enterprises reported"), null=True, blank=True)
    population = models.PositiveIntegerField(_("enterprises in the park"), null=True, blank=True)

    class Meta:
        verbose_name = _("criterion result")
        verbose_name_plural = _("criterion results")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "criterion"], name="criterion_result_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.state}"


class CategoryScore(models.Model):
    """Share of applicable criteria met in one category (weighted), 0–1."""

    snapshot = models.ForeignKey(
        ScoreSnapshot,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("snapshot"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    met = models.PositiveIntegerField(_("met"))
    applicable = models.PositiveIntegerField(_("applicable"))
    share = models.FloatField(_("share met"), null=True, blank=True)

    class Meta:
        verbose_name = _("category score")
        verbose_name_plural = _("category scores")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "category"], name="category_score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.met}/{self.applicable}"
