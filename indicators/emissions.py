"""Emission factors and CO2e of electricity savings.

The one factor set shipped is Viet Nam's national grid emission factor ``EF_grid`` by year,
in t CO2 per MWh, combined margin (CM) of the CDM "Tool to calculate the emission factor for
an electricity system", as announced by the Department of Climate Change (Cục Biến đổi khí
hậu, MONRE): ``indicators/data/grid-emission-factors-vn.csv``, one row per year 2014–2023 with
the announcing document where known and the source of each value. No official value was
found for 2024: that row is kept with an empty value and nothing is ever invented for it or
for a later year. A saving in a year without an official factor gets no CO2e and says so
("no official factor for 2024"); there is no silent fall-back to an earlier year.

The grid factor covers CO2 only (the CDM tool's scope); ecopark reports the result as t CO2e
because CO2 is its own CO2 equivalent. It applies to grid electricity only: a saving of fuel
or heat has no factor in this set and gets no CO2e.

Writes: :func:`emission_factors_load` (idempotent; a changed file becomes a new version).
Reads: :func:`factor_for_year`. Pure: :func:`read_factor_csv`, :func:`co2e_of_electricity`.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

GRID_SET_CODE = "VN-GRID-CM"
GRID_SET_TITLE = (
    "Viet Nam national grid emission factor (combined margin), Department of Climate Change"
)
GRID_CSV = Path(__file__).resolve().parent / "data" / "grid-emission-factors-vn.csv"
GRID_SET_SOURCE = (
    "Department of Climate Change (Cục Biến đổi khí hậu), MONRE: yearly announcements of "
    "Viet Nam's grid emission factor, as tabulated at "
    "https://www.climatechange.vn/climate_news/viet-nams-2023-updated-grid-emission-factor-"
    "signifies-lower-electricity-emissions/ ; each year's document and source are kept per row."
)


@dataclass(frozen=True)
class FactorRow:
    """One row of the grid factor file: ``year``, ``value`` (t CO2/MWh, None when no official
    value), ``kind``, ``document`` (announcing letter, may be blank), ``source`` (URLs)."""

    year: int
    value: Decimal | None
    kind: str
    document: str
    source: str


def read_factor_csv(path: Path = GRID_CSV) -> tuple[list[FactorRow], str]:
    """Read the factor file; return ``(rows, sha256 of the file bytes)``.

    Columns: ``year,ef_tco2_per_mwh,kind,document,source``. An empty ``ef_tco2_per_mwh`` is
    kept as ``value=None``. Raises ``ValueError`` naming the row for a malformed year or value.
    """
    raw = path.read_bytes()
    rows = []
    for n, rec in enumerate(csv.DictReader(raw.decode("utf-8").splitlines()), start=2):
        try:
            year = int(rec["year"])
            text = (rec.get("ef_tco2_per_mwh") or "").strip()
            value = Decimal(text) if text else None
        except (ValueError, ArithmeticError) as exc:
            raise ValueError(f"{path.name} row {n}: {exc}") from exc
        if value is not None and value <= 0:
            raise ValueError(f"{path.name} row {n}: factor {value} must be positive")
        rows.append(
            FactorRow(
                year=year,
                value=value,
                kind=(rec.get("kind") or "").strip(),
                document=(rec.get("document") or "").strip(),
                source=(rec.get("source") or "").strip(),
            )
        )
    return rows, hashlib.sha256(raw).hexdigest()


@transaction.atomic
def emission_factors_load(*, path: Path = GRID_CSV, as_of: datetime.date | None = None):
    """Load the grid factor file as a set ``VN-GRID-CM``; return the (new or existing) set.

    Idempotent: when the newest version has the same file fingerprint nothing is written.
    Otherwise a new version (previous + 1) is created, dated ``as_of`` (default today);
    earlier versions stay, so results computed with them remain reproducible.
    """
    from .models import EmissionFactor, EmissionFactorSet

    rows, digest = read_factor_csv(path)
    latest = EmissionFactorSet.objects.filter(code=GRID_SET_CODE).order_by("-version").first()
    if latest is not None and latest.content_sha256 == digest:
        return latest
    factor_set = EmissionFactorSet.objects.create(
        code=GRID_SET_CODE,
        version=(latest.version + 1) if latest else 1,
        title=GRID_SET_TITLE,
        unit="tCO2/MWh",
        as_of=as_of or datetime.date.today(),
        source=GRID_SET_SOURCE,
        content_sha256=digest,
    )
    EmissionFactor.objects.bulk_create(
        [
            EmissionFactor(
                factor_set=factor_set,
                year=r.year,
                value=r.value,
                kind=r.kind,
                document=r.document,
                source=r.source,
            )
            for r in rows
        ]
    )
    return factor_set


def current_grid_set():
    """The newest version of the grid set, or None when none is loaded."""
    from .models import EmissionFactorSet

    return EmissionFactorSet.objects.filter(code=GRID_SET_CODE).order_by("-version").first()


def factor_for_year(year: int, *, factor_set=None):
    """The :class:`~indicators.models.EmissionFactor` of ``year`` with an official value in
    ``factor_set`` (default: the newest grid set), or None. Never falls back to another year."""
    from .models import EmissionFactor

    factor_set = factor_set or current_grid_set()
    if factor_set is None:
        return None
    return EmissionFactor.objects.filter(
        factor_set=factor_set, year=year, value__isnull=False
    ).first()


@dataclass(frozen=True)
class Co2eResult:
    """CO2e of a saving: ``tco2e`` (Decimal, 4 decimals, or None), ``factor`` (the
    EmissionFactor used, or None) and ``note`` (why there is no value, '' otherwise)."""

    tco2e: Decimal | None
    factor: object | None
    note: str


def co2e_of_electricity(kwh: Decimal | None, year: int, *, factor_set=None) -> Co2eResult:
    """t CO2e avoided by saving ``kwh`` of grid electricity in ``year``:
    ``kwh / 1000 × EF_grid(year)`` (t CO2/MWh), rounded to 4 decimals (0.1 kg).

    Returns ``tco2e=None`` with a note when ``kwh`` is None, or when the set has no official
    factor for ``year`` ("no official factor for 2024"): no value is invented.
    """
    if kwh is None:
        return Co2eResult(None, None, "")
    factor = factor_for_year(year, factor_set=factor_set)
    if factor is None:
        return Co2eResult(
            None, None, _("no official grid emission factor for %(year)s") % {"year": year}
        )
    tco2e = (Decimal(kwh) / Decimal(1000) * factor.value).quantize(Decimal("0.0001"))
    return Co2eResult(tco2e, factor, "")
