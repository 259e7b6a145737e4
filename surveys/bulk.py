"""Bulk writes of answers with their history rows (django-simple-history), for imports.

On PostgreSQL the rows go through ``COPY … FROM STDIN`` into a temporary table, then one
statement writes the answers (``INSERT … SELECT`` for new ones, ``UPDATE … FROM`` for changed
ones) and, from its ``RETURNING`` rows, their history rows. Elsewhere (SQLite)
:func:`surveys.interchange.import_save` uses simple-history's ``bulk_create_with_history`` and
``bulk_update_with_history``. Both
paths write the same rows: the columns come from the models' fields, so a field added to
:class:`surveys.models.Answer` is written without a change here.

Measured with ``benchmarks/import_xlsx.py`` (1,000 enterprises × 60 columns, PostgreSQL): the
save of 60,000 answers and 60,000 history rows took 7.3 s through ``bulk_create`` (Django
compiling two 6,000-row ``INSERT`` statements per 100 file rows); see
``benchmarks/README.md`` for the figure with ``COPY``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable

from django.db import connection

from .models import Answer


class _CsvRows:
    """Rows written at once as CSV text for ``COPY``: every value quoted (``""`` is read as
    NULL in the nullable columns, Django's text columns being NOT NULL, so an empty text stays
    empty). Only text is kept, no list per row: 60,000 rows of lists made Python's garbage
    collector walk the heap again and again (~0.7 s of a 1,000-row import)."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.write = csv.writer(self.buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow
        self.count = 0

    def add(self, row: Iterable) -> None:
        self.write(row)
        self.count += 1


def _copy(table: str, fields: list, rows: _CsvRows) -> None:
    """COPY ``rows`` (values in the order of ``fields``, model fields of :class:`Answer`) into
    ``table``."""
    quote = connection.ops.quote_name
    buffer = rows.buffer
    buffer.seek(0)
    nullable = [quote(f.column) for f in fields if f.null]
    force = f", FORCE_NULL ({', '.join(nullable)})" if nullable else ""
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(quote(f.column) for f in fields)}) "
            f"FROM STDIN WITH (FORMAT csv{force})",
            buffer,
        )


def _history_select(source: str, kind: str) -> tuple[list[str], str, list]:
    """The historical model's columns and the SELECT list that fills them from ``source`` (rows
    of the answers table), with its parameters as ("history", field name) — the date, reason,
    type and user, filled in by the caller — or ("default", value)."""
    quote = connection.ops.quote_name
    history = Answer.history.model
    own = {f.column for f in Answer._meta.concrete_fields}
    columns, select, params = [], [], []
    for f in history._meta.concrete_fields:
        if f.primary_key:  # history_id: the table's identity
            continue
        columns.append(quote(f.column))
        if f.attname in (
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user_id",
        ):
            select.append("%s")
            params.append(("history", f.attname))
        elif f.column in own:
            select.append(f"{source}.{quote(f.column)}")
        else:
            select.append("%s")
            params.append(("default", f.get_default()))
    return columns, ", ".join(select), params


def _write_copied(*, created, created_fields, updated, updated_fields, user, now, reason) -> None:
    """PostgreSQL: insert the ``created`` rows (values of ``created_fields``) and update the
    answers of the ``updated`` rows (the id, then values of ``updated_fields[1:]``), each batch
    through a temporary table, and write their history rows in the same statement."""
    quote = connection.ops.quote_name
    table = quote(Answer._meta.db_table)
    history = quote(Answer.history.model._meta.db_table)
    values = {
        "history_date": now,
        "history_change_reason": reason,
        "history_user_id": getattr(user, "pk", None),
    }
    for rows, written, kind in ((created, created_fields, "+"), (updated, updated_fields, "~")):
        if not rows.count:
            continue
        names = [quote(f.column) for f in written]
        tmp = quote(f"tmp_answers_{os.urandom(4).hex()}")
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {tmp} ON COMMIT DROP AS "
                f"SELECT {', '.join(names)} FROM {table} WITH NO DATA"
            )
        _copy(tmp, written, rows)
        columns, select, params = _history_select("w", kind)
        values["history_type"] = kind
        params = [values[v] if what == "history" else v for what, v in params]
        if kind == "+":
            write = (
                f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM {tmp} "
                "RETURNING *"
            )
        else:
            write = (
                f"UPDATE {table} a SET "
                + ", ".join(f"{n} = t.{n}" for n in names[1:])
                + f" FROM {tmp} t WHERE a.{names[0]} = t.{names[0]} RETURNING a.*"
            )
        # the answers and their history rows in one statement, without a round trip of ids
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH w AS ({write}) INSERT INTO {history} ({', '.join(columns)}) "
                f"SELECT {select} FROM w",
                params,
            )


def answers_copy(
    *,
    values: Iterable[tuple[int, int, dict]],
    fields: list[str],
    user,
    now,
    reason: str,
    response_ids: Iterable[int] | None = None,
) -> tuple[int, int]:
    """PostgreSQL: write answers given as ``(response_id, data_element_id, {field: value})``
    (``fields`` name the values given; other columns of a new answer take their model
    default) with their history rows, without building model instances (for 60,000 answers
    that alone cost ~1.5 s). An existing answer of the response and element is updated, a
    missing one created. ``values`` may be a generator when ``response_ids`` names every
    response it holds (the existing answers are read first). Returns (created, updated). The
    same rows as simple-history's ``bulk_create_with_history``/``bulk_update_with_history``
    write."""
    quote = connection.ops.quote_name
    table = quote(Answer._meta.db_table)
    if response_ids is None:
        values = list(values)
        response_ids = {r for r, _e, _v in values}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT response_id, data_element_id, {quote(Answer._meta.pk.column)} FROM {table} "
            "WHERE response_id = ANY(%s)",
            [sorted(set(response_ids))],
        )
        existing = {(r, e): pk for r, e, pk in cursor.fetchall()}
    given = [Answer._meta.get_field(name) for name in fields]
    names = [f.attname if f.attname in fields else f.name for f in given]
    other = [
        f
        for f in Answer._meta.concrete_fields
        if not f.primary_key
        and f not in given
        and f.attname not in ("response_id", "data_element_id")
    ]
    defaults = [f.get_default() for f in other]
    created, updated = _CsvRows(), _CsvRows()
    for response_id, element_id, data in values:
        row = [data[n] for n in names]
        pk = existing.get((response_id, element_id))
        if pk is None:
            created.add([response_id, element_id, *row, *defaults])
        else:
            updated.add([pk, *row])
    response_field = Answer._meta.get_field("response")
    element_field = Answer._meta.get_field("data_element")
    _write_copied(
        created=created,
        created_fields=[response_field, element_field, *given, *other],
        updated=updated,
        updated_fields=[Answer._meta.pk, *given],
        user=user,
        now=now,
        reason=reason,
    )
    return created.count, updated.count
