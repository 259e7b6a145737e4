"""The read side: score snapshots written by the recompute task (docs/architecture.md).

A snapshot holds one subject's (park or enterprise) results in one campaign, with the
framework version and a fingerprint of the inputs it used: recomputing the same inputs writes
the same rows, and last year's snapshot does not move when a later version changes a threshold.
Dashboards read snapshots only; they never recompute.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
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


class RecomputeStateQuerySet(models.QuerySet):
    """Reads of recompute states."""

    def to_sweep(self) -> RecomputeStateQuerySet:
        """Stale states with no recompute queued, or whose queued message is older than
        :func:`RecomputeState.pending_expires` (lost), ordered by campaign and park."""
        expired = timezone.now() - datetime.timedelta(seconds=RecomputeState.pending_expires())
        return (
            self.filter(stale=True)
            .filter(Q(pending=False) | Q(pending_since__isnull=True) | Q(pending_since__lt=expired))
            .order_by("campaign_id", "park_id")
        )


class RecomputeState(models.Model):
    """Whether a park's results in a campaign are up to date, and whether a recompute is queued.

    ``stale`` and ``generation`` (+1) are set in the same transaction that changes scored
    answers. A recompute remembers the generation it started from and clears ``stale`` only if
    no change arrived meanwhile (otherwise the state stays stale and another recompute
    follows). ``pending`` is True from the moment a recompute task is published until a worker
    starts it: further requests meanwhile publish nothing (duplicates collapse into one). A
    ``pending`` flag older than one sweep period (:func:`pending_expires`: a lost message) no
    longer blocks. The periodic sweep recomputes whatever stays stale (e.g. when the broker
    was unreachable, or its message was lost).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="+")
    stale = models.BooleanField(_("stale"), default=True)
    generation = models.PositiveBigIntegerField(_("changes requested"), default=0)
    pending = models.BooleanField(_("recompute queued"), default=False)
    pending_since = models.DateTimeField(_("queued since"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    objects = RecomputeStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("recompute state")
        verbose_name_plural = _("recompute states")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "park"], name="recompute_state_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.park_id}: {'stale' if self.stale else 'fresh'}"

    @staticmethod
    def pending_expires() -> float:
        """Seconds after which a ``pending`` flag no longer blocks a new request or the sweep:
        one sweep period (``ECOPARK_SWEEP_SECONDS``). A message lost at time t is therefore
        published again by the first sweep more than a period after t, i.e. within two sweep
        periods; a message that merely waited longer in the queue runs twice, and the second
        run finds the park fresh and writes nothing."""
        return settings.ECOPARK_SWEEP_SECONDS


class ScoreSnapshotQuerySet(models.QuerySet):
    """Reads of snapshots."""

    def with_staleness(self) -> ScoreSnapshotQuerySet:
        """Annotate ``stale``: True while the park's results in the campaign wait for a
        recompute (its :class:`RecomputeState` is stale). One query, no extra per row."""
        return self.annotate(
            stale=Exists(
                RecomputeState.objects.filter(
                    campaign_id=OuterRef("campaign_id"), park_id=OuterRef("park_id"), stale=True
                )
            )
        )


class ScoreSnapshot(models.Model):
    """One subject's scores in one campaign (kết quả đánh giá).

    ``index`` is 0–100: the weighted share of applicable criteria met. ``eligible`` is True
    only when every applicable mandatory criterion is met (the Decree 35 Art. 37 gate for parks,
    Art. 40(2) for eco-enterprises); ``eco_enterprise`` repeats it for enterprise snapshots
    (null for parks) and ``eco_enterprises`` counts a park's tenants with that status.
    ``fingerprint`` is a SHA-256 of every input (framework version content, engine version,
    period, the park's answers, responses and roster): recomputing the same inputs writes
    nothing. Whether the snapshot is stale lives on :class:`RecomputeState`
    (``ScoreSnapshot.objects.with_staleness()``).

    A subject without a submitted or approved response has no result: ``index`` is null,
    ``eligible`` False and ``eco_enterprise`` null (:attr:`has_result`).

    Intended scenario (UNIDO EIP assessment: current vs intended performance): the
    ``*_intended`` fields score the intended values; ``index_improvement`` = index_intended −
    index, in points. They are null when the subject gave no intended value
    (``intended_values`` = 0; for a park, counting its tenants' too).
    """

    # no single-column index: the (campaign, park) index serves every lookup
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        related_name="snapshots",
        verbose_name=_("campaign"),
        db_index=False,
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
    eco_enterprise = models.BooleanField(_("eco-enterprise"), null=True, blank=True)
    eco_enterprises = models.PositiveIntegerField(_("eco-enterprises"), null=True, blank=True)
    intended_values = models.PositiveIntegerField(_("intended values given"), default=0)
    index_intended = models.DecimalField(
        _("intended index"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    criteria_met_intended = models.PositiveIntegerField(
        _("criteria met (intended)"), null=True, blank=True
    )
    criteria_applicable_intended = models.PositiveIntegerField(
        _("criteria applicable (intended)"), null=True, blank=True
    )
    mandatory_met_intended = models.PositiveIntegerField(
        _("mandatory criteria met (intended)"), null=True, blank=True
    )
    eligible_intended = models.BooleanField(
        _("eligible for certification (intended)"), null=True, blank=True
    )
    eco_enterprise_intended = models.BooleanField(
        _("eco-enterprise (intended)"), null=True, blank=True
    )
    eco_enterprises_intended = models.PositiveIntegerField(
        _("eco-enterprises (intended)"), null=True, blank=True
    )
    index_improvement = models.DecimalField(
        _("improvement potential (index points)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )

    objects = ScoreSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        indexes = [models.Index(fields=["campaign", "park"], name="snapshot_campaign_park")]
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
            models.CheckConstraint(
                condition=Q(index_intended__isnull=True)
                | Q(index_intended__gte=0, index_intended__lte=100),
                name="snapshot_index_intended_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.enterprise or self.park}"

    @property
    def has_result(self) -> bool:
        """True when the subject has a result: an index. A park or enterprise without a
        submitted or approved response in the campaign has none (the engine leaves its index
        empty and it is never eligible), nor has one with no applicable criterion; pages show
        "—" and leave it out of averages and distributions."""
        return self.index is not None


class CriterionResult(models.Model):
    """One criterion's state for the snapshot's subject, with the value and gap it was judged on.

    ``gap`` is ``threshold - value`` for ≥/> rules and ``value - threshold`` for ≤/< rules,
    positive while the criterion is not met. ``reported``/``population`` carry a roll-up's
    coverage (enterprises that reported / enterprises in the park); ``numerator`` /
    ``denominator`` a share's or count's enterprises counted and the enterprises it is taken
    over (those that reported a value): a share of 66.67 % is 2 of 3. ``state_intended``,
    ``value_intended``, ``gap_intended`` judge the intended values; ``improvement`` =
    value_intended − value in the indicator's unit (improvement potential, UNIDO EIP
    assessment); empty when the subject has no plan.
    """

    # no single-column index: the unique (snapshot, criterion) index serves every lookup
    # References checked per statement, not per row (db_constraint=False; on PostgreSQL the
    # triggers of migration 0005, see docs/architecture.md "Result references"): a
    # campaign's first computation inserts ~375,000 result rows, and per-row foreign-key checks
    # cost more than the insert itself.
    snapshot = models.ForeignKey(
        ScoreSnapshot,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("snapshot"),
        db_index=False,
        db_constraint=False,
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("criterion"),
        db_constraint=False,
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    value = models.FloatField(_("value"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)
    reported = models.PositiveIntegerField(_("enterprises reported"), null=True, blank=True)
    population = models.PositiveIntegerField(_("enterprises in the park"), null=True, blank=True)
    numerator = models.PositiveIntegerField(_("numerator"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("denominator"), null=True, blank=True)
    state_intended = models.CharField(
        _("intended state"), max_length=12, choices=State.choices, blank=True
    )
    value_intended = models.FloatField(_("intended value"), null=True, blank=True)
    gap_intended = models.FloatField(_("intended gap"), null=True, blank=True)
    improvement = models.FloatField(_("improvement potential"), null=True, blank=True)

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
    """Share of applicable criteria met in one category (weighted), 0–1; the intended share
    and ``improvement`` = share_intended − share when the subject has a plan."""

    # no single-column index: the unique (snapshot, category) index serves every lookup;
    # references checked per statement (see CriterionResult)
    snapshot = models.ForeignKey(
        ScoreSnapshot,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("snapshot"),
        db_index=False,
        db_constraint=False,
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
        db_constraint=False,
    )
    met = models.PositiveIntegerField(_("met"))
    applicable = models.PositiveIntegerField(_("applicable"))
    share = models.FloatField(_("share met"), null=True, blank=True)
    met_intended = models.PositiveIntegerField(_("met (intended)"), null=True, blank=True)
    applicable_intended = models.PositiveIntegerField(
        _("applicable (intended)"), null=True, blank=True
    )
    share_intended = models.FloatField(_("intended share met"), null=True, blank=True)
    improvement = models.FloatField(_("improvement potential"), null=True, blank=True)

    class Meta:
        verbose_name = _("category score")
        verbose_name_plural = _("category scores")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "category"], name="category_score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.met}/{self.applicable}"


class CampaignRecomputeQuerySet(models.QuerySet):
    """Reads of "recompute everything" runs."""

    def active(self) -> CampaignRecomputeQuerySet:
        """Runs queued or running."""
        return self.filter(
            status__in=[CampaignRecompute.Status.QUEUED, CampaignRecompute.Status.RUNNING]
        )

    def silent(self, *, queued_seconds: float | None = None) -> CampaignRecomputeQuerySet:
        """Active runs whose worker is gone: running with a heartbeat older than
        :attr:`CampaignRecompute.SILENT_SECONDS`; with ``queued_seconds``, also runs queued for
        longer than that and never started (their message was lost)."""
        now = timezone.now()
        lost_worker = Q(
            status=CampaignRecompute.Status.RUNNING,
            heartbeat_at__lt=now - datetime.timedelta(seconds=CampaignRecompute.SILENT_SECONDS),
        )
        if queued_seconds is None:
            return self.active().filter(lost_worker)
        lost_message = Q(
            status=CampaignRecompute.Status.QUEUED,
            requested_at__lt=now - datetime.timedelta(seconds=queued_seconds),
        )
        return self.active().filter(lost_worker | lost_message)

    def latest_for(self, campaign_id: int) -> CampaignRecompute | None:
        """The campaign's most recent run, or None."""
        return self.filter(campaign_id=campaign_id).order_by("-requested_at", "-pk").first()


class CampaignRecompute(models.Model):
    """One "recompute everything" run of a campaign, started by ministry staff, with its
    progress (``done_parks`` of ``total_parks``).

    At most one run per campaign is queued or running (a database constraint): asking again
    meanwhile returns the active run. ``written_parks`` counts parks whose snapshots changed
    (the others had the same input fingerprint).

    A worker's death is noticed within a minute: while a run is running its worker moves
    ``heartbeat_at`` every :attr:`HEARTBEAT_SECONDS` (and with each chunk of parks written); a
    run silent for :attr:`SILENT_SECONDS` is sent again (``dashboards.tasks.watch_recompute_runs``,
    under beat every 30 s and when a worker starts) as a new ``attempt``, which resumes after
    the parks the run already completed. A message of an older attempt (e.g. redelivered by
    the broker later) is skipped, so one run never runs twice at once.
    """

    #: seconds between two heartbeats of a running run
    HEARTBEAT_SECONDS = 10
    #: seconds without a heartbeat after which a running run's worker is taken for dead
    SILENT_SECONDS = 30

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total_parks = models.PositiveIntegerField(_("parks"), default=0)
    done_parks = models.PositiveIntegerField(_("parks done"), default=0)
    written_parks = models.PositiveIntegerField(_("parks with changed results"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    attempt = models.PositiveIntegerField(
        _("attempt"),
        default=0,
        help_text=_("Sent again after its worker was lost: the attempt that may run it."),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = CampaignRecomputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign recompute")
        verbose_name_plural = _("campaign recomputes")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(status__in=["queued", "running"]),
                name="campaign_recompute_one_active",
            ),
            models.CheckConstraint(
                condition=Q(done_parks__lte=models.F("total_parks")),
                name="campaign_recompute_done_le_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.status} {self.done_parks}/{self.total_parks}"

    @property
    def percent(self) -> int:
        """Progress 0–100 (parks done / parks), 100 once done."""
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done_parks / self.total_parks) if self.total_parks else 0

    @property
    def is_active(self) -> bool:
        """True while queued or running."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class CacheStamp(models.Model):
    """A counter that keys the dashboards' page cache (:mod:`dashboards.stamps`).

    One row per name (``"dashboards"``). Every change a dashboard shows — a snapshot written,
    a park's results turning stale, a park, enterprise, campaign or register edited — adds 1
    after its transaction commits; a cached page is keyed on the value it was built under, so
    it is never served once a newer value exists. Reading it is one primary-key lookup.
    """

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("cache stamp")
        verbose_name_plural = _("cache stamps")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
