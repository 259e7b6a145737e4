"""Dashboard pages: national (ministry), province (board), park and enterprise views of the
progress toward the national criteria, with their XLSX exports and the park's PDF report.

Dashboards read snapshots only; a request never recomputes (``docs/architecture.md``). Every page looks
its subject up through :mod:`enterprises.policy` first (outside the scope: 404), then serves
the body of the page from the process-local "pages" cache under a key made of the page, its
subject, the query string, the language and the dashboards' cache stamp
(:mod:`dashboards.stamps`), so a new snapshot invalidates it. A cache hit costs the session
(none with a shared cache), the user with its scope, and one query: the subject's lookup
carrying the stamp, or the stamp alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.vn import mst

from common.collation import vi_key, vi_sorted
from enterprises.models import Enterprise, Park, Province, normalise_tax_code
from enterprises.policy import (
    Action,
    can,
    follows_others,
    landing,
    park_visible_by_scope,
    visible_enterprises,
    visible_parks,
)
from registers.views import register_tabs
from surveys.models import Campaign

from . import figures, reports, stamps
from .pagecache import cache_key as _cache_key
from .pagecache import compress
from .pagecache import compressed as _compressed
from .selectors import (
    approvals_waiting,
    campaign_pick,
    campaign_reporting,
    campaigns_all,
    enterprise_campaigns,
    enterprise_dashboard,
    national_stamp,
    park_campaigns,
    park_dashboard,
    park_stamp,
    park_table,
    park_tenant_keys,
    park_tenant_sort_values,
    park_tenants,
    parks_filter,
    parks_with_latest_scores,
    province_stamp,
    stamp_annotations,
)

#: seconds a dashboard body stays cached (the key changes anyway when a snapshot lands)
CACHE_SECONDS = getattr(settings, "ECOPARK_DASHBOARD_CACHE_SECONDS", 300)


def _cached_body(request, key_parts: tuple, template: str, build) -> str:
    """The rendered body of a page from the cache, or ``build()``'s context rendered with
    ``template`` and stored. The key includes ``key_parts``, the query string, the active
    language and the day (a campaign opening at midnight becomes the default then); ``build``
    may raise Http404 (nothing is stored then)."""
    query = sorted((k, tuple(request.GET.getlist(k))) for k in request.GET)
    key = _cache_key(
        translation.get_language(), request.path, query, timezone.localdate(), *key_parts
    )
    pages = caches["pages"]
    body = pages.get(key)
    if body is None:
        body = render_to_string(template, build(), request=request)
        pages.set(key, body, CACHE_SECONDS)
    return body


def _cached_page(request, key_parts: tuple, render_page) -> HttpResponse:
    """The whole page for this session from the "pages" cache, or ``render_page()``'s
    response, stored when it is a 200; gzip-compressed for a browser that accepts it.

    A dashboard's body is shared by everyone who may see it (:func:`_cached_body`); around
    it, the page carries the reader's name and CSRF token. This second layer keeps the whole
    page for one session: the key holds the user, the session's CSRF cookie (the token in the
    page must match it), the path with its query string, the language, the day and
    ``key_parts`` (with the cache stamp), so a new snapshot, a log-out and log-in or another
    browser never see it. It is used only after the view has checked the reader's scope, and
    never while a message waits to be shown. The page is kept twice: as rendered and
    compressed once (gzip level 6, a 260 KB national table becomes about 25 KB), so a phone
    downloads a tenth of it and the server never compresses it again."""
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not csrf_cookie or len(messages.get_messages(request)):
        return render_page()
    key = _cache_key(
        "page",
        translation.get_language(),
        request.get_full_path(),
        request.user.pk,
        csrf_cookie,
        timezone.localdate(),
        *key_parts,
    )
    pages = caches["pages"]
    entry = pages.get(key)
    if entry is not None:
        return _compressed(request, HttpResponse(entry[0]), entry[1])
    response = render_page()
    if response.status_code != 200:
        return response
    compressed = compress(response.content)
    pages.set(key, (response.content, compressed), CACHE_SECONDS)
    return _compressed(request, response, compressed)


def _visible_stamp(queryset, pk: int, *names: str) -> str:
    """The cache stamps ``names`` (default: the dashboards' counter), read with the check that
    row ``pk`` is in ``queryset`` (the reader's scope, :mod:`enterprises.policy`) in one light
    query; raises Http404 when it is not. The page itself loads the row only when it is not
    cached."""
    annotations = stamp_annotations(*names)
    rows = list(queryset.filter(pk=pk).annotate(**annotations).values_list(*annotations)[:1])
    if not rows:
        raise Http404
    return ".".join(str(v or 0) for v in rows[0])


def _campaign_shown(request, campaigns: list[Campaign]) -> tuple[Campaign | None, str]:
    """The campaign a park or enterprise page shows and, when ``?campaign=`` names none of
    ``campaigns`` (not a number, unknown, or one the subject has no response in), the message
    that says so; the newest campaign is shown then, as the national page does."""
    raw = request.GET.get("campaign") or ""
    if raw:
        for c in campaigns:
            if str(c.pk) == raw.strip():
                return c, ""
    fallback = campaign_pick(campaigns, campaign_id=None)
    if not raw:
        return fallback, ""
    return fallback, _(
        "Campaign: “%(value)s” is not a campaign of this page; the newest one is shown."
    ) % {"value": raw[:40]}


@login_required
def home(request):
    """Send each role to its starting page: ministry to the national dashboard, a board to its
    province's, a park manager to its park's and an enterprise to its own."""
    start = landing(request.user)
    if start is None:
        return render(request, "dashboards/no_scope.html", status=403)
    page, subject = start
    if page == "national":
        return redirect("dashboards:national")
    if page == "province":
        return redirect("dashboards:province", code=subject.code)
    return redirect(f"dashboards:{page}", pk=subject)


@login_required
def park_list(request):
    """Every park in scope with its province and latest result."""
    parks = vi_sorted(parks_with_latest_scores(request.user), key=lambda p: p.name)
    return render(request, "dashboards/park_list.html", {"parks": parks})


# --------------------------------------------------------------------------------------
# National and province
# --------------------------------------------------------------------------------------


class ParkFilterForm(forms.Form):
    """The filters of the national and province dashboards (GET). Unknown values are
    reported on their field and that filter is ignored."""

    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    pilot = forms.ChoiceField(
        label=gettext_lazy("Eco-industrial park pilot"),
        required=False,
        choices=[
            ("", gettext_lazy("all parks")),
            ("yes", gettext_lazy("pilots only")),
            ("no", gettext_lazy("non-pilots only")),
        ],
    )
    framework = forms.ChoiceField(label=gettext_lazy("Framework"), required=False)
    campaign = forms.ChoiceField(label=gettext_lazy("Campaign"), required=False)

    def __init__(self, data, *, provinces, campaigns, with_province: bool = True):
        super().__init__(data)
        if with_province:
            self.fields["province"].choices = [("", _("all 34 provinces"))] + [
                (p.code, p.name_vi) for p in vi_sorted(provinces, key=lambda p: p.name_vi)
            ]
        else:
            del self.fields["province"]
        self.fields["kind"].choices = [("", _("all kinds"))] + list(Park.Kind.choices)
        frameworks = {}
        for c in campaigns:
            fw = c.framework_version.framework
            frameworks.setdefault(fw.code, fw)
        self.fields["framework"].choices = [("", _("latest campaign's"))] + [
            (code, code) for code in frameworks
        ]
        self.fields["campaign"].choices = [("", _("latest"))] + [
            (str(c.pk), f"{c.name} ({c.framework_version})") for c in campaigns
        ]

    def value(self, name: str) -> str | None:
        """The cleaned value of a valid field, or None."""
        if not self.is_bound:
            return None
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


def _ignored_filters(request, form: ParkFilterForm) -> list[dict]:
    """The parameters of the address that the filters could not use (an unknown province,
    campaign, kind…): ``[{"name": parameter, "label": field label, "value": the value, at
    most 40 characters}]``, in the form's order; the page shows them in a notice and is shown
    without those filters."""
    if not form.is_bound or form.is_valid():
        return []
    return [
        {"name": name, "label": form.fields[name].label, "value": request.GET.get(name, "")[:40]}
        for name in form.fields
        if name in form.errors
    ]


def _pilot(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


#: parks per page of the national and province tables (``?page=all`` lists every one)
PARKS_PER_PAGE = 25


def _folded(text: str) -> str:
    """``text`` lower-cased without Vietnamese marks (đ as d), for a search that finds
    "Đình Vũ" when "dinh vu" is typed."""
    import unicodedata

    text = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


@dataclass(frozen=True)
class SortColumn:
    """A column of a paged table, in the order of the table's header cells: ``name`` is its
    ``?sort=`` value, ``label`` its header, ``numeric`` whether it sorts as a number (first
    click descending, as static/js/sortable.js does) or as text (first click ascending)."""

    name: str
    label: str
    numeric: bool = False


def _sorted_rows(rows: list, values: list, *, numeric: bool, descending: bool) -> list:
    """``rows`` ordered by ``values`` (one per row), as static/js/sortable.js orders a table on
    screen: numbers numerically, text in Vietnamese order (:func:`common.collation.vi_key`),
    None or "" (the "—" cells) last in both directions; ties keep their order (stable)."""
    present = [(v, r) for v, r in zip(values, rows, strict=True) if v is not None and v != ""]
    missing = [r for v, r in zip(values, rows, strict=True) if v is None or v == ""]
    present.sort(
        key=(lambda p: p[0]) if numeric else (lambda p: vi_key(str(p[0]))), reverse=descending
    )
    return [r for _v, r in present] + missing


def _sort_asked(request, columns: tuple[SortColumn, ...]) -> tuple[SortColumn | None, bool, str]:
    """The column ``?sort=`` names among ``columns``, whether ``?dir=`` asks for descending
    (``asc`` or ``desc``; anything else: the column's first direction) and, when ``sort``
    names no column, the message that says it is ignored."""
    raw = (request.GET.get("sort") or "").strip()
    if not raw:
        return None, False, ""
    column = next((c for c in columns if c.name == raw), None)
    if column is None:
        return (
            None,
            False,
            _(
                "The address asks for sort=%(value)s, which is not a column of this table: the "
                "table keeps its usual order."
            )
            % {"value": raw[:40]},
        )
    descending = {"asc": False, "desc": True}.get(request.GET.get("dir") or "", column.numeric)
    return column, descending, ""


def _rows_page(
    request,
    rows: list,
    *,
    per_page: int,
    matches,
    columns: tuple[SortColumn, ...] = (),
    sort_values=None,
) -> dict:
    """The page of a table that ``?q=`` (a search, marks optional: ``matches(row, folded
    search)`` says whether a row matches), ``?sort=<column>&dir=asc|desc`` (one of
    ``columns``; ``sort_values(column name, rows)`` gives each row's value, None for "—") and
    ``?page=`` (a number, or ``all``; not a number or below 1: the first page, beyond the last:
    the last) ask for, ``per_page`` rows a page. The sort covers every matching row before
    the table is paged (:func:`_sorted_rows`). Returns ``rows_page`` (a Django ``Page``),
    ``listed`` (rows matching the search, in the asked order), ``q``, ``all_rows``,
    ``pageable`` (the rows take more than a page), ``page_query`` (the query string without
    ``page``, for the page links), ``clear_query`` (without the search), ``headers`` (one
    dict per column: ``label``, ``numeric``, ``aria_sort`` — "ascending", "descending" or ""
    —, ``query``: the address of its sort link, page reset), ``server_sort`` (the table is
    paged: its headers are links to the server; otherwise the script sorts the rows on
    screen), ``sorted_by`` (the sentence saying the order covers every page, or "") and
    ``sort_error`` (an unknown ``sort``, ignored)."""
    q = (request.GET.get("q") or "").strip()[:100]
    listed = rows
    if q:
        needle = _folded(q)
        listed = [r for r in rows if matches(r, needle)]
    column, descending, sort_error = _sort_asked(request, columns)
    if column is not None:
        listed = _sorted_rows(
            listed,
            sort_values(column.name, listed),
            numeric=column.numeric,
            descending=descending,
        )
    all_rows = request.GET.get("page") == "all"
    paginator = Paginator(listed, max(len(listed), 1) if all_rows else per_page)
    try:  # a page number below 1 is the first page (Django would give the last)
        number = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        number = 1
    params = request.GET.copy()
    params.pop("page", None)
    page_query = params.urlencode()
    headers = []
    for c in columns:
        asked = c is column
        link = params.copy()
        link["sort"] = c.name
        link["dir"] = "asc" if (descending if asked else not c.numeric) else "desc"
        headers.append(
            {
                "label": c.label,
                "numeric": c.numeric,
                "aria_sort": ("descending" if descending else "ascending") if asked else "",
                "query": link.urlencode(),
            }
        )
    server_sort = not all_rows and paginator.num_pages > 1
    sorted_by = ""
    if column is not None and server_sort:
        sorted_by = (
            _("Sorted by “%(column)s”, descending, across every page.")
            if descending
            else _("Sorted by “%(column)s”, ascending, across every page.")
        ) % {"column": column.label}
    params.pop("q", None)
    return {
        "rows_page": paginator.get_page(1 if all_rows else number),
        "listed": listed,
        "q": q,
        "all_rows": all_rows,
        "pageable": len(listed) > per_page,
        "page_query": page_query,
        "clear_query": params.urlencode(),
        "headers": headers,
        "server_sort": server_sort,
        "sorted_by": sorted_by,
        "sort_error": sort_error,
    }


def _park_columns() -> tuple[SortColumn, ...]:
    """The park table's columns (templates/dashboards/_parks_body.html), in the active
    language."""
    return (
        SortColumn("name", _("Park")),
        SortColumn("province", _("Province")),
        SortColumn("index", _("Index"), numeric=True),
        SortColumn("met", _("Criteria met"), numeric=True),
        SortColumn("eligible", _("Eligible")),
        SortColumn("trend", _("Trend"), numeric=True),
        SortColumn("coverage", _("Tenant coverage"), numeric=True),
        SortColumn("status", _("Status")),
    )


def _park_sort_value(name: str):
    """``row → value`` of the park table's column ``name``, the value its cell shows or its
    ``data-sort`` holds (templates/dashboards/_parks_body.html), None for "—"."""
    english = (translation.get_language() or "vi").startswith("en")
    yes, no = _("yes"), _("no")

    def ratio(a, b):
        return (a or 0) / b if b else None

    return {
        "name": lambda r: r.park.name_en if english else r.park.name_vi,
        "province": lambda r: r.park.province.name_vi,
        "index": lambda r: r.index,
        "met": lambda r: (
            None
            if r.index is None
            else ratio(r.snapshot.criteria_met, r.snapshot.criteria_applicable)
        ),
        "eligible": lambda r: None if r.index is None else (yes if r.snapshot.eligible else no),
        "trend": lambda r: r.trend,
        "coverage": lambda r: (
            ratio(r.snapshot.reported, r.snapshot.population) if r.snapshot else None
        ),
        "status": lambda r: r.response_status_display or None,
    }[name]


def _park_rows_page(request, rows: list) -> dict:
    """The page of the park table (:func:`_rows_page`, :data:`PARKS_PER_PAGE` rows) whose
    search finds a park by its name or its province, sorted by any column on request; the
    summary, map and charts keep every row."""

    def matches(r, needle: str) -> bool:
        return (
            needle in _folded(r.park.name_vi)
            or needle in _folded(r.park.name_en)
            or needle in _folded(r.park.province.name_vi)
        )

    def sort_values(name: str, listed: list) -> list:
        value = _park_sort_value(name)
        return [value(r) for r in listed]

    return _rows_page(
        request,
        rows,
        per_page=PARKS_PER_PAGE,
        matches=matches,
        columns=_park_columns(),
        sort_values=sort_values,
    )


#: tenants per page of the park dashboard's tenant table (``?page=all`` lists every one)
TENANTS_PER_PAGE = 50


def _tenant_columns() -> tuple[SortColumn, ...]:
    """The tenant table's columns (templates/dashboards/_park_body.html), in the active
    language."""
    return (
        SortColumn("name", _("Enterprise")),
        SortColumn("sector", _("Sector (VSIC)")),
        SortColumn("response", _("Response")),
        SortColumn("index", _("Index"), numeric=True),
        SortColumn("met", _("Criteria met"), numeric=True),
        SortColumn("eco", _("Eco-enterprise")),
    )


def _tax_code_digits(q: str) -> str:
    """The digits of a tax code typed in a search, as the registry reads a tax code
    (:func:`enterprises.models.normalise_tax_code`: spaces, dots and hyphens are separators),
    without the hyphen of a branch's suffix: "3700-000-032" → "3700000032"; "" when ``q``
    is not made of digits and separators. A part of a tax code is kept (a search by its
    start)."""
    if not q.strip():
        return ""
    try:
        return normalise_tax_code(q).replace("-", "")
    except ValidationError:
        compact = mst.compact(q)  # what normalise_tax_code strips before checking
    return compact if compact.isdigit() else ""


def _tenant_rows_page(request, *, park: Park, campaign: Campaign) -> dict:
    """The page of the park's tenant table (:func:`_rows_page`, :data:`TENANTS_PER_PAGE`
    rows) whose search finds an enterprise by its name or tax code (separators ignored:
    :func:`_tax_code_digits`). It sorts, searches and pages every tenant's name and tax code
    (:func:`dashboards.selectors.park_tenant_keys`); a sort by another column reads that
    column for every tenant in one more query
    (:func:`dashboards.selectors.park_tenant_sort_values`); then it loads the results of the
    shown page's tenants only: ``rows_page`` holds :class:`dashboards.selectors.Tenant` rows,
    ``listed`` the matching keys."""

    tax_code = _tax_code_digits(request.GET.get("q") or "")

    def matches(t, needle: str) -> bool:
        return (
            needle in _folded(t.name)
            or needle in t.tax_code
            or bool(tax_code and tax_code in t.tax_code.replace("-", ""))
        )

    def sort_values(name: str, listed: list) -> list:
        if name == "name":
            return [k.name for k in listed]
        # every tenant's value of this column alone, in one query
        values = park_tenant_sort_values(park=park, campaign=campaign, column=name)
        if name == "eco":
            yes, not_yet = _("yes"), _("not yet")
            values = {
                pk: None if v is None else (yes if v else not_yet) for pk, v in values.items()
            }
        return [values.get(k.pk) for k in listed]

    keys = park_tenant_keys(park=park, campaign=campaign)
    page = _rows_page(
        request,
        keys,
        per_page=TENANTS_PER_PAGE,
        matches=matches,
        columns=_tenant_columns(),
        sort_values=sort_values,
    )
    rows_page = page["rows_page"]
    rows_page.object_list = park_tenants(
        park=park, campaign=campaign, pks=[k.pk for k in rows_page.object_list]
    )
    return page


def _table_body(
    request, *, parks, provinces, key_parts: tuple, export_url: str, province=None
) -> str:
    """The cached body of a national/province page: filters, summary, tables and charts.
    The default campaign is the latest covering ``parks`` (``province``: the province page's
    province; see :func:`dashboards.selectors.campaign_pick`). Raises Http404 for an unknown
    campaign."""

    def build():
        campaigns = campaigns_all()
        form = ParkFilterForm(
            request.GET,
            provinces=list(Province.objects.all()) if provinces else [],
            campaigns=campaigns,
            with_province=provinces,
        )
        campaign_id = form.value("campaign")
        try:
            campaign = campaign_pick(
                campaigns,
                campaign_id=int(campaign_id) if campaign_id else None,
                framework_code=form.value("framework"),
                parks=parks,
                province=province,
            )
        except Campaign.DoesNotExist:
            raise Http404 from None
        listed = parks_filter(
            parks,
            province_code=form.value("province"),
            kind=form.value("kind"),
            pilot=_pilot(form.value("pilot")),
        )
        table = park_table(parks=listed, campaign=campaign)
        query = request.GET.urlencode()
        return {
            "form": form,
            "ignored": _ignored_filters(request, form),
            "campaign": campaign,
            "t": table,
            "reporting": campaign_reporting(campaign=campaign, parks=listed),
            "reporting_level": "national" if provinces else "province",
            **_park_rows_page(request, table.rows),
            "export_url": export_url + (f"?{query}" if query else ""),
            # the national page is the ministry's: it starts "recompute everything" from here
            "recompute_url": (
                reverse("dashboards:campaign-recompute", args=[campaign.pk])
                if provinces and campaign
                else ""
            ),
            "map_figure": figures.park_map_figure(table.mapped),
            "histogram_figure": figures.index_histogram_figure(table.histogram),
            "osm_credit": figures.OSM_CREDIT,
        }

    return _cached_body(request, key_parts, "dashboards/_parks_body.html", build)


@login_required
def national(request):
    """The ministry's national dashboard: every park with its index, criteria met, eligibility,
    trend against the previous period, tenant reporting coverage and stale flag; filters
    (province, kind, EIP pilot, framework, campaign); province summary; map; index
    distribution. Ministry only (others: 404)."""
    if not can(request.user, Action.VIEW, Province):
        raise Http404
    key_parts = (
        "national",
        national_stamp(
            campaign=request.GET.get("campaign"), framework=request.GET.get("framework")
        ),
    )

    def render_page():
        body = _table_body(
            request,
            parks=visible_parks(request.user),
            provinces=True,
            key_parts=key_parts,
            export_url=reverse("dashboards:national-export"),
        )
        return render(request, "dashboards/national.html", {"body": body})

    return _cached_page(request, key_parts, render_page)


def _province_for(user, code: str) -> Province:
    """The province ``code`` if the user may read its dashboard (its board, the ministry);
    otherwise 404."""
    province = Province.objects.filter(code=code).first()
    if province is None or not can(user, Action.VIEW, province):
        raise Http404
    return province


@login_required
def province(request, code: str):
    """A provincial board's dashboard: the national table restricted to its province's parks,
    plus the park responses that wait for its approval (Decree 35/2022 Art. 43). The board of
    that province and the ministry only (others: 404)."""
    prov = _province_for(request.user, code)
    key_parts = ("province", prov.pk, province_stamp(prov.pk))

    def render_page():
        body = _table_body(
            request,
            parks=visible_parks(request.user).filter(province=prov),
            provinces=False,
            key_parts=key_parts,
            export_url=reverse("dashboards:province-export", args=[prov.code]),
            province=prov,
        )
        return render(
            request,
            "dashboards/province.html",
            {"province": prov, "body": body, "waiting": approvals_waiting(province=prov)},
        )

    return _cached_page(request, key_parts, render_page)


def _export_refused(request, errors: list[str]) -> HttpResponse:
    """A 400 page listing why an export was refused (each message names its field)."""
    return render(
        request,
        "dashboards/export_refused.html",
        {"errors": errors, "back": request.META.get("HTTP_REFERER", "")},
        status=400,
    )


def _table_export(request, *, parks, form, campaigns, filename: str, waiting=None, province=None):
    if form.is_bound and not form.is_valid():
        return _export_refused(
            request,
            [f"{form.fields[name].label}: {e}" for name, errs in form.errors.items() for e in errs],
        )
    campaign_id = form.value("campaign")
    try:
        campaign = campaign_pick(
            campaigns,
            campaign_id=int(campaign_id) if campaign_id else None,
            framework_code=form.value("framework"),
            parks=parks,
            province=province,
        )
    except Campaign.DoesNotExist:
        raise Http404 from None
    parks = parks_filter(
        parks,
        province_code=form.value("province"),
        kind=form.value("kind"),
        pilot=_pilot(form.value("pilot")),
    )
    table = park_table(parks=parks, campaign=campaign)
    return reports.xlsx_response(reports.park_table_sheets(table, waiting=waiting), filename)


@login_required
def national_export(request):
    """The national dashboard's tables as an XLSX workbook (same filters). Ministry only."""
    if not can(request.user, Action.VIEW, Province):
        raise Http404
    campaigns = campaigns_all()
    form = ParkFilterForm(request.GET, provinces=list(Province.objects.all()), campaigns=campaigns)
    return _table_export(
        request,
        parks=visible_parks(request.user),
        form=form,
        campaigns=campaigns,
        filename="ecopark-national.xlsx",
    )


@login_required
def province_export(request, code: str):
    """The province dashboard's tables (and its approval queue) as an XLSX workbook."""
    prov = _province_for(request.user, code)
    campaigns = campaigns_all()
    form = ParkFilterForm(request.GET, provinces=[], campaigns=campaigns, with_province=False)
    return _table_export(
        request,
        parks=visible_parks(request.user).filter(province=prov),
        form=form,
        campaigns=campaigns,
        filename=f"ecopark-province-{prov.code}.xlsx",
        waiting=approvals_waiting(province=prov),
        province=prov,
    )


# --------------------------------------------------------------------------------------
# Park
# --------------------------------------------------------------------------------------


def _park_data(request, pk: int):
    park = get_object_or_404(visible_parks(request.user).select_related("province"), pk=pk)
    campaigns = park_campaigns(park)
    campaign, error = _campaign_shown(request, campaigns)
    return park, campaigns, campaign, error


@login_required
def park_detail(request, pk: int):
    """A park's progress toward each national criterion for one campaign (``?campaign=<id>``,
    default the latest): value, threshold, state, gap, legal source and verification status,
    state history, index trend, share met per category, roll-up coverage, tenants with their
    eco-enterprise status (park manager and above), and the path to certification."""
    visible = park_visible_by_scope(request.user, pk)
    if visible is None:  # board, enterprise: the park's row decides
        stamp = _visible_stamp(visible_parks(request.user), pk, stamps.SHARED, stamps.park(pk))
    elif visible:
        stamp = park_stamp(pk)
    else:
        raise Http404
    tenants = follows_others(request.user)
    park = None

    def build():
        campaigns = park_campaigns(park)
        campaign, campaign_error = _campaign_shown(request, campaigns)
        data = park_dashboard(
            park=park, campaign_id=campaign.pk if campaign else None, campaigns=campaigns
        )
        tenant_page = {}
        if tenants and data.campaign is not None:
            # only the shown page's tenants are loaded with their results
            tenant_page = _tenant_rows_page(request, park=park, campaign=data.campaign)
            data.tenants = tenant_page["rows_page"].object_list
        return {
            "d": data,
            **tenant_page,
            "campaign_error": campaign_error,
            "can_report": can(request.user, Action.REPORT, park),
            # the park's own report and its tenants': for those who follow the tenants
            "reporting": campaign_reporting(campaign=campaign, parks=[park]) if tenants else None,
            # category shares are a result: no chart without a submitted response
            "figure": (
                figures.category_share_figure(data.categories)
                if data.categories and data.snapshot.has_result
                else None
            ),
            "trend_figure": figures.index_trend_figure(data.history) if data.history else None,
        }

    key_parts = ("park", pk, stamp, tenants)

    def render_page():
        nonlocal park
        park = get_object_or_404(visible_parks(request.user).select_related("province"), pk=pk)
        park.dashboard_stamp = stamp  # the registers panel's cache key
        body = _cached_body(request, key_parts, "dashboards/_park_body.html", build)
        return render(request, "dashboards/park_detail.html", {"park": park, "body": body})

    return _cached_page(request, key_parts, render_page)


@login_required
def park_export(request, pk: int):
    """The park dashboard's tables as an XLSX workbook. Same rule as the PDF (the policy's
    ``report`` action on the park): the ministry, the province's board and the park manager;
    a tenant, who reads the page, gets 403."""
    park, campaigns, campaign, error = _park_data(request, pk)
    if not can(request.user, Action.REPORT, park):
        raise PermissionDenied
    if error:
        return _export_refused(request, [error])
    data = park_dashboard(
        park=park,
        campaign_id=campaign.pk if campaign else None,
        campaigns=campaigns,
        with_tenants=follows_others(request.user),
    )
    return reports.xlsx_response(reports.park_sheets(data), f"ecopark-park-{park.pk}.xlsx")


@login_required
def park_report(request, pk: int):
    """The park's self-assessment PDF for its Art. 41 dossier (Decree 35/2022): each Art. 37
    criterion with its evidence, state and legal source, in Vietnamese (``?lang=vi``) or
    English (``?lang=en``; default: the active language). Same rule as the workbook (the
    policy's ``report`` action on the park): park managers, boards and the ministry; a tenant
    gets 403 — the dossier quotes the park's answers. When PDF rendering is unavailable on
    this server, a page says so (503) instead of an error."""
    park, campaigns, campaign, error = _park_data(request, pk)
    if not can(request.user, Action.REPORT, park):
        raise PermissionDenied
    if error:
        return _export_refused(request, [error])
    if campaign is None:
        raise Http404
    lang = request.GET.get("lang") or translation.get_language()
    if lang not in dict(settings.LANGUAGES):
        lang = settings.LANGUAGE_CODE
    with translation.override(lang):
        data = park_dashboard(park=park, campaign_id=campaign.pk, campaigns=campaigns)
        try:
            pdf = reports.park_report_pdf(data, user=request.user)
        except reports.PdfUnavailable as exc:
            return render(
                request,
                "dashboards/pdf_unavailable.html",
                {"park": park, "reason": str(exc)},
                status=503,
            )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="ecopark-art41-{park.pk}-{campaign.period}-{lang}.pdf"'
    )
    return response


# --------------------------------------------------------------------------------------
# Enterprise
# --------------------------------------------------------------------------------------


def _enterprise_data(request, pk: int):
    enterprise = get_object_or_404(
        visible_enterprises(request.user).select_related("park__province", "sector"), pk=pk
    )
    campaigns = enterprise_campaigns(enterprise)
    campaign, error = _campaign_shown(request, campaigns)
    return enterprise, campaigns, campaign, error


@login_required
def enterprise_detail(request, pk: int):
    """An enterprise's own criteria results and history, with an anonymous benchmark against
    the other enterprises of its park and of its VSIC sector (a group of fewer than 3 is
    withheld; no other enterprise is named). The enterprise itself and its park manager,
    board and the ministry (others: 404)."""
    stamp = _visible_stamp(visible_enterprises(request.user), pk)
    enterprise = None

    def build():
        campaigns = enterprise_campaigns(enterprise)
        campaign, campaign_error = _campaign_shown(request, campaigns)
        data = enterprise_dashboard(
            enterprise=enterprise,
            campaign_id=campaign.pk if campaign else None,
            campaigns=campaigns,
        )
        return {
            "d": data,
            "campaign_error": campaign_error,
            # category shares are a result: no chart without a submitted response
            "figure": (
                figures.category_share_figure(data.categories)
                if data.categories and data.snapshot.has_result
                else None
            ),
            "trend_figure": figures.index_trend_figure(data.history) if data.history else None,
            "benchmark_figure": figures.benchmark_figure(data.benchmarks),
        }

    key_parts = ("enterprise", pk, stamp)

    def render_page():
        nonlocal enterprise
        enterprise = Enterprise.objects.select_related("park__province", "sector").get(pk=pk)
        body = _cached_body(request, key_parts, "dashboards/_enterprise_body.html", build)
        return render(
            request, "dashboards/enterprise_detail.html", {"enterprise": enterprise, "body": body}
        )

    return _cached_page(request, key_parts, render_page)


@login_required
def enterprise_export(request, pk: int):
    """The enterprise dashboard's tables as an XLSX workbook."""
    enterprise, campaigns, campaign, error = _enterprise_data(request, pk)
    if error:
        return _export_refused(request, [error])
    data = enterprise_dashboard(
        enterprise=enterprise,
        campaign_id=campaign.pk if campaign else None,
        campaigns=campaigns,
    )
    return reports.xlsx_response(
        reports.enterprise_sheets(data), f"ecopark-enterprise-{enterprise.pk}.xlsx"
    )


@login_required
def park_registers(request, pk: int):
    """A park's registers at a glance (``/registers/parks/<pk>/``): exchanges (Sankey), RECP
    savings by area and year, totals for a year (``?year=``, default last year) and the
    roadmap; the panel is :func:`dashboards.templatetags.registers_panel.registers_park_panel`.
    Outside the reading scope, or a year outside 1990–2100: 404."""
    park = get_object_or_404(visible_parks(request.user).select_related("province"), pk=pk)
    try:
        year = int(request.GET.get("year") or (timezone.localdate().year - 1))
    except ValueError:
        raise Http404 from None
    if not 1990 <= year <= 2100:
        raise Http404
    return render(
        request,
        "dashboards/registers_park.html",
        {"tabs": register_tabs(""), "park": park, "year": year},
    )
