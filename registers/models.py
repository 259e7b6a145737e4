"""What firms record all year: RECP measures, industrial symbiosis exchanges and their
participants, ISO certificates (with their expiry notices), streams offered and needed, and
improvement-roadmap actions.

The criteria read these registers (``registers.selectors.register_values_frame``): Decree
35/2022/ND-CP Art. 37(2) (at least one operating industrial symbiosis whose participants apply
ISO management systems; at least 20 % of a park's enterprises applying RECP with demonstrated
savings) and Art. 43 (the yearly report of savings and emission reductions). The forms of
industrial symbiosis follow Circular 05/2025/TT-BKHĐT Art. 2(1).

The tables were created by the ``surveys`` app and moved here with their rows (see
``registers/migrations/0001_initial.py``); ``docs/architecture.md`` places the app.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common import fields
from enterprises.models import Enterprise, Park


class RegisterEntry(models.Model):
    """Fields every register entry keeps: ``is_demo`` (made-up demo data, labelled wherever
    shown), ``version`` (1 on creation, +1 on every save through the services; a save that
    names another version is refused, so a conflicting edit is never silently overwritten),
    ``updated_by`` and ``updated_at`` (the last writer and when)."""

    is_demo = models.BooleanField(_("demo data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = fields.updated_by()
    updated_at = fields.updated_at()

    class Meta:
        abstract = True


def _emission_factor_used() -> models.ForeignKey:
    """The grid emission factor a GHG reduction was computed with (``indicators.emissions``);
    empty when none was computed."""
    return models.ForeignKey(
        "indicators.EmissionFactor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("emission factor used"),
    )


def _ghg_note() -> models.CharField:
    """Why a GHG reduction is empty (not grid electricity, no factor for the year)."""
    return models.CharField(_("GHG note"), max_length=200, blank=True)


class RECPMeasure(RegisterEntry):
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
        """What a measure saves. The annual reports (Circular 05/2025/TT-BKHĐT forms A.4, B.4)
        ask water apart from wastewater, and waste reduced through reuse apart from waste
        reduced through recycling; ``waste`` is any other waste reduction (and measures
        recorded before the split)."""

        ENERGY = "energy", _("energy")
        WATER = "water", _("water")
        WASTEWATER = "wastewater", _("wastewater")
        MATERIALS = "materials", _("materials")
        CHEMICALS = "chemicals", _("chemicals")
        WASTE_REUSE = "waste_reuse", _("waste reduced through reuse")
        WASTE_RECYCLING = "waste_recycling", _("waste reduced through recycling")
        WASTE = "waste", _("waste (other)")

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
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    title = models.CharField(_("measure"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IDENTIFIED
    )
    year = models.PositiveSmallIntegerField(_("year implemented (or planned)"))
    investment_vnd = fields.amount_vnd(_("investment (VND)"))
    saving_value = fields.quantity(_("yearly saving"))
    saving_unit = models.CharField(_("unit of the saving"), max_length=10, blank=True)
    saving_value_entered = models.CharField(_("saving as entered"), max_length=60, blank=True)
    saving_unit_entered = models.CharField(_("unit as entered"), max_length=10, blank=True)
    energy_carrier = models.CharField(
        _("energy saved"), max_length=12, choices=Carrier.choices, blank=True, default=""
    )
    #: the fuel or energy saved when it is not grid electricity (e.g. "dầu DO", "than", "LPG",
    #: "hơi nước"): fuels are reported each in its own unit and never added together
    fuel = models.CharField(_("fuel"), max_length=100, blank=True)
    saving_money_vnd = fields.amount_vnd(_("yearly money saving (VND)"))
    ghg_reduction_tco2e = fields.tonnes_co2e(_("GHG reduction (t CO2e/year)"))
    emission_factor = _emission_factor_used()
    ghg_note = _ghg_note()

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


class SymbiosisExchange(RegisterEntry):
    """An industrial symbiosis exchange (cộng sinh công nghiệp) of a park between two or more
    parties: enterprises of the park, the park developer, or outside parties.

    ``kind`` follows the forms Circular 05/2025/TT-BKHĐT Art. 2(1) lists, and the types its
    annual reports tick (:data:`FORM_TYPES`: exchange of production inputs and outputs, shared
    infrastructure, shared services, cooperation with enterprises of other parks, other).
    Yearly savings are recorded per carrier in :class:`SymbiosisSaving`. ``quantity_per_year``
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
        OTHER_PARK = (
            "other_park",
            _(
                "cooperation with an enterprise of another park (collection, treatment, reuse, "
                "recycling…)"
            ),
        )
        OTHER = "other", _("other")

    #: kind → the type the annual reports tick (forms A.4 III.2.1.2–2.1.6, B.4 P4.2)
    FORM_TYPES = {
        "material": "io_exchange",
        "waste": "io_exchange",
        "water": "io_exchange",
        "energy": "io_exchange",
        "infrastructure": "shared_infrastructure",
        "service": "services",
        "other_park": "other_parks",
        "other": "other",
    }

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
    quantity_per_year = fields.quantity(_("quantity per year"))
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
            fields.ordered_or_blank(
                "started_on", "ended_on", name="symbiosis_dates_ordered", later_first=True
            ),
            models.CheckConstraint(
                condition=Q(quantity_per_year__isnull=True) | Q(quantity_per_year__gte=0),
                name="symbiosis_quantity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SymbiosisSaving(RegisterEntry):
    """What a symbiosis exchange saved in one year, for one carrier, as the annual reports ask
    it (Circular 05/2025/TT-BKHĐT form A.4 Part III.3, form B.4 Part IV).

    ``enterprise`` is the participant that saved (its B.4 counts the row); empty for the
    exchange as a whole (the park's A.4 counts every row of its exchanges). ``quantity`` is in
    the canonical unit ``unit`` of the carrier's dimension (:data:`DIMENSIONS`; kWh, m³, t; a
    fuel also in m³ or t, never converted into another fuel), as typed in
    ``quantity_entered``; ``fuel`` names the fuel (or, for a shared service, the service).
    ``money_vnd`` is the yearly cost saving in VND (for materials supplied to another
    enterprise: the revenue). ``tco2e`` is computed for grid electricity from the official
    factor of ``year`` (``emission_factor``), and may be typed for a fuel; ``ghg_note`` says why
    it is empty. Totals are kept per carrier: kWh of electricity are never added to kWh of heat.
    """

    class Carrier(models.TextChoices):
        ELECTRICITY = "electricity", _("grid electricity")
        FUEL = "fuel", _("other fuel or heat")
        WATER = "water", _("water")
        WASTEWATER = "wastewater", _("wastewater")
        WASTE_REUSED = "waste_reused", _("waste reused")
        WASTE_RECYCLED = "waste_recycled", _("waste recycled")
        MATERIALS = "materials", _("primary materials saved")
        MATERIALS_RECEIVED = "materials_received", _("materials used from other enterprises")
        MATERIALS_SUPPLIED = "materials_supplied", _("materials supplied to other enterprises")
        CHEMICALS = "chemicals", _("chemicals")
        SHARED_SERVICE = "shared_service", _("shared service")

    #: carrier → the dimensions its quantity may be measured in (empty: money only)
    DIMENSIONS = {
        "electricity": ("energy",),
        "fuel": ("energy", "volume", "mass"),
        "water": ("volume",),
        "wastewater": ("volume",),
        "waste_reused": ("mass",),
        "waste_recycled": ("mass",),
        "materials": ("mass",),
        "materials_received": ("mass",),
        "materials_supplied": ("mass",),
        "chemicals": ("mass",),
        "shared_service": (),
    }

    exchange = models.ForeignKey(
        SymbiosisExchange,
        on_delete=models.CASCADE,
        related_name="savings",
        verbose_name=_("exchange"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    carrier = models.CharField(_("what was saved"), max_length=20, choices=Carrier.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="symbiosis_savings",
        verbose_name=_("enterprise that saved"),
    )
    fuel = models.CharField(_("fuel or service"), max_length=100, blank=True)
    quantity = fields.quantity(_("quantity in the year"))
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    quantity_entered = models.CharField(_("quantity as entered"), max_length=80, blank=True)
    money_vnd = fields.amount_vnd(_("money saved in the year (VND)"))
    tco2e = fields.tonnes_co2e(_("GHG reduction (t CO2e)"))
    emission_factor = _emission_factor_used()
    ghg_note = _ghg_note()

    class Meta:
        ordering = ["exchange", "-year", "carrier", "pk"]
        verbose_name = _("symbiosis saving")
        verbose_name_plural = _("symbiosis savings")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="saving_year_range"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True, unit="")
                | Q(quantity__gte=0, unit__in=["kWh", "m³", "t"]),
                name="saving_quantity_canonical",
            ),
            models.CheckConstraint(
                condition=Q(money_vnd__isnull=True) | Q(money_vnd__gte=0),
                name="saving_money_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(tco2e__isnull=True) | Q(tco2e__gte=0),
                name="saving_tco2e_not_negative",
            ),
            models.UniqueConstraint(
                fields=["exchange", "year", "carrier", "enterprise", "fuel"],
                condition=Q(enterprise__isnull=False),
                name="saving_once_per_enterprise",
            ),
            models.UniqueConstraint(
                fields=["exchange", "year", "carrier", "fuel"],
                condition=Q(enterprise__isnull=True),
                name="saving_once_per_exchange",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exchange} {self.year}: {self.get_carrier_display()}"


class SymbiosisParticipant(models.Model):
    """A party of an exchange: an enterprise, a park's developer, or an outside party by name.
    ``role``: provides, receives, or shares (infrastructure, services)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        DEVELOPER = "developer", _("park developer")
        OUTSIDE = "outside", _("outside party")

    class Part(models.TextChoices):
        """What a participant does in the exchange."""

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
    role = models.CharField(_("role"), max_length=10, choices=Part.choices, default=Part.SHARES)
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


class ISOCertificate(RegisterEntry):
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


class Stream(RegisterEntry):
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
    quantity_per_year = fields.quantity(_("quantity per year"))
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    quantity_entered = models.CharField(_("quantity as entered"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)
    #: the owner's consent: only an offered stream is shown to other enterprises in matching
    offered = models.BooleanField(
        _("offered for matching"),
        default=False,
        help_text=_(
            "Other enterprises see this stream, with its quantity, among matching candidates "
            "only when it is offered."
        ),
    )

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


class RoadmapAction(RegisterEntry):
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
