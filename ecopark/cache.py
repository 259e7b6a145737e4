"""A Redis cache that a Redis outage degrades to "no cache" instead of failing the request.

Django's own Redis backend raises when Redis is unreachable. With ``cached_db`` sessions
(``CACHE_URL`` set, docs/architecture.md) that made every logged-in page answer 500 during a
Redis outage, although the sessions are kept in the database. :class:`DegradingRedisCache` is
Django's backend with its client guarded:

- a read that cannot reach Redis answers as a miss (``get`` → default, ``has_key`` → False),
  so sessions are read from the database and pages are built without the cache;
- a write or delete that cannot reach Redis is skipped, and its key remembered: when Redis
  answers again, those keys are deleted before anything else, so a session changed or ended
  (log-out) during the outage is never served from an older cached copy;
- after a failure Redis is not tried again for ``RETRY_SECONDS`` (each request would otherwise
  wait for the connection timeout);
- the outage is logged once when it starts and once when it ends (logger ``ecopark.cache``),
  not on every request.

Settings: ``CACHE_URL=redis://…`` selects it (``ecopark/settings.py``), with connect and read
timeouts of ``CACHE_TIMEOUT_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("ecopark.cache")

#: errors that mean "Redis is unreachable" (others, e.g. a bad value, still raise)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
#: seconds during which Redis is not tried again after a failure
RETRY_SECONDS = 5.0
#: most keys remembered for deletion on recovery; past it, every key of the cache is deleted
MAX_REMEMBERED_KEYS = 10_000


class _Outage:
    """The outage state of one Redis location, shared by the threads of a process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.since: float | None = None  # monotonic time of the first failure
        self.retry_at = 0.0
        self.missed: set[str] = set()  # keys whose write or delete did not reach Redis
        self.overflow = False

    def skip(self) -> bool:
        return self.since is not None and time.monotonic() < self.retry_at

    def failed(self, location: str, exc: Exception) -> None:
        """Redis did not answer: log it if the outage starts now, wait before trying again."""
        with self.lock:
            now = time.monotonic()
            if self.since is None:
                self.since = now
                log.error(
                    "cache %s unreachable (%s: %s): serving without it until it answers",
                    location,
                    type(exc).__name__,
                    exc,
                )
            self.retry_at = now + RETRY_SECONDS

    def remember(self, keys: list[str]) -> None:
        """Keys whose write or delete did not reach Redis (deleted on recovery)."""
        with self.lock:
            if len(self.missed) + len(keys) <= MAX_REMEMBERED_KEYS:
                self.missed.update(keys)
            else:
                self.overflow = True


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def outage_of(location: str) -> _Outage:
    """The process-wide outage state of ``location`` (a Redis URL)."""
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class DegradingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, each operation guarded as the module's docstring says."""

    #: what an operation answers when Redis cannot be reached
    FALLBACK = {
        "add": False,
        "get": None,  # replaced by the caller's default
        "set": None,
        "touch": False,
        "delete": False,
        "get_many": {},
        "has_key": False,
        "set_many": None,
        "delete_many": None,
        "clear": False,
        "hit": None,
    }
    WRITES = {"add", "set", "touch", "delete", "set_many", "delete_many"}

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._location = ",".join(servers)
        self._outage = outage_of(self._location)
        self.key_prefix = ""  # set by DegradingRedisCache
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        """A ``redis.Redis`` client of the pool for ``write`` (or reading), made once per pool:
        Django's client makes one per operation, and redis-py 8 builds some 170 response
        callbacks in each (~0.25 ms, three times per API request: session, throttle)."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _recover(self) -> None:
        """Redis answered after an outage: delete what was written or deleted meanwhile."""
        outage = self._outage
        with outage.lock:
            if outage.since is None:
                return
            missed, overflow = outage.missed, outage.overflow
            client = super().get_client(None, write=True)
            client.ping()  # raises while Redis is still unreachable
            if overflow:
                for batch in _batches(client.scan_iter(match=f"{self.key_prefix}:*", count=1000)):
                    client.delete(*batch)
            elif missed:
                client.delete(*missed)
            log.warning(
                "cache %s answers again after %.0f s; %s keys written during the outage deleted",
                self._location,
                time.monotonic() - outage.since,
                "all" if overflow else len(missed),
            )
            outage.since, outage.missed, outage.overflow = None, set(), False

    def _guard(self, name: str, keys: list[str], call, default=None):
        outage = self._outage
        fallback = default if name == "get" else self.FALLBACK[name]
        try:
            if outage.skip():
                raise RedisConnectionError("not tried again yet")
            if outage.since is not None:
                self._recover()
            return call()
        except UNREACHABLE as exc:
            if not outage.skip():
                outage.failed(self._location, exc)
            if name in self.WRITES:
                outage.remember(keys)
            return fallback

    def add(self, key, value, timeout):
        return self._guard("add", [key], lambda: RedisCacheClient.add(self, key, value, timeout))

    def get(self, key, default):
        return self._guard("get", [key], lambda: RedisCacheClient.get(self, key, default), default)

    def set(self, key, value, timeout):
        return self._guard("set", [key], lambda: RedisCacheClient.set(self, key, value, timeout))

    def touch(self, key, timeout):
        return self._guard("touch", [key], lambda: RedisCacheClient.touch(self, key, timeout))

    def delete(self, key):
        return self._guard("delete", [key], lambda: RedisCacheClient.delete(self, key))

    def get_many(self, keys):
        return self._guard("get_many", [], lambda: RedisCacheClient.get_many(self, keys))

    def has_key(self, key):
        return self._guard("has_key", [key], lambda: RedisCacheClient.has_key(self, key))

    def set_many(self, data, timeout):
        return self._guard(
            "set_many", list(data), lambda: RedisCacheClient.set_many(self, data, timeout)
        )

    def delete_many(self, keys):
        return self._guard(
            "delete_many", list(keys), lambda: RedisCacheClient.delete_many(self, keys)
        )

    def clear(self):
        return self._guard("clear", [], lambda: RedisCacheClient.clear(self))

    def hit(self, key, seconds):
        """Count one hit of ``key`` in a window of ``seconds`` that starts at its first hit, in
        one round trip (``SET NX EX``, ``INCR``, ``TTL`` in a transaction, so concurrent hits
        from several processes are all counted). Returns ``(hits in the window, seconds left
        in it)``, or None while Redis is unreachable."""

        def call():
            pipe = self.get_client(key, write=True).pipeline(transaction=True)
            pipe.set(key, 0, ex=max(1, int(seconds)), nx=True)
            pipe.incr(key)
            pipe.ttl(key)
            _created, count, ttl = pipe.execute()
            return int(count), float(ttl if ttl > 0 else seconds)

        return self._guard("hit", [], call)


def _batches(iterable, size: int = 500):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class DegradingRedisCache(RedisCache):
    """Django's ``RedisCache`` with :class:`DegradingRedisCacheClient` (see the module)."""

    @cached_property
    def _cache(self):
        client = DegradingRedisCacheClient(self._servers, **self._options)
        client.key_prefix = self.key_prefix
        return client

    def hit(self, key, seconds, version=None):
        """See :meth:`DegradingRedisCacheClient.hit` (the API's throttles,
        :mod:`ecopark.throttling`)."""
        return self._cache.hit(self.make_and_validate_key(key, version=version), seconds)
