"""The dashboards' cache stamp: one counter that changes whenever something a dashboard shows
changes, so a cached page body keyed on it is never served after the change.

Reading costs one primary-key lookup (:func:`current`, or :func:`annotation` to carry it on
a row the page loads anyway). Writers call :func:`bump` inside or outside a transaction; the
counter is incremented once per transaction, right *after* it commits, in a statement of its
own:

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

from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL

from .models import CacheStamp

#: the counter every dashboard page is keyed on
DASHBOARDS = "dashboards"


def _select_sql() -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {quote('value')} FROM {quote(CacheStamp._meta.db_table)} "
        f"WHERE {quote('name')} = '{DASHBOARDS}'"
    )


def current() -> int:
    """The counter's value (0 before the first change); one query."""
    with connection.cursor() as cursor:
        cursor.execute(_select_sql())
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def annotation() -> RawSQL:
    """The counter as a scalar subquery, to annotate a row a page loads anyway (its value is
    None before the first change)."""
    return RawSQL(_select_sql(), ())


def _increment() -> None:
    updated = CacheStamp.objects.filter(name=DASHBOARDS).update(value=F("value") + 1)
    if not updated:
        CacheStamp.objects.bulk_create(
            [CacheStamp(name=DASHBOARDS, value=0)], ignore_conflicts=True
        )
        CacheStamp.objects.filter(name=DASHBOARDS).update(value=F("value") + 1)


def bump() -> None:
    """Increment the counter once the current transaction commits (at once outside one).

    Several calls in one transaction increment it once (a call made inside a savepoint that
    is rolled back counts for nothing). A failure to increment is logged by Django
    (``robust``), never raised: the writer's data is committed by then, and cached pages
    expire anyway.
    """
    # A pending increment covers this change too: it was registered in an enclosing
    # savepoint (rolled back only with this change) or in a released one (cannot roll back);
    # a rolled-back savepoint's callbacks are already gone from the list.
    if any(func is _increment for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_increment, robust=True)
