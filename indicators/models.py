"""What is asked and how it is judged: frameworks, versions, categories, data elements,
indicators and criteria (docs/architecture.md).

A framework (bộ tiêu chí, e.g. ``VN-2022``) has numbered versions; a published version is
frozen: campaigns pin it and score snapshots record it, so last year's results never move when
a threshold is corrected in a later version. Each criterion keeps its legal source (instrument,
article, clause) and the verification status of the research behind it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common import fields


class AppliesTo(models.TextChoices):
    """Who a data element, indicator or criterion is about."""

    PARK = "park", _("park")
    PARK_NEW = "park_new", _("new park (Art. 38)")
    ENTERPRISE = "enterprise", _("enterprise")


def _vietnamese() -> bool:
    """True unless the active language is English (the interface is Vietnamese first)."""
    from django.utils.translation import get_language

    return not (get_language() or "vi").startswith("en")


def validate_positive_weight(value) -> None:
    """Field validator of :attr:`Criterion.weight`: greater than 0 (the database's check
    constraint holds the same rule; this names the field in forms and services)."""
    if value is not None and value <= 0:
        raise ValidationError(_("The weight must be greater than 0."), code="not_positive")


class Framework(models.Model):
    """A set of criteria from one body of law, e.g. ``VN-2022`` (Decree 35/2022 + Circular 05/2025)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)

    class Meta:
        ordering = ["code"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.code


class FrameworkVersion(models.Model):
    """One numbered version of a framework. Published and retired versions are read-only."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("retired")

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="versions", verbose_name=_("framework")
    )
    number = models.PositiveIntegerField(_("version"))
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=400)
    title_en = models.CharField(_("title (English)"), max_length=400)
    instruments = models.JSONField(_("legal instruments"), default=list, blank=True)
    instruments_vi = models.JSONField(_("legal instruments (Vietnamese)"), default=list, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )

    class Meta:
        ordering = ["framework__code", "number"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="version_unique_number"),
            fields.ordered_or_blank(
                "effective_from", "effective_to", name="version_effective_range", later_first=True
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        """True once published or retired: such a version can no longer be edited."""
        return self.status != self.Status.DRAFT

    @property
    def instruments_text(self) -> list[str]:
        """The legal instruments in the active language (the English list when no Vietnamese
        one is given)."""
        if _vietnamese() and self.instruments_vi:
            return list(self.instruments_vi)
        return list(self.instruments or [])

    @property
    def title(self) -> str:
        """The title in the active language."""
        return self.title_vi if _vietnamese() and self.title_vi else self.title_en


class Category(models.Model):
    """A group of criteria as the source groups them (e.g. Art. 37(1), Environment)."""

    version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("framework version"),
    )
    code = models.CharField(_("code"), max_length=30)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="category_unique_code"),
        ]

    def __str__(self) -> str:
        return self.code


class DataElement(models.Model):
    """One typed value a respondent enters (chỉ tiêu dữ liệu).

    ``value_type`` decides the form field and the stored column: yes/no → boolean; integer,
    decimal, percentage → number (percentage in %, 0–100); choice, date, text, document → text.
    ``unit`` is the canonical unit symbol (see ``indicators.units``); ``min_value`` and
    ``max_value`` bound numbers in that unit.
    """

    class ValueType(models.TextChoices):
        YES_NO = "yes_no", _("yes/no")
        INTEGER = "integer", _("integer")
        DECIMAL = "decimal", _("decimal")
        PERCENTAGE = "percentage", _("percentage")
        CHOICE = "choice", _("choice")
        DATE = "date", _("date")
        TEXT = "text", _("text")
        DOCUMENT = "document", _("document")

    NUMERIC_TYPES = frozenset({"integer", "decimal", "percentage"})

    version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.CASCADE,
        related_name="data_elements",
        verbose_name=_("framework version"),
    )
    code = models.CharField(_("code"), max_length=60)
    applies_to = models.CharField(_("applies to"), max_length=12, choices=AppliesTo.choices)
    value_type = models.CharField(_("value type"), max_length=12, choices=ValueType.choices)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    label_vi = models.CharField(_("label (Vietnamese)"), max_length=400)
    label_en = models.CharField(_("label (English)"), max_length=400)
    help_vi = models.TextField(_("help (Vietnamese)"), blank=True)
    help_en = models.TextField(_("help (English)"), blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required on submit"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order", "code"]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="data_element_unique_code"),
            fields.ordered_or_blank("min_value", "max_value", name="data_element_min_le_max"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """The minimum is not above the maximum (the database's check constraint holds the
        same rule; this names the field)."""
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.max_value < self.min_value
        ):
            raise ValidationError(
                {"max_value": _("The maximum is below the minimum.")}, code="min_above_max"
            )

    @property
    def is_numeric(self) -> bool:
        """True for integer, decimal and percentage elements."""
        return self.value_type in self.NUMERIC_TYPES

    @property
    def formula_type(self) -> str:
        """The type this element has in indicator formulas: ``"boolean"``, ``"number"`` or ``"text"``."""
        if self.value_type == self.ValueType.YES_NO:
            return "boolean"
        return "number" if self.is_numeric else "text"


class Indicator(models.Model):
    """A value computed from data elements by a formula (see ``indicators.formula``).

    Park indicators may roll up tenant values with ``share``/``count``/``sum``/``mean``; every
    roll-up carries its coverage (enterprises that reported / enterprises in the park).
    """

    version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("framework version"),
    )
    code = models.CharField(_("code"), max_length=60)
    applies_to = models.CharField(_("applies to"), max_length=12, choices=AppliesTo.choices)
    formula = models.TextField(_("formula"))
    value_type = models.CharField(
        _("value type"),
        max_length=10,
        choices=[("number", _("number")), ("boolean", _("yes/no"))],
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)

    class Meta:
        ordering = ["version", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="indicator_unique_code"),
        ]

    def __str__(self) -> str:
        return self.code


class Criterion(models.Model):
    """A rule on an indicator, with its legal source (tiêu chí).

    Rules (``rule``):

    - ``yes_no``: met when the indicator is yes;
    - ``compare``: met when ``indicator <operator> threshold``; without a threshold the
      criterion is stored as the source gives it and evaluates to "no threshold set";
    - ``count``: a compare on a count (``>= n``), shown as a count;
    - ``lookback``: met when the yes/no indicator held in this period and each of the
      ``lookback_years - 1`` periods before it (e.g. Decree 35 Art. 37(1): 3 years);
    - ``none``: no testable rule in the source (policy statements, unverified placeholders).

    ``level`` mandatory criteria gate certification (Decree 35 Art. 37, Art. 40); performance
    criteria count toward the category shares only.
    """

    class Level(models.TextChoices):
        MANDATORY = "mandatory", _("mandatory")
        PERFORMANCE = "performance", _("performance")

    class Rule(models.TextChoices):
        YES_NO = "yes_no", _("yes/no")
        COMPARE = "compare", _("comparison with a threshold")
        COUNT = "count", _("count at least n")
        LOOKBACK = "lookback", _("held for the last n years")
        NONE = "none", _("no testable rule")

    class Operator(models.TextChoices):
        GE = ">=", "≥"
        GT = ">", ">"
        LE = "<=", "≤"
        LT = "<", "<"
        EQ = "=", "="

    class Verification(models.TextChoices):
        VERIFIED = "verified", _("verified")
        PARTIAL = "partial", _("partial")
        SECONDARY = "secondary", _("secondary source")
        UNVERIFIED = "unverified", _("unverified")

    #: the criterion's wording, both languages (the Vietnamese official text included)
    WORDING_FIELDS = (
        "title_vi",
        "title_en",
        "requirement_vi",
        "requirement_vi_official",
        "requirement_en",
    )
    #: how it is judged: the rule, its threshold (with its note and unit) and its weight
    RULE_FIELDS = (
        "rule",
        "operator",
        "threshold",
        "threshold_note",
        "threshold_note_vi",
        "lookback_years",
        "unit",
        "unit_vi",
        "weight",
    )
    #: where it comes from and how sure that is, with the maintainers' notes
    SOURCE_FIELDS = (
        "instrument",
        "instrument_vi",
        "article",
        "article_vi",
        "verification_status",
        "notes",
        "notes_vi",
    )

    version = models.ForeignKey(
        FrameworkVersion,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("framework version"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="criteria", verbose_name=_("category")
    )
    code = models.CharField(_("code"), max_length=30)
    applies_to = models.CharField(_("applies to"), max_length=12, choices=AppliesTo.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    requirement_vi = models.TextField(_("requirement (Vietnamese)"), blank=True)
    requirement_vi_official = models.BooleanField(
        _("Vietnamese requirement is the official text"),
        default=False,
        help_text=_(
            "Tick only when the Vietnamese requirement quotes the instrument's own words; "
            "otherwise it is shown as a rendering, not as the official text."
        ),
    )
    requirement_en = models.TextField(_("requirement (English)"), blank=True)
    kind = models.CharField(_("kind in the source"), max_length=40, blank=True)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("indicator"),
    )
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices)
    operator = models.CharField(
        _("operator"), max_length=2, choices=Operator.choices, blank=True, default=""
    )
    threshold = models.DecimalField(
        _("threshold"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    threshold_note = models.CharField(_("threshold note"), max_length=300, blank=True)
    threshold_note_vi = models.CharField(
        _("threshold note (Vietnamese)"), max_length=300, blank=True
    )
    lookback_years = models.PositiveSmallIntegerField(_("look-back (years)"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    unit_vi = models.CharField(_("unit (Vietnamese)"), max_length=60, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=3,
        default=1,
        validators=[validate_positive_weight],
    )
    instrument = models.CharField(_("legal instrument"), max_length=200)
    instrument_vi = models.CharField(_("legal instrument (Vietnamese)"), max_length=200, blank=True)
    article = models.CharField(_("article and clause"), max_length=200)
    article_vi = models.CharField(_("article and clause (Vietnamese)"), max_length=200, blank=True)
    verification_status = models.CharField(
        _("verification status"), max_length=12, choices=Verification.choices
    )
    notes = models.TextField(_("notes"), blank=True)
    notes_vi = models.TextField(_("notes (Vietnamese)"), blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="criterion_unique_code"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                name="criterion_rule_shape",
                condition=Q(rule="none", indicator__isnull=True)
                | Q(rule="yes_no", indicator__isnull=False, threshold__isnull=True)
                | Q(rule="lookback", indicator__isnull=False, lookback_years__gte=1)
                | (Q(rule__in=["compare", "count"], indicator__isnull=False) & ~Q(operator="")),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def _text(self, name: str) -> str:
        """Field ``name`` in the active language: ``<name>_vi`` in Vietnamese when given,
        else the English one (``<name>_en`` or ``<name>``)."""
        english = getattr(self, f"{name}_en", None)
        if english is None:
            english = getattr(self, name)
        if _vietnamese():
            return getattr(self, f"{name}_vi", "") or english
        return english

    @property
    def title(self) -> str:
        """The title in the active language."""
        return self._text("title")

    @property
    def requirement(self) -> str:
        """The requirement in the active language (see :attr:`requirement_is_rendering`)."""
        return self._text("requirement")

    @property
    def requirement_is_rendering(self) -> bool:
        """True when the requirement shown is ecopark's Vietnamese rendering, not the
        instrument's own words: pages say so next to it."""
        return _vietnamese() and bool(self.requirement_vi) and not self.requirement_vi_official

    @property
    def requirement_is_english(self) -> bool:
        """True when the Vietnamese interface has only the English requirement to show."""
        return _vietnamese() and not self.requirement_vi and bool(self.requirement_en)

    @property
    def legal_source(self) -> str:
        """Instrument and article in the active language, e.g. "Nghị định 35/2022/NĐ-CP,
        Điều 37 khoản 1" / "Decree 35/2022/ND-CP, Art. 37(1)"."""
        return ", ".join(t for t in (self._text("instrument"), self._text("article")) if t)

    @property
    def unit_text(self) -> str:
        """The unit in the active language."""
        return self._text("unit")

    @property
    def threshold_note_text(self) -> str:
        """The threshold note in the active language."""
        return self._text("threshold_note")

    @property
    def notes_text(self) -> str:
        """The notes in the active language."""
        return self._text("notes")

    @property
    def sources_text(self) -> list[str]:
        """The source lines in the active language (``indicators/source_notes.py``: worded
        notes have their Vietnamese in ``indicators/data/source-notes.yaml``; addresses stay
        as they are)."""
        from .source_notes import source_line_text

        vietnamese = _vietnamese()
        return [source_line_text(str(s), vietnamese=vietnamese) for s in self.sources or []]

    @property
    def is_provisional(self) -> bool:
        """True when the research behind this row is secondary or unverified: shown as such."""
        return self.verification_status in {"secondary", "unverified"}

    @property
    def threshold_display(self) -> str:
        """The rule as a person reads it, e.g. ``≥ 20 %``, ``yes``, ``yes, 3 years``, or ''."""
        from django.utils.translation import gettext

        if self.rule == self.Rule.YES_NO:
            return gettext("yes")
        if self.rule == self.Rule.LOOKBACK:
            return gettext("yes, for %(n)s years") % {"n": self.lookback_years}
        if self.rule in (self.Rule.COMPARE, self.Rule.COUNT) and self.threshold is not None:
            value = f"{self.threshold.normalize():f}"
            return f"{self.get_operator_display()} {value} {self.unit if self.unit == '%' else ''}".strip()
        return ""


# --- Emission factors: dated, versioned sets with their sources --------------------


class EmissionFactorSet(models.Model):
    """A dated, versioned set of emission factors with its source, e.g. Viet Nam's national
    grid emission factor (combined margin, t CO2/MWh) by year.

    A new ``version`` is created whenever the values or sources change; RECP measures keep a
    reference to the factor they were computed with, so an old result never moves. ``as_of``
    is the date the set was compiled into ecopark; ``content_sha256`` fingerprints the source
    file it was loaded from.
    """

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    unit = models.CharField(_("unit"), max_length=30, default="tCO2/MWh")
    as_of = models.DateField(_("as of"))
    source = models.TextField(_("source"))
    content_sha256 = models.CharField(_("content fingerprint"), max_length=64)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("emission factor set")
        verbose_name_plural = _("emission factor sets")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="ef_set_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.as_of:%Y-%m-%d})"


class EmissionFactor(models.Model):
    """One year's factor in a set, in t CO2 per MWh. ``value`` is None where no official
    value was found for that year (the row is kept to say so; no value is ever invented)."""

    factor_set = models.ForeignKey(
        EmissionFactorSet,
        on_delete=models.CASCADE,
        related_name="factors",
        verbose_name=_("emission factor set"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(
        _("t CO2 per MWh"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    kind = models.TextField(_("kind"), blank=True)
    document = models.TextField(_("announcing document"), blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["factor_set", "year"]
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        constraints = [
            models.UniqueConstraint(fields=["factor_set", "year"], name="ef_unique_year"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gt=0), name="ef_value_positive"
            ),
        ]

    def __str__(self) -> str:
        value = "—" if self.value is None else self.value
        return f"{self.factor_set.code} {self.year}: {value}"
