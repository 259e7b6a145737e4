"""PostgreSQL's own time for the import's writes with each set of indexes: 60,000 answers
(1,000 responses × 60 data elements) and their 60,000 history rows, written by one
``INSERT … RETURNING`` feeding the history's ``INSERT`` as ``surveys/bulk.py`` does, into
copies of ``surveys_answer`` and ``surveys_historicalanswer`` (columns as migrated, indexes as
named below), the sets measured in turn, ``--rounds`` times.

    .venv/bin/python benchmarks/answer_inserts.py \\
        --database-url postgres://postgres@127.0.0.1:5432/ecopark_bench_<name> [--rounds 7]

The database must be migrated (``benchmarks/import_xlsx.py --database-url`` does it); the
copies are tables of their own (``bench_answer_inserts_*``), dropped at the end. Prints ONE
JSON line: per index set the median and every round in seconds, the load average before and
after. Without Python in the timed part, the figures are the indexes' share of the save that
``import_xlsx.py`` measures with the rest of the import.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

#: secondary indexes (one column each) beyond the primary keys and the answers' unique
#: (response_id, data_element_id), per set: (answers, history)
MAIN_ANSWER = ["response_id", "data_element_id", "updated_by_id"]
MAIN_HISTORY = [
    "id",
    "history_date",
    "data_element_id",
    "history_user_id",
    "response_id",
    "updated_by_id",
]
NOW_ANSWER = ["data_element_id", "updated_by_id"]
NOW_HISTORY = ["id", "history_user_id", "response_id"]
SETS = {
    "main": (MAIN_ANSWER, MAIN_HISTORY),
    "answer without response_id": (NOW_ANSWER, MAIN_HISTORY),
    "history without date, element, updated_by": (MAIN_ANSWER, NOW_HISTORY),
    "now (both)": (NOW_ANSWER, NOW_HISTORY),
    "now, history also without history_user": (NOW_ANSWER, ["id", "response_id"]),
}


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    import psycopg2

    conn = psycopg2.connect(args.database_url)
    conn.autocommit = True
    cur = conn.cursor()
    load_before = _load()
    cur.execute(
        "DROP TABLE IF EXISTS bench_answer_inserts_src; "
        "CREATE UNLOGGED TABLE bench_answer_inserts_src AS SELECT r AS response_id, "
        "e AS data_element_id, (r * e)::numeric(24,6) AS value_number, (r * e)::text AS raw "
        "FROM generate_series(1000001, 1001000) r, generate_series(1, 60) e"
    )
    tables = {}
    for i, (name, (answer, history)) in enumerate(SETS.items()):
        a, h = f"bench_answer_inserts_a{i}", f"bench_answer_inserts_h{i}"
        cur.execute(f"DROP TABLE IF EXISTS {a}, {h}")
        cur.execute(f"CREATE TABLE {a} (LIKE surveys_answer INCLUDING DEFAULTS INCLUDING IDENTITY)")
        cur.execute(
            f"ALTER TABLE {a} ADD PRIMARY KEY (id), ADD UNIQUE (response_id, data_element_id)"
        )
        cur.execute(
            f"CREATE TABLE {h} (LIKE surveys_historicalanswer INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        cur.execute(f"ALTER TABLE {h} ADD PRIMARY KEY (history_id)")
        for table, columns in ((a, answer), (h, history)):
            for column in columns:
                cur.execute(f"CREATE INDEX ON {table} ({column})")
        tables[name] = (a, h)
    rounds: dict[str, list[float]] = {name: [] for name in SETS}
    try:
        for _ in range(args.rounds):
            for name, (a, h) in tables.items():
                cur.execute(f"TRUNCATE {a}, {h}")
                cur.execute("BEGIN")
                start = time.perf_counter()
                cur.execute(
                    f"WITH w AS (INSERT INTO {a} (response_id, data_element_id, value_number, "
                    "value_text, raw, unit_entered, updated_at, origin, updated_by_id) "
                    "SELECT response_id, data_element_id, value_number, '', raw, '', now(), "
                    "'typed', 1 FROM bench_answer_inserts_src RETURNING *) "
                    f"INSERT INTO {h} (id, value_number, value_bool, value_text, raw, "
                    "unit_entered, history_date, history_type, data_element_id, history_user_id, "
                    "response_id, updated_by_id, value_intended, origin) "
                    "SELECT id, value_number, value_bool, value_text, raw, unit_entered, now(), "
                    "'+', data_element_id, 1, response_id, updated_by_id, value_intended, origin "
                    "FROM w"
                )
                cur.execute("COMMIT")
                rounds[name].append(round(time.perf_counter() - start, 3))
    finally:
        for a, h in tables.values():
            cur.execute(f"DROP TABLE IF EXISTS {a}, {h}")
        cur.execute("DROP TABLE IF EXISTS bench_answer_inserts_src")
    print(
        json.dumps(
            {
                "benchmark": "answer_inserts",
                "rows": 60000,
                "load_average_before": load_before,
                "load_average_after": _load(),
                "seconds": {
                    name: {"median": statistics.median(times), "rounds": times}
                    for name, times in rounds.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
