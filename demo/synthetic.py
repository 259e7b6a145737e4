"""Synthetic national data for benchmarks: parks, enterprises, campaigns,
responses and answers at national scale, deterministic by seed, bulk-loaded.

NOT real data and NOT the demo data: every synthetic park and campaign name starts with
``[SYN:<dataset>]``, every synthetic enterprise name too (and ends with "(synthetic data)");
park ``source`` says "synthetic data … not a real park". Synthetic enterprises are not demo
enterprises (``is_demo`` False) and their tax codes (mã số thuế) are well-formed (check digit
of ``stdnum.vn.mst``) in the made-up ``98…`` range, away from the demo's ``3690…`` range.

Framework. By default the data answer a synthetic benchmark framework, ``SYN-VN2022-FLOWS``
("not a legal instrument"): VN-2022 v1 as shipped (same criteria, thresholds and legal
sources) plus 13 quarterly resource-flow quantities per enterprise (52 data elements:
energy, water, waste, emissions, materials — what UNIDO's EIP framework asks enterprises to
monitor), rolled up per park by 13 park indicators whose criteria have NO threshold (shown as
"no threshold set": ecopark never invents one). An enterprise response then has 64 data
elements, about 60 answered. ``framework="VN-2022"`` uses the shipped framework unchanged
(12 enterprise elements).

Distributions (all drawn from ``numpy.random.default_rng(seed)`` in a fixed order):

- parks spread over the 34 provinces in proportion to the reference registry's parks per
  province (+1 each); kind 90 % industrial park, 7 % export-processing zone, 3 % hi-tech park;
  area log-normal (median 300 ha, σ 0.7, 30–5 000 ha); established 1995–2022 uniform;
- tenants per park: 1 + multinomial with log-normal(0, 1) weights (heavy-tailed: a few large
  parks, many small ones); employees log-normal (median 120, σ 1.1, 5–40 000); a VSIC 2018
  manufacturing division (10–33) when the sectors are loaded;
- a latent "maturity" per park ~ Beta(2, 3); per enterprise 0.6 × its park's + 0.4 × Beta(2, 3);
  answers improve slightly each period (+0.04 per year);
- responses: enterprises report (submitted or approved, 55 % of those approved) with
  probability 0.78 + 0.06 per period after the first (at most 0.95), parks with 0.90; half of
  the others are drafts with some answers (not scored), the rest untouched drafts; reports
  are submitted 0–39 days after 1 February, and 15 % of them (a generator of their own,
  seeded by the seed and the year, so the draws above are unchanged) 1–45 days after the
  31 March close instead (late, ``surveys.periods``);
- item non-response: each element of an answered response is missing with probability 0.08
  (0.12 for the quarterly quantities);
- yes/no: P(yes) = 0.10 + 0.70 × maturity (``compliant`` 0.85 + 0.10 ×, ``located_in_certified_eip``
  0.05 + 0.10 ×); counts Poisson(1.5 × maturity); percentages 100 × Beta(1 + 4m, 1 + 4(1 − m));
  park decimals log-normal; quarterly quantities: employees × a per-employee annual median ×
  log-normal(0, σ), split over quarters by Dirichlet(8, 8, 8, 8), reuse/recycling/renewable
  shares growing with maturity;
- intended values (target year, latest period only): 30 % of reporting respondents give a
  plan for 40 % of their answered elements — yes for yes/no, +1 for counts, +5…20 points for
  percentages (≤ 100), −5…20 % for consumption and emissions, +5…30 % for reuse, recycling
  and renewables.

Loading: parks, enterprises, campaigns and responses with ``bulk_create``; answers — the bulk —
with PostgreSQL ``COPY … FROM STDIN`` (one ``executemany`` per chunk elsewhere). No history
rows are written for synthetic answers. Re-running with the same dataset name and parameters
does nothing; with other parameters it is refused (use another ``dataset``).
"""

from __future__ import annotations

import copy
import datetime
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from enterprises.models import Enterprise, Park, Province, Sector
from indicators.models import DataElement, Framework, FrameworkVersion
from surveys.models import Answer, Campaign, Response

SYNTHETIC_FRAMEWORK = "SYN-VN2022-FLOWS"
TAX_PREFIX = "98"

#: quarterly quantities: code, canonical unit, English label, Vietnamese label,
#: annual median per employee, log-normal sigma, direction ("use": lower is better;
#: "good": higher is better)
QUANTITIES = [
    ("electricity_kwh", "kWh", "Electricity used", "Điện năng tiêu thụ", 9000.0, 0.9, "use"),
    ("fuel_energy_kwh", "kWh", "Fuel energy used", "Năng lượng nhiên liệu", 6000.0, 1.2, "use"),
    ("renewable_kwh", "kWh", "Renewable energy used", "Năng lượng tái tạo", 800.0, 1.5, "good"),
    ("water_withdrawn_m3", "m³", "Water withdrawn", "Nước khai thác, sử dụng", 60.0, 1.0, "use"),
    ("water_reused_m3", "m³", "Water reused", "Nước tái sử dụng", 8.0, 1.4, "good"),
    ("wastewater_m3", "m³", "Wastewater discharged", "Nước thải", 45.0, 1.0, "use"),
    ("solid_waste_t", "t", "Solid waste generated", "Chất thải rắn phát sinh", 0.9, 1.1, "use"),
    ("hazardous_waste_t", "t", "Hazardous waste generated", "Chất thải nguy hại", 0.05, 1.3, "use"),
    ("waste_recycled_t", "t", "Waste recycled", "Chất thải được tái chế", 0.3, 1.3, "good"),
    ("waste_exchanged_t", "t", "By-products exchanged", "Phụ phẩm trao đổi", 0.1, 1.6, "good"),
    (
        "ghg_scope1_tco2e",
        "tCO2e",
        "Direct GHG emissions",
        "Phát thải KNK trực tiếp",
        2.5,
        1.1,
        "use",
    ),
    (
        "ghg_scope2_tco2e",
        "tCO2e",
        "GHG emissions from electricity",
        "Phát thải KNK từ điện",
        6.0,
        0.9,
        "use",
    ),
    ("raw_materials_t", "t", "Raw materials used", "Nguyên vật liệu sử dụng", 12.0, 1.2, "use"),
]
QUARTERS = (1, 2, 3, 4)
QUANTITIES_DIRECTION = {q[0]: q[6] for q in QUANTITIES}


@dataclass
class SyntheticResult:
    """What :func:`generate_synthetic` wrote (``created`` False: the dataset existed)."""

    dataset: str
    created: bool
    framework_version: FrameworkVersion
    parks: int
    enterprises: int
    campaigns: list[int]
    responses: int
    answers: int
    seconds: float


def dataset_marker(dataset: str) -> str:
    """The name prefix of a synthetic dataset, e.g. ``[SYN:national]``."""
    return f"[SYN:{dataset}]"


def _source(dataset: str, parks: int, enterprises: int, periods: int, seed: int, fw: str) -> str:
    return (
        f"synthetic data (manage.py generate_synthetic, dataset {dataset}, parks={parks}, "
        f"enterprises={enterprises}, periods={periods}, seed={seed}, framework={fw}) — not a "
        "real park"
    )


def synthetic_framework_document() -> dict:
    """The ``SYN-VN2022-FLOWS`` framework document: VN-2022 v1 as shipped plus the quarterly
    resource flows (:data:`QUANTITIES`) and their park roll-ups without thresholds."""
    path = Path(__file__).resolve().parent.parent / "indicators/data/frameworks/vn-2022.yaml"
    shipped = yaml.safe_load(path.read_text(encoding="utf-8"))
    v = copy.deepcopy(next(x for x in shipped["versions"] if x["number"] == 1))
    v["status"] = "published"
    v["title_en"] = "SYNTHETIC benchmark framework — VN-2022 v1 plus quarterly resource flows"
    v["title_vi"] = "Bộ tiêu chí GIẢ LẬP cho đo hiệu năng — VN-2022 v1 và dòng tài nguyên theo quý"
    v["instruments"] = ["Synthetic (benchmarks only): not a legal instrument"]
    v["categories"].append(
        {
            "code": "SYN_FLOWS",
            "name_en": "Synthetic: resource flows (monitoring, no threshold)",
            "name_vi": "Giả lập: dòng tài nguyên (theo dõi, không có ngưỡng)",
        }
    )
    for code, unit, label_en, label_vi, *_ in QUANTITIES:
        for q in QUARTERS:
            v["data_elements"].append(
                {
                    "code": f"syn_{code}_q{q}",
                    "applies_to": "enterprise",
                    "value_type": "decimal",
                    "unit": unit,
                    "label_en": f"{label_en}, quarter {q} (synthetic)",
                    "label_vi": f"{label_vi}, quý {q} (giả lập)",
                    "min_value": 0,
                }
            )
        terms = " + ".join(f"syn_{code}_q{q}" for q in QUARTERS)
        v["indicators"].append(
            {
                "code": f"SYN-{code}",
                "applies_to": "park",
                "formula": f"sum({terms})",
                "value_type": "number",
                "unit": unit,
            }
        )
        v["criteria"].append(
            {
                "code": f"SYN-{code}",
                "category": "SYN_FLOWS",
                "applies_to": "park",
                "level": "performance",
                "title_en": f"{label_en} by the park's enterprises in the year (synthetic)",
                "title_vi": f"{label_vi} của các doanh nghiệp trong năm (giả lập)",
                "rule": "compare",
                "operator": "<=" if QUANTITIES_DIRECTION[code] == "use" else ">=",
                "threshold": None,
                "unit": unit,
                "weight": 1,
                "indicator": f"SYN-{code}",
                "instrument": "Synthetic benchmark framework (not a legal instrument)",
                "article": "—",
                "verification_status": "unverified",
                "notes": "Monitoring only: no source gives a threshold.",
            }
        )
    return {
        "code": SYNTHETIC_FRAMEWORK,
        "title_en": "SYNTHETIC benchmark framework (not a legal instrument)",
        "title_vi": "Bộ tiêu chí GIẢ LẬP cho đo hiệu năng (không phải văn bản pháp luật)",
        "versions": [v],
    }


def synthetic_framework_version(framework: str = "synthetic") -> FrameworkVersion:
    """The framework version synthetic data answer: ``SYN-VN2022-FLOWS`` v1 (loaded on first
    use) or, with ``framework="VN-2022"``, the shipped VN-2022 v1."""
    from indicators.services import framework_load, frameworks_load_shipped

    if not Framework.objects.filter(code="VN-2022").exists():
        frameworks_load_shipped()
    if framework == "VN-2022":
        return FrameworkVersion.objects.get(framework__code="VN-2022", number=1)
    if framework != "synthetic":
        raise ValueError(f"framework must be 'synthetic' or 'VN-2022', not {framework!r}")
    if not Framework.objects.filter(code=SYNTHETIC_FRAMEWORK).exists():
        framework_load(data=synthetic_framework_document())
    return FrameworkVersion.objects.get(framework__code=SYNTHETIC_FRAMEWORK, number=1)


def synthetic_tax_codes(n: int, *, start: int, taken: set[str]) -> list[str]:
    """``n`` well-formed tax codes ``98NNNNNNNC`` from serial ``start`` on, skipping bodies
    whose check digit would be 10 and codes in ``taken``. Vectorised."""
    weights = np.array([31, 29, 23, 19, 17, 13, 7, 5, 3])
    out: list[str] = []
    serial = start
    while len(out) < n:
        serials = np.arange(serial, serial + 2 * (n - len(out)) + 100)
        serial = int(serials[-1]) + 1
        bodies = np.char.add(TAX_PREFIX, np.char.zfill(serials.astype(str), 7))
        digits = np.array([list(b) for b in bodies], dtype=np.int64)
        check = 10 - (digits @ weights) % 11
        ok = (check < 10) & (serials % 10_000_000 != 0)
        codes = np.char.add(bodies[ok], check[ok].astype(str))
        out.extend(c for c in codes.tolist() if c not in taken)
    return out[:n]


def _lognormal(rng, median, sigma, size):
    return median * np.exp(sigma * rng.standard_normal(size))


def _copy_rows(model, frame: pd.DataFrame) -> None:
    """Insert ``frame`` (columns = the model's column names) in one COPY or executemany;
    other columns take their field default."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    now = now if isinstance(now, str) else now.isoformat()
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in frame.columns:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            frame[f.column] = now
        else:
            frame[f.column] = f.get_default()
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in frame.columns)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            text = [
                quote(f.column)
                for f in model._meta.concrete_fields
                if f.get_internal_type() in ("CharField", "TextField") and not f.null
            ]
            buffer = io.StringIO()
            frame.to_csv(buffer, header=False, index=False, na_rep="")
            buffer.seek(0)
            force = f", FORCE_NOT_NULL ({', '.join(text)})" if text else ""
            cursor.cursor.copy_expert(
                f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv{force})", buffer
            )
        else:
            marks = ", ".join(["%s"] * len(frame.columns))
            rows = (
                frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            )
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(rows))


def _element_values(rng, element, maturity, employees, k: int) -> np.ndarray:
    """Current values of one data element for respondents of ``maturity`` (0–1)."""
    n = len(maturity)
    m = np.clip(maturity + 0.04 * k, 0, 1)
    code = element.code
    if element.value_type == "yes_no":
        if code == "compliant":
            p = 0.85 + 0.10 * m
        elif code == "located_in_certified_eip":
            p = 0.05 + 0.10 * m
        else:
            p = 0.10 + 0.70 * m
        return (rng.random(n) < p).astype("float64")
    if element.value_type == "integer":
        return rng.poisson(1.5 * m + 0.05).astype("float64")
    if element.value_type == "percentage":
        return np.round(100 * rng.beta(1 + 4 * m, 1 + 4 * (1 - m)), 1)
    if code.startswith("syn_"):
        quantity = code[4:].rsplit("_q", 1)[0]
        spec = next(q for q in QUANTITIES if q[0] == quantity)
        annual = _lognormal(rng, spec[4], spec[5], n) * employees
        if spec[6] == "good":
            annual *= 0.3 + 1.4 * m
        share = rng.gamma(8.0, 1.0, n) / (8.0 * 4)  # ~ one quarter, Dirichlet-like spread
        return np.round(annual * share, 3)
    return np.round(_lognormal(rng, 50_000.0, 1.0, n), 3)


def _intended(rng, element, current: np.ndarray) -> np.ndarray:
    n = len(current)
    if element.value_type == "yes_no":
        return np.ones(n)
    if element.value_type == "integer":
        return current + 1
    if element.value_type == "percentage":
        return np.minimum(100.0, np.round(current + rng.uniform(5, 20, n), 1))
    good = (
        element.code.startswith("syn_")
        and QUANTITIES_DIRECTION.get(element.code[4:].rsplit("_q", 1)[0]) == "good"
    )
    factor = rng.uniform(1.05, 1.30, n) if good else rng.uniform(0.80, 0.95, n)
    return np.round(current * factor, 3)


@transaction.atomic
def generate_synthetic(
    *,
    parks: int,
    enterprises: int,
    periods: int,
    seed: int,
    dataset: str = "national",
    framework: str = "synthetic",
    last_period: int = 2025,
) -> SyntheticResult:
    """Write a synthetic national dataset (see the module docstring); all or nothing.

    ``parks`` ≥ 1, ``enterprises`` ≥ 0, ``periods`` 1–10 (campaigns for ``last_period -
    periods + 1`` … ``last_period``, years within 2000–2100 as every campaign's), ``seed`` any
    int, ``dataset`` 1–40 letters, digits, ``-`` or ``_``. Raises ``ValueError`` naming every
    bad argument, or when ``dataset`` exists with other parameters (including other periods).
    Deterministic: the same seed and parameters give the same parks, enterprises, responses
    and answers.
    """
    problems = []
    if parks < 1:
        problems.append(f"parks must be at least 1 (got {parks})")
    if enterprises < 0:
        problems.append(f"enterprises must be 0 or more (got {enterprises})")
    if not 1 <= periods <= 10:
        problems.append(f"periods must be between 1 and 10 (got {periods})")
    elif not 2000 + periods - 1 <= last_period <= 2100:
        problems.append(
            f"last period must be a year between {2000 + periods - 1} and 2100 with "
            f"{periods} period(s) (got {last_period})"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", dataset or ""):
        problems.append(f"dataset must be 1–40 letters, digits, '-' or '_' (got {dataset!r})")
    if problems:
        raise ValueError("; ".join(problems))
    started = time.perf_counter()
    version = synthetic_framework_version(framework)
    marker = dataset_marker(dataset)
    source = _source(dataset, parks, enterprises, periods, seed, framework)
    existing = Park.objects.filter(name_vi__startswith=marker)
    if existing.exists():
        if existing.exclude(source=source).exists():
            raise ValueError(
                f"synthetic dataset {dataset!r} exists with other parameters; use another --dataset"
            )
        park_ids = list(existing.values_list("pk", flat=True))
        found = list(
            Campaign.objects.filter(name__startswith=marker)
            .order_by("period")
            .values_list("pk", "period")
        )
        wanted = list(range(last_period - periods + 1, last_period + 1))
        if [period for _, period in found] != wanted:
            raise ValueError(
                f"synthetic dataset {dataset!r} exists with other periods "
                f"({[period for _, period in found]}, not {wanted}); use another --dataset"
            )
        campaigns = [pk for pk, _ in found]
        return SyntheticResult(
            dataset=dataset,
            created=False,
            framework_version=version,
            parks=len(park_ids),
            enterprises=Enterprise.objects.filter(park_id__in=park_ids).count(),
            campaigns=campaigns,
            responses=Response.objects.filter(campaign_id__in=campaigns).count(),
            answers=Answer.objects.filter(response__campaign_id__in=campaigns).count(),
            seconds=time.perf_counter() - started,
        )
    rng = np.random.default_rng(seed)

    # --- parks ---------------------------------------------------------------------------
    provinces = list(Province.objects.order_by("code"))
    if not provinces:
        from enterprises.services import reference_load

        reference_load()
        provinces = list(Province.objects.order_by("code"))
    real = dict(
        Park.objects.exclude(name_vi__startswith="[SYN:")
        .values("province_id")
        .annotate(n=Count("pk"))
        .values_list("province_id", "n")
    )
    weight = np.array([real.get(p.pk, 0) + 1.0 for p in provinces])
    province_idx = rng.choice(len(provinces), size=parks, p=weight / weight.sum())
    kinds = rng.choice(
        ["industrial_park", "export_processing_zone", "hi_tech_park"],
        size=parks,
        p=[0.90, 0.07, 0.03],
    )
    areas = np.clip(_lognormal(rng, 300.0, 0.7, parks), 30, 5000).round(2)
    established = rng.integers(1995, 2023, size=parks)
    park_objs = Park.objects.bulk_create(
        [
            Park(
                name_vi=f"{marker} KCN giả lập {i + 1:04d}",
                name_en=f"{marker} Synthetic industrial park {i + 1:04d}",
                kind=str(kinds[i]),
                province=provinces[province_idx[i]],
                province_before_2025=provinces[province_idx[i]].name_vi,
                area_ha=float(areas[i]),
                operator="Synthetic developer (synthetic data)",
                established_year=int(established[i]),
                source=source,
            )
            for i in range(parks)
        ],
        batch_size=1000,
    )
    park_ids = np.array([p.pk for p in park_objs], dtype=np.int64)
    park_maturity = rng.beta(2, 3, size=parks)

    # --- enterprises ---------------------------------------------------------------------
    tenant_weights = np.exp(rng.standard_normal(parks))
    if enterprises >= parks:
        counts = 1 + rng.multinomial(enterprises - parks, tenant_weights / tenant_weights.sum())
    else:
        counts = rng.multinomial(enterprises, tenant_weights / tenant_weights.sum())
    ent_park_idx = np.repeat(np.arange(parks), counts)
    employees = np.clip(_lognormal(rng, 120.0, 1.1, enterprises), 5, 40_000).round().astype(int)
    sectors = list(
        Sector.objects.filter(
            edition="VSIC2018", level=2, code__in=[str(c) for c in range(10, 34)]
        ).order_by("code")
    )
    sector_idx = rng.integers(0, max(len(sectors), 1), size=enterprises)
    ent_maturity = np.clip(
        0.6 * park_maturity[ent_park_idx] + 0.4 * rng.beta(2, 3, enterprises), 0, 1
    )
    taken = set(
        Enterprise.objects.filter(tax_code__startswith=TAX_PREFIX).values_list(
            "tax_code", flat=True
        )
    )
    tax_codes = synthetic_tax_codes(enterprises, start=1 + seed % 1000 * 10_000, taken=taken)
    ent_objs = Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"{marker} Doanh nghiệp giả lập {j + 1:06d} (synthetic data)",
                tax_code=tax_codes[j],
                park_id=int(park_ids[ent_park_idx[j]]),
                sector=sectors[sector_idx[j]] if sectors else None,
                employees=int(employees[j]),
                is_demo=False,
            )
            for j in range(enterprises)
        ],
        batch_size=5000,
    )
    ent_ids = np.array([e.pk for e in ent_objs], dtype=np.int64)

    # --- campaigns, responses, answers ---------------------------------------------------
    elements = list(DataElement.objects.filter(version=version).order_by("order", "code"))
    park_elements = [
        e
        for e in elements
        if e.applies_to == "park" and e.value_type in ("yes_no", "integer", "decimal", "percentage")
    ]
    ent_elements = [
        e
        for e in elements
        if e.applies_to == "enterprise"
        and e.value_type in ("yes_no", "integer", "decimal", "percentage")
    ]
    years = list(range(last_period - periods + 1, last_period + 1))
    campaign_ids, n_responses, n_answers = [], 0, 0
    through = Campaign.parks.through
    for k, year in enumerate(years):
        campaign = Campaign.objects.create(
            name=f"{marker} Synthetic campaign {year}",
            period=year,
            framework_version=version,
            scope=Campaign.Scope.PARKS,
            opens_on=datetime.date(year + 1, 1, 1),
            closes_on=datetime.date(year + 1, 3, 31),
        )
        campaign_ids.append(campaign.pk)
        through.objects.bulk_create(
            [through(campaign_id=campaign.pk, park_id=int(p)) for p in park_ids], batch_size=2000
        )
        submitted_on = timezone.make_aware(datetime.datetime(year + 1, 2, 1))
        for kind, subject_ids, maturity, own_elements, p_report in (
            ("park", park_ids, park_maturity, park_elements, 0.90),
            ("enterprise", ent_ids, ent_maturity, ent_elements, min(0.95, 0.78 + 0.06 * k)),
        ):
            n = len(subject_ids)
            if n == 0:
                continue
            draw = rng.random(n)
            reported = draw < p_report
            approved = reported & (rng.random(n) < 0.55)
            partial = ~reported & (draw < p_report + (1 - p_report) / 2)
            status = np.where(approved, "approved", np.where(reported, "submitted", "draft"))
            days = rng.integers(0, 40, size=n)
            lateness = np.random.default_rng([seed, year, 0 if kind == "park" else 1])
            late = np.where(lateness.random(n) < 0.15, lateness.integers(1, 46, size=n), 0)
            closed = timezone.make_aware(datetime.datetime(year + 1, 3, 31))
            at = [
                closed + datetime.timedelta(days=int(late[i]))
                if late[i]
                else submitted_on + datetime.timedelta(days=int(days[i]))
                for i in range(n)
            ]
            objs = [
                Response(
                    campaign_id=campaign.pk,
                    park_id=int(subject_ids[i] if kind == "park" else park_ids[ent_park_idx[i]]),
                    enterprise_id=None if kind == "park" else int(subject_ids[i]),
                    status=str(status[i]),
                    version=2 if reported[i] else 1,
                    submitted_at=at[i] if reported[i] else None,
                    first_submitted_at=at[i] if reported[i] else None,
                    days_late=int(late[i]) if reported[i] else None,
                )
                for i in range(n)
            ]
            response_ids = np.array(
                [r.pk for r in Response.objects.bulk_create(objs, batch_size=5000)], dtype=np.int64
            )
            n_responses += n
            answering = reported | partial
            planning = reported & (rng.random(n) < 0.30) & (year == last_period)
            employees_of = (
                employees.astype("float64") if kind == "enterprise" else np.full(n, 500.0)
            )
            frames = []
            for element in own_elements:
                missing = 0.12 if element.code.startswith("syn_") else 0.08
                given = answering & (rng.random(n) >= missing)
                values = _element_values(rng, element, maturity, employees_of, k)
                plan = planning & given & (rng.random(n) < 0.40)
                intended = np.where(plan, _intended(rng, element, values), np.nan)
                rows = np.flatnonzero(given)
                if not len(rows):
                    continue
                is_bool = element.value_type == "yes_no"
                frames.append(
                    pd.DataFrame(
                        {
                            "response_id": response_ids[rows],
                            "data_element_id": element.pk,
                            "value_number": np.nan if is_bool else values[rows],
                            "value_bool": pd.array(values[rows] >= 0.5, dtype="boolean")
                            if is_bool
                            else pd.array([pd.NA] * len(rows), dtype="boolean"),
                            "value_intended": intended[rows],
                        }
                    )
                )
            if frames:
                answers = pd.concat(frames, ignore_index=True)
                _copy_rows(Answer, answers)
                n_answers += len(answers)
    return SyntheticResult(
        dataset=dataset,
        created=True,
        framework_version=version,
        parks=parks,
        enterprises=enterprises,
        campaigns=campaign_ids,
        responses=n_responses,
        answers=n_answers,
        seconds=time.perf_counter() - started,
    )
