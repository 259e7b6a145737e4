"""Reports of the dashboards: XLSX exports of every dashboard table and the park's PDF for its
self-assessment dossier (Decree 35/2022/ND-CP Art. 41: the dossier for certification includes
the park's self-assessment against the Art. 37 criteria).

XLSX: one sheet per dashboard table, headers in the active language, numbers as numbers. Text
that Excel or LibreOffice would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is written as a text cell with a quote prefix (OWASP "CSV/formula
injection"): it is shown, never evaluated.

PDF: rendered by WeasyPrint (needs the system's pango, Debian ``libpango-1.0-0`` and
``libpangoft2-1.0-0``, and a font with Vietnamese glyphs such as DejaVu Sans). When WeasyPrint
or pango is missing, :class:`PdfUnavailable` is raised and the page says so.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .selectors import ParkDashboard, art37_rows, criterion_references, park_evidence

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: first characters that make a spreadsheet read text as a formula
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    """One exported table: ``title`` (at most 31 characters once cleaned), ``headers`` and
    ``rows`` (lists of str, int, float, Decimal, bool or None)."""

    title: str
    headers: list[str]
    rows: list[list]


def _sheet_title(title: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Sheet"
    base, n = clean, 2
    while clean in used:
        suffix = f" ({n})"
        clean = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(clean)
    return clean


def write_cell(ws, row: int, column: int, value) -> None:
    """Write ``value`` to ``ws`` at (row, column), 1-based: Decimal as float, bool as
    yes/no text, None as empty; text starting with a formula trigger as literal text."""
    if value is None:
        return
    if isinstance(value, bool):
        value = _("yes") if value else _("no")
    elif isinstance(value, Decimal):
        value = float(value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """An XLSX workbook (bytes) with one worksheet per :class:`Sheet`: a bold header row,
    frozen, with columns sized to their content (capped at 60 characters)."""
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets or [Sheet(_("Empty"), [], [])]:
        ws = wb.create_sheet(_sheet_title(sheet.title, used))
        widths = [len(str(h)) for h in sheet.headers]
        for j, header in enumerate(sheet.headers, start=1):
            write_cell(ws, 1, j, str(header))
            ws.cell(row=1, column=j).font = Font(bold=True)
        for i, row in enumerate(sheet.rows, start=2):
            for j, value in enumerate(row, start=1):
                write_cell(ws, i, j, value)
                if j <= len(widths):
                    widths[j - 1] = max(widths[j - 1], len(str(value or "")))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_response(sheets: list[Sheet], filename: str) -> HttpResponse:
    """An HTTP attachment of :func:`workbook_bytes`."""
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _park_name(park) -> str:
    return park.name_en if _english() else park.name_vi


def _state(value: str | None) -> str:
    from .models import State

    return str(dict(State.choices).get(value or State.NO_DATA, value))


def _round(value, places: int = 2):
    return None if value is None else round(float(value), places)


# --------------------------------------------------------------------------------------
# Sheets of each dashboard
# --------------------------------------------------------------------------------------


def park_table_sheets(table, *, waiting=None) -> list[Sheet]:
    """Sheets of the national/province dashboard: parks, provinces, map data (coordinates),
    index distribution and, for a board, the responses waiting for approval."""
    parks = Sheet(
        _("Parks"),
        [
            _("Park"),
            _("Province"),
            _("Kind"),
            _("EIP pilot"),
            _("Response status"),
            _("Index"),
            _("Criteria met"),
            _("Criteria applicable"),
            _("Mandatory criteria met"),
            _("Mandatory criteria"),
            _("Eligible for certification"),
            _("Previous period"),
            _("Previous index"),
            _("Trend (index points)"),
            _("Enterprises reported"),
            _("Enterprises in the park"),
            _("Eco-enterprises (Art. 40(2))"),
            _("Being recomputed"),
        ],
        [],
    )
    for r in table.rows:
        s, res = r.snapshot, r.result
        parks.rows.append(
            [
                _park_name(r.park),
                r.park.province.name_vi,
                r.park.get_kind_display(),
                r.park.eip_pilot,
                r.response_status_display,
                _round(r.index),
                res.criteria_met if res else None,
                res.criteria_applicable if res else None,
                res.mandatory_met if res else None,
                res.mandatory_total if res else None,
                res.eligible if res else None,
                r.previous_period,
                _round(r.previous_index),
                _round(r.trend),
                s.reported if s else None,
                s.population if s else None,
                getattr(res, "eco_enterprises", None) if res else None,
                r.stale,
            ]
        )
    provinces = Sheet(
        _("Provinces"),
        [
            _("Province"),
            _("Parks"),
            _("In the campaign"),
            _("With a result"),
            _("Mean index"),
            _("Eligible for certification"),
            _("Being recomputed"),
            _("Enterprises reported"),
            _("Enterprises in the parks"),
        ],
        [
            [
                p.province.name_vi,
                p.parks,
                p.in_campaign,
                p.with_result,
                p.mean_index,
                p.eligible,
                p.stale,
                p.reported,
                p.population,
            ]
            for p in table.provinces
        ],
    )
    mapped = Sheet(
        _("Map"),
        [_("Park"), _("Latitude"), _("Longitude"), _("Index"), _("Coordinates")],
        [
            [
                _park_name(r.park),
                float(r.park.latitude),
                float(r.park.longitude),
                _round(r.index),
                "© OpenStreetMap contributors (ODbL)",
            ]
            for r in table.mapped
        ],
    )
    histogram = Sheet(
        _("Index distribution"),
        [_("Index from"), _("Index below"), _("Parks")],
        [[b.low, b.high, b.parks] for b in table.histogram],
    )
    sheets = [parks, _table_criteria_sheet(table), provinces, mapped, histogram]
    if waiting is not None:
        sheets.append(
            Sheet(
                _("Waiting for approval"),
                [_("Park"), _("Campaign"), _("Period"), _("Submitted at")],
                [
                    [
                        _park_name(w.park),
                        w.campaign.name,
                        w.campaign.period,
                        w.submitted_at and timezone.localtime(w.submitted_at).replace(tzinfo=None),
                    ]
                    for w in waiting
                ],
            )
        )
    return sheets


def _table_criteria_sheet(table) -> Sheet:
    """Every criterion result of the listed parks that have a result, as the park export
    gives them (park, province, code, title, state, value, threshold, numerator, denominator,
    coverage): one query whatever the number of parks."""
    from .models import CriterionResult

    by_snapshot = {r.result.pk: r for r in table.rows if r.result is not None}
    sheet = Sheet(
        _("Criteria"),
        [
            _("Park"),
            _("Province"),
            _("Code"),
            _("Criterion"),
            _("Level"),
            _("State"),
            _("Threshold"),
            *_figure_headers(),
        ],
        [],
    )
    results = (
        CriterionResult.objects.filter(snapshot_id__in=list(by_snapshot))
        .select_related("criterion")
        .order_by("criterion__order", "criterion__code")
    )
    grouped: dict[int, list] = {}
    for res in results:
        grouped.setdefault(res.snapshot_id, []).append(res)
    for snapshot_id, row in by_snapshot.items():  # the table's order
        for res in grouped.get(snapshot_id, []):
            c = res.criterion
            sheet.rows.append(
                [
                    _park_name(row.park),
                    row.park.province.name_vi,
                    c.code,
                    c.title,
                    c.get_level_display(),
                    _state(res.state),
                    c.threshold_display,
                    *_figures(res),
                ]
            )
    return sheet


def _coverage(result) -> float | None:
    """Enterprises that reported as a percentage of the park's enterprises (0.1), or None."""
    if result is None or not result.population:
        return None
    return round(100 * (result.reported or 0) / result.population, 1)


def _figures(result) -> list:
    """A result's figures as the exports give them: value (rounded), numerator, denominator,
    enterprises reported, enterprises in the park, coverage (%)."""
    if result is None:
        return [None] * 6
    return [
        _round(result.value),
        result.numerator,
        result.denominator,
        result.reported,
        result.population,
        _coverage(result),
    ]


def _figure_headers() -> list[str]:
    return [
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        _("Enterprises reported"),
        _("Enterprises in the park"),
        _("Coverage (%)"),
    ]


def _criterion_sheet(rows) -> Sheet:
    sheet = Sheet(
        _("Criteria"),
        [
            _("Code"),
            _("Criterion"),
            _("Level"),
            _("Threshold"),
            _("State"),
            _("Why"),
            _("Gap"),
            *_figure_headers(),
            _("Legal source"),
            _("Verification status"),
        ],
        [],
    )
    has_intended = any(r.intended_value is not None or r.intended_state for r in rows)
    if has_intended:
        sheet.headers += [_("Intended value"), _("Intended state"), _("Improvement potential")]
    for r in rows:
        c, res = r.criterion, r.result
        line = [
            c.code,
            r.title,
            c.get_level_display(),
            c.threshold_display,
            _state(r.state),
            r.why or None,
            _round(res.gap) if res else None,
            *_figures(res),
            c.legal_source,
            c.get_verification_status_display(),
        ]
        if has_intended:
            line += [r.intended_value, r.intended_state_display or None, r.improvement]
        sheet.rows.append(line)
    return sheet


def _history_sheet(rows, periods: list[int]) -> Sheet:
    return Sheet(
        _("State history"),
        [_("Code")] + [str(p) for p in periods],
        [
            [r.criterion.code]
            + [_state(dict((p, s) for p, s, _v in r.history).get(p)) for p in periods]
            for r in rows
        ],
    )


def _index_history_sheet(history) -> Sheet:
    return Sheet(
        _("Index trend"),
        [_("Period"), _("Index"), _("Criteria met"), _("Criteria applicable")],
        [
            [p, _round(s.index), *((s.criteria_met, s.criteria_applicable) if s.has_result else ())]
            for p, s in history
        ],
    )


def _category_sheet(categories, snapshot) -> Sheet:
    """The categories' counts; met and share empty when ``snapshot`` has no result (no
    submitted response: README "no result")."""
    english = _english()
    result = snapshot is not None and snapshot.has_result
    return Sheet(
        _("Categories"),
        [_("Category"), _("Met"), _("Applicable"), _("Share met (%)")],
        [
            [
                c.category.name_en if english else c.category.name_vi,
                c.met if result else None,
                c.applicable,
                None if c.share is None or not result else round(100 * c.share, 1),
            ]
            for c in categories
        ],
    )


def _summary_sheet(snapshot) -> Sheet:
    s = snapshot
    lines = []
    if s is not None and not s.has_result:
        lines = [[_("Index"), _("no result: the response has not been submitted")]]
    elif s is not None:
        lines = [
            [_("Index"), _round(s.index)],
            [_("Criteria met"), s.criteria_met],
            [_("Criteria applicable"), s.criteria_applicable],
            [_("Mandatory criteria met"), s.mandatory_met],
            [_("Mandatory criteria"), s.mandatory_total],
            [_("Eligible for certification"), s.eligible],
            [_("Enterprises reported"), s.reported],
            [_("Enterprises in the park"), s.population],
        ]
        for label, field in (
            (_("Eco-enterprises (Art. 40(2))"), "eco_enterprises"),
            (_("Intended index"), "index_intended"),
            (_("Improvement potential (index points)"), "index_improvement"),
            (_("Eligible with the intended values"), "eligible_intended"),
        ):
            value = getattr(s, field, None)
            if value is not None:
                lines.append([label, _round(value) if isinstance(value, Decimal) else value])
        lines.append([_("Computed at"), timezone.localtime(s.computed_at).replace(tzinfo=None)])
    return Sheet(_("Summary"), [_("Figure"), _("Value")], lines)


def park_sheets(data: ParkDashboard) -> list[Sheet]:
    """Sheets of the park dashboard: summary, criteria, state history, index trend,
    categories, path to certification, roll-up coverage and (when the viewer may see them)
    tenants."""
    sheets = [
        _summary_sheet(data.snapshot),
        _criterion_sheet(data.rows),
        _history_sheet(data.rows, data.periods),
        _index_history_sheet(data.history),
        _category_sheet(data.categories, data.snapshot),
        Sheet(
            _("Path to certification"),
            [_("Code"), _("Criterion"), _("State"), _("What is missing")],
            [[r.criterion.code, r.title, _state(r.state), r.missing.text] for r in data.path],
        ),
        Sheet(
            _("Roll-up coverage"),
            [_("Code"), _("Criterion"), _("Enterprises reported"), _("Enterprises in the park")],
            [
                [r.criterion.code, r.title, r.result.reported, r.result.population]
                for r in data.rollups
            ],
        ),
    ]
    if data.tenants is not None:
        sheets.append(
            Sheet(
                _("Tenants"),
                [
                    _("Enterprise"),
                    _("Demo data"),
                    _("Sector (VSIC)"),
                    _("Response status"),
                    _("Index"),
                    _("Criteria met"),
                    _("Criteria applicable"),
                    _("Eco-enterprise (Art. 40(2))"),
                ],
                [
                    [
                        t.enterprise.name,
                        t.enterprise.is_demo,
                        t.enterprise.sector.code if t.enterprise.sector else None,
                        t.response_status_display,
                        _round(t.index),
                        t.criteria_met,
                        t.criteria_applicable,
                        t.eco_enterprise,
                    ]
                    for t in data.tenants
                ],
            )
        )
    return sheets


def enterprise_sheets(data) -> list[Sheet]:
    """Sheets of the enterprise dashboard: summary, its criteria, state history, index trend,
    categories and the anonymous benchmark (withheld groups say so, with no figures)."""
    return [
        _summary_sheet(data.snapshot),
        _criterion_sheet(data.rows),
        _history_sheet(data.rows, data.periods),
        _index_history_sheet(data.history),
        _category_sheet(data.categories, data.snapshot),
        Sheet(
            _("Benchmark"),
            [_("Group"), _("Enterprises"), _("Percentile"), _("Median index"), _("Note")],
            [
                [
                    b.name,
                    None if b.withheld else b.size,
                    b.percentile,
                    b.median,
                    ""
                    if not b.withheld
                    else _("withheld: fewer than 3 enterprises")
                    if b.reason == "small_group"
                    else _("withheld: your index is not computed yet"),
                ]
                for b in data.benchmarks
            ],
        ),
    ]


# --------------------------------------------------------------------------------------
# PDF (Art. 41 dossier)
# --------------------------------------------------------------------------------------


class PdfUnavailable(RuntimeError):
    """PDF rendering is not possible on this server (WeasyPrint or pango missing)."""


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango/harfbuzz libraries not found
        raise PdfUnavailable(
            _("PDF rendering is not available on this server (%(reason)s).")
            % {"reason": exc.__class__.__name__}
        ) from exc
    return weasyprint


def park_report_pdf(data: ParkDashboard, *, user) -> bytes:
    """The park's self-assessment PDF (bytes) in the active language: each Art. 37 criterion
    (Decree 35/2022 Art. 37(1)–(2); codes ``VN35-EIP-*``) with its requirement, the answers and
    evidence files it rests on, its state, value, threshold and legal source with the
    research's verification status; then the summary (index, mandatory criteria met,
    eligibility). Raises :class:`PdfUnavailable` when WeasyPrint/pango is missing."""
    weasyprint = _weasyprint()
    evidence = park_evidence(park=data.park, campaign=data.campaign) if data.campaign else {}
    rows = []
    for r in art37_rows(data):
        refs, tenant_refs = criterion_references(r.criterion)
        files = [e for code in refs for e in evidence.get(code, [])]
        rows.append({"row": r, "files": files, "rollup": bool(tenant_refs)})
    html = render_to_string(
        "dashboards/report_park.html",
        {
            "d": data,
            "rows": rows,
            "generated_at": timezone.localtime(),
            "generated_by": getattr(user, "username", ""),
            "english": _english(),
        },
    )
    try:
        return weasyprint.HTML(string=html).write_pdf()
    except OSError as exc:  # fonts or libraries missing at render time
        raise PdfUnavailable(
            _("PDF rendering failed on this server (%(reason)s).") % {"reason": str(exc)[:200]}
        ) from exc
