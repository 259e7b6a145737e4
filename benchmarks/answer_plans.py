"""The PostgreSQL plans of the queries that read answers (``surveys_answer``) by response and
the answers' history (``surveys_historicalanswer``): which index each one uses, to decide which
indexes the writes of an import must keep up (see benchmarks/README.md, ``import_xlsx.py``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python benchmarks/answer_plans.py \
        [--drop surveys_answer_response_id_5416c873,…]

Reads only (``EXPLAIN ANALYZE`` of SELECTs, inside a transaction rolled back). Needs a
database with data: ``manage.py generate_synthetic`` writes answers but no history rows, so
give the history rows by hand, e.g. one ``+`` row per answer (``INSERT INTO
surveys_historicalanswer … SELECT … FROM surveys_answer``), then ``ANALYZE``. Prints, per
query, the scans of the two tables (node type, index) and the execution time in ms.
``--drop`` drops the named indexes inside that transaction first: the plans without them,
nothing changed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TABLES = ("surveys_answer", "surveys_historicalanswer")


def _scans(node: dict, out: list) -> list:
    """The scans of :data:`TABLES` in a plan node (JSON of ``EXPLAIN``), depth first, as
    ``"<node type> <index or table>"``."""
    if node.get("Relation Name") in TABLES:
        out.append(f"{node['Node Type']} {node.get('Index Name') or node['Relation Name']}")
    elif node["Node Type"] == "Bitmap Index Scan":
        out.append(f"{node['Node Type']} {node['Index Name']}")
    for child in node.get("Plans", []):
        _scans(child, out)
    return out


def _explain(cursor, sql: str, params) -> tuple[list, float]:
    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
    plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    return _scans(plan["Plan"], []), plan["Execution Time"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drop", default="", help="indexes to drop first, comma separated")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecopark.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Exists, OuterRef

    from surveys.models import Answer, Response

    assert connection.vendor == "postgresql", "EXPLAIN of PostgreSQL: set DATABASE_URL"
    response = Response.objects.filter(answers__isnull=False).order_by("pk").first()
    campaign_id = response.campaign_id
    enterprise = (
        Response.objects.filter(answers__isnull=False, enterprise__isnull=False)
        .values_list("enterprise_id", flat=True)
        .first()
    )
    thousand = list(
        Response.objects.filter(campaign_id=campaign_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    scored = [str(s) for s in Response.SCORED_STATUSES]
    answer = Answer.objects.filter(response=response).values_list("pk", flat=True).first()
    cases = [
        (
            "answers of one response (surveys/views.py, forms_report.py, api.py, services.py)",
            Answer.objects.filter(response=response),
        ),
        (
            "answers of 1,000 responses (import: interchange.py, bulk.answers_copy)",
            Answer.objects.filter(response_id__in=thousand),
        ),
        (
            "started responses (selectors.campaign_completion: EXISTS per response)",
            Response.objects.filter(campaign_id=campaign_id).annotate(
                started=Exists(Answer.objects.filter(response_id=OuterRef("pk")))
            ),
        ),
        (
            "answers of a campaign (services_exports._changed_since)",
            Answer.objects.filter(response__campaign_id=campaign_id).values("updated_at"),
        ),
        (
            "scored answers of one enterprise (dashboards/selectors._answered)",
            Answer.objects.filter(
                response__status__in=Response.SCORED_STATUSES, response__enterprise=enterprise
            ).values("data_element__code", "response__campaign__period", "value_number"),
        ),
        (
            "scoring read of a campaign (selectors.scoring_answers_frame, dashboards/services)",
            "SELECT r.park_id, a.data_element_id, a.value_number FROM surveys_response r "
            "JOIN surveys_answer a ON a.response_id = r.id "
            f"WHERE r.campaign_id = %s AND r.status IN ({', '.join(['%s'] * len(scored))})",
            [campaign_id, *scored],
        ),
        (
            "history of one response (selectors.response_answer_history: response page)",
            Answer.history.filter(response_id=response.pk)
            .select_related("history_user")
            .order_by("data_element_id", "history_date", "history_id"),
        ),
        (
            "history of corrected responses (selectors.corrected_answers_rows)",
            Answer.history.model.objects.filter(response_id__in=thousand[:20])
            .order_by("history_date", "history_id")
            .values_list("id", "history_date", "history_type"),
        ),
        (
            "history of one answer (admin history page, SimpleHistoryAdmin)",
            Answer.history.filter(id=answer).order_by("-history_date", "-history_id"),
        ),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for index in filter(None, args.drop.split(",")):
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(index)}")
        cursor.execute("ANALYZE surveys_answer")
        cursor.execute("ANALYZE surveys_historicalanswer")
        for name, query, *params in cases:
            if isinstance(query, str):
                sql, args = query, params[0]
            else:
                sql, args = query.query.sql_with_params()
            scans, ms = _explain(cursor, sql, args)
            print(f"{name}\n    {ms:8.2f} ms  {'; '.join(scans)}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
