#!/usr/bin/env python
"""Benchmark of the national recompute; prints ONE JSON line of figures.

    python benchmarks/recompute.py            # or: make bench

Runs against PostgreSQL: ``--database-url``, else ``BENCH_DATABASE_URL``, else
``postgres://postgres@127.0.0.1:5432/ecopark_bench`` (created when missing; a separate database,
never the application's). Loads the reference data and frameworks, then two synthetic datasets
with ``generate_synthetic`` (``bench-full``: 480 parks / 25 000 enterprises / 3 periods;
``bench-quarter``: a quarter of both), once — later runs reuse them (``--fresh`` drops the
database first).

Each measurement runs in its own child process (fresh memory; the memory figure is that
process's peak resident set size, interpreter and libraries included). The national figures
come from ``--repeats`` rounds (default 3) of bare read, first computation and recompute, one
after the other, so that a shared machine's load weighs on them alike; each time is the
median over rounds, each ratio the median of the rounds' own ratios:

- ``bare_read_s``: one SQL read (``COPY … TO STDOUT``, JIT off, same statement shape) of
  exactly the answers the national recompute reads — the latest campaign's scored answers
  and the look-back elements of the two earlier periods — into a pandas DataFrame;
- ``national_s``: ``campaign_recompute`` of the latest full-size campaign right after the
  worst realistic wave of submissions: every reporting enterprise's answer to
  ``located_in_certified_eip`` is negated, which flips the mandatory criterion VN35-ENT-1
  (met ↔ not met) and so changes criteria met, categories, indexes and eco-enterprise counts
  in every park; read + score all 25 000 enterprises and 480 parks + write. Asserted: every
  park rewritten (``national_parks_written`` = ``parks``) and the stored results then equal to
  a clean computation's (``equal_to_clean``). Nothing runs between the change and the timed
  run (no VACUUM, no ANALYZE). ``ratio`` = national_s / bare_read_s (target ≤ 3);
- ``national_first_s``: the same into empty snapshot tables (every row inserted: the
  first computation of a campaign; the rows are deleted, not vacuumed, before each run);
  ``ratio_first`` likewise (target ≤ 3);
- ``peak_memory_mb`` (target ≤ 1 536);
- ``one_park_s``: ``park_recompute`` of a park of median size right after a submission that
  flips one of its enterprises' VN35-ENT-1 (median of 7 submissions); also the largest park;
  ``one_park_share`` = one_park_s / national_s (target ≤ 2 %);
- ``quarter_s`` / ``quarter_first_s``: the same on the quarter-size dataset;
  ``scaling_4x`` = national_s / quarter_s and ``scaling_4x_first`` (target ≤ 4.5).

The machine's other load shows in the figures: compare runs, not single numbers.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ecopark_bench"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def ensure_database(url: str, *, fresh: bool) -> bool:
    """Create the benchmark database when missing (drop it first with ``fresh``)."""
    import psycopg2

    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"the benchmark needs PostgreSQL, not {parts.scheme!r}")
    name = parts.path.lstrip("/")
    if "bench" not in name:
        # it writes synthetic parks and enterprises and, with --fresh, drops the database:
        # never the application's
        raise SystemExit(
            f"the benchmark database's name must contain 'bench' (got {name!r}), so that it "
            "is never the application's database"
        )
    try:
        admin = psycopg2.connect(
            dbname="postgres",
            user=parts.username or "postgres",
            password=parts.password,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            connect_timeout=10,
        )
    except psycopg2.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise SystemExit(f"cannot reach PostgreSQL for {name!r}: {first_line}") from None
    admin.autocommit = True
    created = False
    with admin.cursor() as cur:
        if fresh:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
            created = True
            log(f"created database {name}")
    admin.close()
    return created


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_BROKER_URL"] = ""  # no broker: nothing is published during the bench
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecopark.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# --- child measurements ---------------------------------------------------------------------


def bare_read(campaign_id: int, repeats: int) -> dict:
    """The answers the national recompute reads, with one plain SQL COPY into a DataFrame
    (no casts, no post-processing; same statement shape and JIT setting as the recompute)."""
    import io

    import pandas as pd
    from django.db import connection, transaction

    from indicators.engine import lookback_elements
    from indicators.models import DataElement
    from indicators.selectors import version_scoring_inputs
    from surveys.models import Campaign

    campaign = Campaign.objects.select_related("framework_version").get(pk=campaign_id)
    inputs = version_scoring_inputs(campaign.framework_version)
    codes = lookback_elements(inputs.criteria, inputs.formulas)
    framework = campaign.framework_version.framework_id
    earlier = list(
        Campaign.objects.filter(
            framework_version__framework_id=framework,
            period__gt=campaign.period - inputs.longest_lookback,
            period__lt=campaign.period,
        ).values_list("pk", flat=True)
    )
    elements = list(
        DataElement.objects.filter(version__framework_id=framework, code__in=codes).values_list(
            "pk", flat=True
        )
    )
    columns = (
        "r.park_id, r.enterprise_id, r.campaign_id, a.data_element_id, "
        "a.value_number, a.value_bool, a.value_intended "
        "FROM surveys_response r JOIN surveys_answer a ON a.response_id = r.id"
    )
    sql = (
        f"SELECT {columns} WHERE r.campaign_id = %(c)s AND r.status IN ('submitted', 'approved') "
        f"UNION ALL SELECT {columns} WHERE r.campaign_id = ANY(%(earlier)s) "
        "AND r.status IN ('submitted', 'approved') AND a.data_element_id = ANY(%(elements)s) "
        "AND r.park_id IN (SELECT park_id FROM surveys_response WHERE campaign_id = %(c)s)"
    )
    params = {"c": campaign.pk, "earlier": earlier or [0], "elements": elements or [0]}
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        with connection.cursor() as cursor, transaction.atomic():
            raw = cursor.cursor
            raw.execute("SET LOCAL jit = off")
            query = raw.mogrify(sql, params).decode()
            buffer = io.BytesIO()
            raw.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
            buffer.seek(0)
            frame = pd.read_csv(
                buffer,
                header=None,
                names=["park", "enterprise", "campaign", "element", "value", "flag", "intended"],
            )
        times.append(time.perf_counter() - started)
        del buffer
    return {
        "seconds": statistics.median(times),
        "all": [round(t, 3) for t in times],
        "rows": len(frame),
        "peak_mb": peak_mb(),
    }


def national(campaign_id: int, mode: str, repeats: int, verify: bool = True) -> dict:
    """``campaign_recompute`` of the campaign, ``repeats`` times (median reported):
    ``first``: into empty snapshot tables (every row inserted); ``changed``: after the answers
    of every reporting enterprise changed so that a mandatory criterion's state flips (met ↔
    not met), which changes categories, indexes and eco-enterprise counts in every park.

    Nothing runs between the change and the timed recompute (no VACUUM or ANALYZE: what
    PostgreSQL needs is part of the time). Asserts that every park was rewritten and, in
    ``changed`` mode with ``verify``, that the stored results then equal those of a clean
    computation into empty tables (:func:`results_digest` before and after)."""
    from django.db import connection

    from dashboards.services import campaign_recompute
    from indicators.selectors import version_scoring_inputs
    from surveys.models import Campaign
    from surveys.selectors import scoring_answers_frame

    connection.ensure_connection()
    times, outcomes = [], []
    for _ in range(repeats):
        if mode == "first":
            clear_snapshots(campaign_id)
        else:
            flip_every_enterprise(campaign_id)
        started = time.perf_counter()
        outcome = campaign_recompute(campaign_id=campaign_id)
        times.append(time.perf_counter() - started)
        outcomes.append(outcome)
        assert outcome.parks_written == outcome.parks, (
            f"{outcome.parks_written} of {outcome.parks} parks rewritten: the change must "
            "reach every park"
        )
    peak = peak_mb()
    equal_to_clean = None
    if mode == "changed" and verify:
        after = results_digest(campaign_id)
        clear_snapshots(campaign_id)
        campaign_recompute(campaign_id=campaign_id)
        equal_to_clean = results_digest(campaign_id) == after
        assert equal_to_clean, "the recomputed results differ from a clean computation's"
    # the read alone, for the breakdown (after the timed runs)
    campaign = Campaign.objects.select_related("framework_version").get(pk=campaign_id)
    inputs = version_scoring_inputs(campaign.framework_version_id)
    t0 = time.perf_counter()
    answers, _ = scoring_answers_frame(
        campaign=campaign,
        park_ids=None,
        lookback=inputs.longest_lookback,
        lookback_elements=inputs.lookback_codes,
    )
    read = time.perf_counter() - t0
    outcome = outcomes[-1]
    return {
        "seconds": statistics.median(times),
        "all": [round(t, 3) for t in times],
        "peak_mb": peak,
        "parks": outcome.parks,
        "parks_written": min(o.parks_written for o in outcomes),
        "snapshots": outcome.snapshots,
        "equal_to_clean": equal_to_clean,
        "read_seconds": read,
        "answers": len(answers),
    }


def one_park(campaign_id: int, park_id: int, repeats: int) -> dict:
    """A submission in the park that flips a criterion's state (the :data:`FLIPPED_ELEMENT`
    answer of its ``i``-th reporting enterprise is negated), then the park's recompute."""
    from django.db import connection

    from dashboards.services import park_recompute
    from surveys.models import Answer

    connection.ensure_connection()
    times = []
    for i in range(repeats):
        answer = (
            Answer.objects.filter(
                response__campaign_id=campaign_id,
                response__park_id=park_id,
                response__enterprise__isnull=False,
                response__status__in=["submitted", "approved"],
                data_element__code=FLIPPED_ELEMENT,
                value_bool__isnull=False,
            )
            .order_by("pk")[i : i + 1]
            .get()
        )
        Answer.objects.filter(pk=answer.pk).update(value_bool=not answer.value_bool)
        started = time.perf_counter()
        outcome = park_recompute(campaign_id=campaign_id, park_id=park_id)
        times.append(time.perf_counter() - started)
        assert outcome.written, "the changed answer must change the fingerprint"
    return {
        "seconds": statistics.median(times),
        "all": [round(t, 4) for t in times],
        "peak_mb": peak_mb(),
    }


def child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what")
    parser.add_argument("--url", required=True)
    parser.add_argument("--campaign", type=int, required=True)
    parser.add_argument("--park", type=int)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mode", default="first")
    parser.add_argument("--no-verify", action="store_true")
    args = parser.parse_args(argv)
    setup_django(args.url)
    if args.what == "bare":
        out = bare_read(args.campaign, args.repeats)
    elif args.what == "national":
        out = national(args.campaign, args.mode, args.repeats, verify=not args.no_verify)
    else:
        out = one_park(args.campaign, args.park, args.repeats)
    print(json.dumps(out))


def run_child(url: str, *args: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args, "--url", url]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"benchmark step failed: {' '.join(args)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- orchestration --------------------------------------------------------------------------


def prepare(url: str, *, parks: int, enterprises: int, periods: int, seed: int) -> dict:
    """Migrate, load reference data and the two synthetic datasets; return campaign ids."""
    setup_django(url)
    from django.core.management import call_command

    from demo.synthetic import generate_synthetic

    quiet = io.StringIO()  # stdout carries the one JSON line only
    call_command("migrate", verbosity=0, skip_checks=True, stdout=quiet)
    call_command("load_reference", verbosity=0, skip_checks=True, stdout=quiet)
    call_command("load_frameworks", verbosity=0, skip_checks=True, stdout=quiet)
    out = {}
    for name, factor in (("bench-full", 1), ("bench-quarter", 4)):
        started = time.perf_counter()
        try:
            result = generate_synthetic(
                parks=parks // factor,
                enterprises=enterprises // factor,
                periods=periods,
                seed=seed,
                dataset=name,
            )
        except ValueError as exc:  # e.g. the dataset exists with other sizes: --fresh
            raise SystemExit(
                f"{exc}\n(the benchmark's datasets are fixed: run with --fresh to rebuild them)"
            ) from None
        log(
            f"{name}: {'generated' if result.created else 'reused'} {result.parks} parks, "
            f"{result.enterprises} enterprises, {result.answers} answers "
            f"({time.perf_counter() - started:.1f} s)"
        )
        out[name] = result
    return out


def clear_snapshots(campaign_id: int) -> None:
    """Delete the campaign's snapshots and their rows (nothing else: no VACUUM)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        chosen = "SELECT id FROM dashboards_scoresnapshot WHERE campaign_id = %s"
        cur.execute(
            f"DELETE FROM dashboards_criterionresult WHERE snapshot_id IN ({chosen})", [campaign_id]
        )
        cur.execute(
            f"DELETE FROM dashboards_categoryscore WHERE snapshot_id IN ({chosen})", [campaign_id]
        )
        cur.execute("DELETE FROM dashboards_scoresnapshot WHERE campaign_id = %s", [campaign_id])


#: the answers negated by a wave of submissions (indicators/data/frameworks/vn-2022.yaml):
#: "located in a certified eco-industrial park" alone decides the enterprises' mandatory
#: criterion VN35-ENT-1, "developer compliant" the parks' mandatory VN35-EIP-I1, so each
#: flip turns a criterion from met to not met or back, and with it the subject's criteria met,
#: categories, index, eco-enterprise status and its park's roll-ups
FLIPPED_ELEMENT = "located_in_certified_eip"
FLIPPED_PARK_ELEMENT = "developer_compliant"


def flip_every_enterprise(campaign_id: int) -> int:
    """A wave of submissions that changes results in every park: the yes/no answer
    :data:`FLIPPED_ELEMENT` of every reporting enterprise and :data:`FLIPPED_PARK_ELEMENT` of
    every scored park response (submitted or approved) are negated. Returns the answers
    changed; raises when a park of the campaign had nothing to flip."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """
            UPDATE surveys_answer a SET value_bool = NOT a.value_bool
            FROM surveys_response r, indicators_dataelement e
            WHERE r.id = a.response_id AND e.id = a.data_element_id
              AND r.campaign_id = %s AND r.status IN ('submitted', 'approved')
              AND a.value_bool IS NOT NULL
              AND ((r.enterprise_id IS NOT NULL AND e.code = %s)
                   OR (r.enterprise_id IS NULL AND e.code = %s))
            RETURNING r.park_id
            """,
            [campaign_id, FLIPPED_ELEMENT, FLIPPED_PARK_ELEMENT],
        )
        flipped = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT DISTINCT park_id FROM surveys_response WHERE campaign_id = %s", [campaign_id]
        )
        parks = {row[0] for row in cur.fetchall()}
    missing = parks - set(flipped)
    assert not missing, f"{len(missing)} parks of the campaign had no answer to flip"
    return len(flipped)


def results_digest(campaign_id: int) -> str:
    """MD5 over every stored result of the campaign (snapshots, criterion results, category
    scores) by park, enterprise, criterion and category — not ids, times or fingerprints —
    to compare two computations."""
    from django.db import connection

    snapshot = (
        "SELECT id, park_id, coalesce(enterprise_id, 0) AS ent FROM dashboards_scoresnapshot "
        "WHERE campaign_id = %(c)s"
    )
    queries = [
        "SELECT md5(string_agg(row(s.park_id, coalesce(s.enterprise_id, 0), s.index, "
        "s.criteria_met, s.criteria_applicable, s.mandatory_met, s.mandatory_total, s.eligible, "
        "s.reported, s.population, s.eco_enterprise, s.eco_enterprises, s.intended_values, "
        "s.index_intended, s.criteria_met_intended, s.criteria_applicable_intended, "
        "s.mandatory_met_intended, s.eligible_intended, s.eco_enterprise_intended, "
        "s.eco_enterprises_intended, s.index_improvement)::text, ',' "
        "ORDER BY s.park_id, coalesce(s.enterprise_id, 0))) "
        "FROM dashboards_scoresnapshot s WHERE s.campaign_id = %(c)s",
        "SELECT md5(string_agg(row(k.park_id, k.ent, r.criterion_id, r.state, r.value, r.gap, "
        "r.reported, r.population, r.state_intended, r.value_intended, r.gap_intended, "
        "r.improvement)::text, ',' ORDER BY k.park_id, k.ent, r.criterion_id)) "
        f"FROM dashboards_criterionresult r JOIN ({snapshot}) k ON k.id = r.snapshot_id",
        "SELECT md5(string_agg(row(k.park_id, k.ent, c.category_id, c.met, c.applicable, "
        "c.share, c.met_intended, c.applicable_intended, c.share_intended, c.improvement)::text, "
        "',' ORDER BY k.park_id, k.ent, c.category_id)) "
        f"FROM dashboards_categoryscore c JOIN ({snapshot}) k ON k.id = c.snapshot_id",
    ]
    out = []
    with connection.cursor() as cur:
        for sql in queries:
            cur.execute(sql, {"c": campaign_id})
            out.append(cur.fetchone()[0] or "")
    return "/".join(out)


def interleaved(url: str, campaign: int, repeats: int) -> tuple[dict, dict, dict, dict]:
    """``repeats`` rounds of: the bare read, the first computation, the recompute after the
    wave of submissions — each in its own child process, one after the other, so that the
    load of a shared machine weighs on the three alike. Returns the three measures (seconds =
    median over rounds) and the ratios: the median over rounds of each round's recompute /
    bare read and first computation / bare read (``rounds``: every round's). The last round's
    recompute is checked against a clean computation."""
    rounds = {"bare": [], "first": [], "changed": []}
    outs: dict[str, list[dict]] = {"bare": [], "first": [], "changed": []}
    for i in range(repeats):
        extra = [] if i == repeats - 1 else ["--no-verify"]
        for what, args in (
            ("bare", ["bare"]),
            ("first", ["national"]),
            ("changed", ["national", "--mode", "changed", *extra]),
        ):
            out = run_child(url, *args, "--campaign", str(campaign), "--repeats", "1")
            outs[what].append(out)
            rounds[what].append(out["seconds"])
        log(
            f"campaign {campaign} round {i + 1}: bare read {rounds['bare'][-1]:.2f} s, first "
            f"{rounds['first'][-1]:.2f} s, recompute {rounds['changed'][-1]:.2f} s"
        )

    def merged(what: str) -> dict:
        out = dict(outs[what][-1])
        out["seconds"] = statistics.median(rounds[what])
        out["all"] = [round(t, 3) for t in rounds[what]]
        out["peak_mb"] = max(o.get("peak_mb", 0) for o in outs[what])
        if what != "bare":
            out["parks_written"] = min(o["parks_written"] for o in outs[what])
        return out

    by_round = {
        "changed": [c / b for c, b in zip(rounds["changed"], rounds["bare"], strict=True)],
        "first": [f / b for f, b in zip(rounds["first"], rounds["bare"], strict=True)],
    }
    ratios = {k: statistics.median(v) for k, v in by_round.items()} | {"rounds": by_round}
    return merged("bare"), merged("first"), merged("changed"), ratios


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="PostgreSQL database, its name containing 'bench' (BENCH_DATABASE_URL, else "
        f"{DEFAULT_URL})",
    )
    parser.add_argument(
        "--parks", type=int, default=480, help="parks of the full-size dataset, ≥ 4 (480)"
    )
    parser.add_argument(
        "--enterprises",
        type=int,
        default=25000,
        help="enterprises of the full-size dataset, ≥ 4 (25000)",
    )
    parser.add_argument("--periods", type=int, default=3, help="yearly campaigns, 1–10 (3)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per national figure, median, ≥ 1 (3)"
    )
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1 (got {args.repeats})")
    if not 1 <= args.periods <= 10:
        parser.error(f"--periods must be between 1 and 10 (got {args.periods})")
    if args.parks < 4 or args.enterprises < 4:
        parser.error(
            "--parks and --enterprises must be at least 4: the quarter-size dataset has a "
            f"quarter of each (got {args.parks} and {args.enterprises})"
        )
    url = args.database_url
    ensure_database(url, fresh=args.fresh)
    datasets = prepare(
        url, parks=args.parks, enterprises=args.enterprises, periods=args.periods, seed=args.seed
    )
    from django.db import connection
    from django.db.models import Count

    from surveys.models import Answer, Response

    full = datasets["bench-full"]
    quarter = datasets["bench-quarter"]
    full_campaign, quarter_campaign = full.campaigns[-1], quarter.campaigns[-1]
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("SHOW server_version")
        server = cur.fetchone()[0]
    sizes = sorted(
        Response.objects.filter(campaign_id=full_campaign, enterprise__isnull=False)
        .values("park_id")
        .annotate(n=Count("pk"))
        .values_list("n", "park_id")
    )
    median_size, median_park = sizes[len(sizes) // 2]
    scored_ent = Response.objects.filter(
        campaign_id=full_campaign, enterprise__isnull=False, status__in=["submitted", "approved"]
    )
    per_response = round(
        Answer.objects.filter(response__in=scored_ent).count() / max(1, scored_ent.count()), 1
    )
    largest_size, largest_park = sizes[-1]

    bare, first, nat, ratios = interleaved(url, full_campaign, args.repeats)
    log("one park …")
    park = run_child(
        url, "park", "--campaign", str(full_campaign), "--park", str(median_park), "--repeats", "7"
    )
    big = run_child(
        url, "park", "--campaign", str(full_campaign), "--park", str(largest_park), "--repeats", "3"
    )
    log(f"one park {park['all']} s; quarter size …")
    _qbare, qtr_first, qtr, _qratios = interleaved(url, quarter_campaign, args.repeats)
    ratio, ratio_first = ratios["changed"], ratios["first"]
    share = park["seconds"] / nat["seconds"]
    scaling = nat["seconds"] / qtr["seconds"]
    scaling_first = first["seconds"] / qtr_first["seconds"]
    peak = max(first["peak_mb"], nat["peak_mb"])
    figures = {
        "database": f"PostgreSQL {server}",
        "parks": nat["parks"],
        "enterprises": full.enterprises,
        "answers_read": nat["answers"],
        "answers_per_enterprise_response": per_response,
        "bare_read_s": round(bare["seconds"], 3),
        "bare_read_rows": bare["rows"],
        "national_s": round(nat["seconds"], 3),
        "national_read_s": round(nat["read_seconds"], 3),
        "national_parks_written": nat["parks_written"],
        "equal_to_clean": nat["equal_to_clean"],
        "ratio": round(ratio, 2),
        "ratios_by_round": {k: [round(x, 2) for x in v] for k, v in ratios["rounds"].items()},
        "national_first_s": round(first["seconds"], 3),
        "national_first_snapshots": first["snapshots"],
        "ratio_first": round(ratio_first, 2),
        "peak_memory_mb": round(peak, 1),
        "one_park_s": round(park["seconds"], 4),
        "one_park_enterprises": median_size,
        "one_park_share": round(share, 4),
        "largest_park_s": round(big["seconds"], 4),
        "largest_park_enterprises": largest_size,
        "quarter_parks": qtr["parks"],
        "quarter_s": round(qtr["seconds"], 3),
        "quarter_first_s": round(qtr_first["seconds"], 3),
        "scaling_4x": round(scaling, 2),
        "scaling_4x_first": round(scaling_first, 2),
        "targets_met": {
            "ratio_le_3": ratio <= 3,
            "ratio_first_le_3": ratio_first <= 3,
            "memory_le_1536_mb": peak <= 1536,
            "one_park_le_2pct": share <= 0.02,
            "scaling_le_4_5": scaling <= 4.5 and scaling_first <= 4.5,
        },
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
