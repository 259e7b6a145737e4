"""The dashboards' cache stamps: counters that change whenever something a dashboard shows
changes, so a cached page keyed on them is never served after the change.

One counter per scope: ``"dashboards"`` moves on every change (the national pages and the
national scores API, which show every park); ``"park:<id>"`` and ``"province:<id>"`` move on
changes of that park (a submission, a recompute, a register entry of its enterprises), so a
submission in Đồng Nai leaves the cached pages of Hà Nội's parks and board alone;
``"campaign:<id>"`` moves on changes of that campaign's responses and results, so a national
page of an earlier campaign stays cached while the current one is being answered;
``"shared"`` moves on changes that no single park scopes (a province, park or enterprise
edited, a framework version, a campaign) and is part of every key.

Reading costs one query (:func:`values`, or :func:`annotation` to carry a counter on a row
the page loads anyway). Writers call :func:`bump` inside or outside a transaction, naming the
parks and campaigns changed (none: everything); the counters are incremented once per
transaction, right *after* it commits, in statements of their own:

- never before the data is visible: a page built between the commit and the increment is
  stored under the old value and replaced as soon as the increment lands;
- no lock is held across the writer's transaction, so concurrent recomputes and submissions
  never wait for each other (or deadlock) on the counter row;
- should the process die between the commit and the increment, pages fall back to their
  cache lifetime (``ECOPARK_DASHBOARD_CACHE_SECONDS``, 300 s).

The counter lives in the database (:class:`dashboards.models.CacheStamp`), not in the cache,
so it is shared by every web process and worker whatever cache backend is configured.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL

from .models import CacheStamp

#: the counter every change moves (national pages)
DASHBOARDS = "dashboards"
#: the counter of changes no park scopes; part of every page's key
SHARED = "shared"


def park(pk: int) -> str:
    """The counter name of park ``pk``."""
    return f"park:{int(pk)}"


def province(pk: int) -> str:
    """The counter name of province ``pk`` (moved with each of its parks)."""
    return f"province:{int(pk)}"


def campaign(pk: int) -> str:
    """The counter name of campaign ``pk``."""
    return f"campaign:{int(pk)}"


def _select_sql(name: str) -> str:
    quote = connection.ops.quote_name
    literal = name.replace("'", "''")
    return (
        f"SELECT {quote('value')} FROM {quote(CacheStamp._meta.db_table)} "
        f"WHERE {quote('name')} = '{literal}'"
    )


def current() -> int:
    """The ``"dashboards"`` counter (0 before the first change); one query."""
    return values([DASHBOARDS])[DASHBOARDS]


def values(names: Iterable[str]) -> dict[str, int]:
    """The counters ``names`` (0 for a counter that never moved); one query."""
    names = sorted(set(names))
    found = dict(CacheStamp.objects.filter(name__in=names).values_list("name", "value"))
    return {n: int(found.get(n, 0)) for n in names}


def with_campaigns() -> dict[str, int]:
    """The ``"shared"`` counter and every campaign's (those that moved), by name; one query
    written once from the model (the ORM compiling it on every national request cost more
    than PostgreSQL spent on it)."""
    global _WITH_CAMPAIGNS_SQL
    if _WITH_CAMPAIGNS_SQL is None:
        quote = connection.ops.quote_name
        _WITH_CAMPAIGNS_SQL = (
            f"SELECT {quote('name')}, {quote('value')} FROM {quote(CacheStamp._meta.db_table)} "
            f"WHERE {quote('name')} = %s OR {quote('name')} LIKE %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(_WITH_CAMPAIGNS_SQL, [SHARED, "campaign:%"])
        return {name: int(value) for name, value in cursor.fetchall()}


_WITH_CAMPAIGNS_SQL: str | None = None


def key(names: Iterable[str]) -> str:
    """The counters ``names`` as one string for a cache key (one query)."""
    return ".".join(f"{n}={v}" for n, v in values(names).items())


def annotation(name: str = DASHBOARDS) -> RawSQL:
    """Counter ``name`` as a scalar subquery, to annotate a row a page loads anyway (None
    before the counter first moved)."""
    return RawSQL(_select_sql(name), ())


class _Increment:
    """The after-commit increment of one transaction; accumulates the counters its
    :func:`bump` calls named."""

    def __init__(self) -> None:
        self.parks: set[int] = set()
        self.campaigns: set[int] = set()
        self.shared = False

    def __call__(self) -> None:
        from enterprises.models import Park

        names = {DASHBOARDS, *(park(p) for p in self.parks)}
        names |= {campaign(c) for c in self.campaigns}
        if self.shared:
            names.add(SHARED)
        if self.parks:
            provinces = Park.objects.filter(pk__in=self.parks).values_list("province_id", flat=True)
            names |= {province(p) for p in provinces}
        known = set(CacheStamp.objects.filter(name__in=names).values_list("name", flat=True))
        if names - known:
            CacheStamp.objects.bulk_create(
                [CacheStamp(name=n, value=0) for n in sorted(names - known)],
                ignore_conflicts=True,
            )
        CacheStamp.objects.filter(name__in=names).update(value=F("value") + 1)


def bump(*, parks: Iterable[int] | None = None, campaigns: Iterable[int] = ()) -> None:
    """Increment the counters once the current transaction commits (at once outside one):
    ``"dashboards"``, each of ``parks`` with its province, each of ``campaigns``; with
    ``parks=None`` (a change no park scopes) also ``"shared"``, which every page's key holds.

    Several calls in one transaction increment each counter once (a call made inside a
    savepoint that is rolled back may still have added its counters to the transaction's
    increment: a page rebuilt once more, never one served stale). A failure to increment is
    logged by Django (``robust``), never raised: the writer's data is committed by then, and
    cached pages expire anyway.
    """
    # A pending increment covers this change too: it was registered in an enclosing
    # savepoint (rolled back only with this change) or in a released one (cannot roll back);
    # a rolled-back savepoint's callbacks are already gone from the list.
    pending = next(
        (func for _sids, func, _robust in connection.run_on_commit if isinstance(func, _Increment)),
        None,
    )
    increment = pending or _Increment()
    if parks is None:
        increment.shared = True
    else:
        increment.parks.update(int(p) for p in parks)
    increment.campaigns.update(int(c) for c in campaigns)
    if pending is None:
        transaction.on_commit(increment, robust=True)
