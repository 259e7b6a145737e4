#!/usr/bin/env python
"""Benchmark of the degrading Redis cache (ecopark/cache.py) during an outage.

Starts a redis-server of its own on a free port (never the shared one), then times
``REQUESTS`` session-like exchanges (a ``get`` then a ``set``, as a ``cached_db`` session load
does on a miss) through :class:`ecopark.cache.DegradingRedisCache` in three states:

* ``up``: Redis answers;
* ``refused``: Redis stopped (connections refused at once);
* ``hung``: Redis frozen with SIGSTOP (connections accepted, never answered: each try waits
  for the 1 s socket timeout), with the retry pause of ``RETRY_SECONDS`` (5 s, the default)
  and without it (``RETRY_SECONDS = 0``: every call tries Redis).

Prints ONE JSON line: milliseconds per exchange in each state.

Usage: ``.venv/bin/python benchmarks/cache_outage.py [--requests 20]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecopark.settings")


def per_exchange_ms(cache, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        if cache.get(f"session-{i}") is None:
            cache.set(f"session-{i}", {"user": i}, 60)
    return round(1000 * (time.perf_counter() - start) / n, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="exchanges per state")
    n = parser.parse_args().requests

    import django

    django.setup()
    from conftest import OwnRedis

    import ecopark.cache
    from ecopark.cache import DegradingRedisCache

    with tempfile.TemporaryDirectory() as workdir:
        server = OwnRedis(Path(workdir))
        server.start()
        try:

            def fresh_cache():
                ecopark.cache._outages.clear()
                return DegradingRedisCache(
                    server.url(1),
                    {"OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}},
                )

            figures = {"up": per_exchange_ms(fresh_cache(), n)}
            server.freeze()
            figures["hung_with_retry_pause"] = per_exchange_ms(fresh_cache(), n)
            ecopark.cache.RETRY_SECONDS = 0.0
            figures["hung_without_retry_pause"] = per_exchange_ms(fresh_cache(), n)
            ecopark.cache.RETRY_SECONDS = 5.0
            server.thaw()
            server.stop()
            figures["refused"] = per_exchange_ms(fresh_cache(), n)
        finally:
            server.stop()
    print(json.dumps({"exchanges": n, "ms_per_exchange": figures}))


if __name__ == "__main__":
    main()
