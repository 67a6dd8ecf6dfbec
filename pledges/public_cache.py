"""The cache of the public pages, invalidated whenever the data behind them changes.

Every cached fragment's key carries a version number kept in the cache itself. Saving or deleting any
model a public page shows bumps that number (signals connected in ``PledgesConfig.ready``), so the next
request builds the page anew; old entries simply expire. With Redis every process sees the bump at once;
with the per-process default cache another process can serve a page up to ``PUBLIC_CACHE_TIMEOUT`` old.

Writes done with ``QuerySet.update()``, raw SQL or a transaction rollback send no signal: call
``public_cache_bump()`` after such writes.
"""

import contextlib
import gzip
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

VERSION_KEY = "public:version"
T = TypeVar("T")


def _cache_errors():
    """What a cache backend raises when its server is down (Redis), so that pages go on without it."""
    import redis

    return (redis.exceptions.RedisError, ConnectionError, OSError)


# The version as this process last read it, and when: a cached page then costs one cache round trip, not two.
# A bump in this process clears it; one in another process shows here within PUBLIC_CACHE_VERSION_SECONDS.
_known_version = {"value": None, "read_at": 0.0}


def public_cache_version() -> int | None:
    """The current data version, or None when the cache cannot be reached."""
    now = time.monotonic()
    if _known_version["value"] is not None and now - _known_version["read_at"] < settings.PUBLIC_CACHE_VERSION_SECONDS:
        return _known_version["value"]
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # add() so that two processes starting together agree on one number. A new number, never
            # one used before the key was lost (a flush, an eviction): copies kept under an old number in
            # any process (_local) must not come back.
            cache.add(VERSION_KEY, _fresh_version(), timeout=None)
            version = cache.get(VERSION_KEY)
    except _cache_errors() as error:
        logger.warning("Public cache unavailable, pages are built without it: %s", error)
        _known_version["value"] = None
        return None
    _known_version.update(value=version, read_at=now)
    return version


def public_cache_bump(**_signal_kwargs) -> None:
    _known_version["value"] = None
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): a number never used before invalidates what was cached
        cache.set(VERSION_KEY, _fresh_version(), timeout=None)
    except _cache_errors() as error:
        # A save must not fail because the cache is down; pages cached before expire within the timeout.
        logger.warning("Public cache unavailable, not bumped: %s", error)


def _fresh_version() -> int:
    return time.time_ns() // 1000  # microseconds: larger than any number counted up from an earlier one


class _LocalCopies:
    """The values this process read from the shared cache lately, by their full key (which holds the data
    version): a pledge page of 170 KB then costs no transfer from Redis and no unpickling while the
    version it was read under is current. Bounded in bytes, the least recently used dropped first, and
    never kept longer than the shared cache keeps it."""

    def __init__(self):
        self._entries = OrderedDict()  # full key → (value, size, expires)
        self._size = 0

    def get(self, key):
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[2] < time.monotonic():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key, value) -> None:
        size = _size(value)
        budget = settings.PUBLIC_CACHE_LOCAL_BYTES
        if size > budget / 4:
            return
        if key in self._entries:
            self._drop(key)
        self._entries[key] = (value, size, time.monotonic() + settings.PUBLIC_CACHE_TIMEOUT)
        self._size += size
        while self._size > budget:
            self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        self._entries.clear()
        self._size = 0

    def _drop(self, key) -> None:
        self._size -= self._entries.pop(key)[1]


def _size(value) -> int:
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, dict):
        return sum(_size(item) for item in value.values()) + 64
    return 64


_local = _LocalCopies()


def public_cached(key: str, build: Callable[[], T]) -> T:
    """The cached value for key (per language and data version), built and stored on a miss; built
    directly when the cache cannot be reached. This process keeps its own copy of what it read
    (``_LocalCopies``), valid as long as the data version it was read under.

    Exceptions from build (Http404 for a pledge that is not public) propagate and are not cached.
    """
    version = public_cache_version()
    if version is None:
        return build()
    full_key = f"public:{version}:{get_language()}:{key}"
    value = _local.get(full_key)
    if value is not None:
        return value
    try:
        value = cache.get(full_key)
    except _cache_errors():
        return build()
    if value is None:
        value = build()
        with contextlib.suppress(*_cache_errors()):
            cache.set(full_key, value, timeout=settings.PUBLIC_CACHE_TIMEOUT)
    _local.put(full_key, value)
    return value


def public_cache_clear() -> None:
    """Empty the shared cache and this process's copies (tests; after a restore)."""
    cache.clear()
    _local.clear()
    _known_version["value"] = None


_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def public_cached_page(request, key: str, build: Callable[[], str]) -> HttpResponse:
    """A whole public page from the cache, for a visitor whose page is the same as everyone's.

    Browsers accept gzip, so the page is also kept compressed, made once per data version: a pledge
    page of a few hundred kilobytes then leaves as a few dozen, with nothing compressed per request.
    Without a working cache nothing is kept, and compressing every request would cost more than it
    saves, so the page goes out as it is."""
    if public_cache_version() is None:  # no cache reachable, or the dummy one (it keeps no version)
        return HttpResponse(build())

    def page() -> bytes:
        return public_cached(key, lambda: build().encode())

    if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(public_cached(f"gzip:{key}", lambda: gzip.compress(page(), mtime=0)))
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(page())
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def public_models():
    """Every model whose rows a public page, embed, feed or the API shows."""
    from dialogues.models import Dialogue, Finding, Place
    from followup.models import ActivityLog, Evaluation, Indicator, IndicatorValue, MissedPeriod
    from municipalities.models import Municipality, Organisation, PoliceArea, PoliceRegion

    from .models import Commitment, FocusArea, Pledge, PledgeDialogue, PledgeParty, Signatory

    return [
        Pledge,
        PledgeParty,
        PledgeDialogue,
        Signatory,
        FocusArea,
        Commitment,
        Dialogue,
        Finding,
        Place,
        ActivityLog,
        MissedPeriod,
        Indicator,
        IndicatorValue,
        Evaluation,
        Municipality,
        Organisation,
        PoliceArea,
        PoliceRegion,
    ]


def connect_signals() -> None:
    for model in public_models():
        post_save.connect(public_cache_bump, sender=model, dispatch_uid=f"public-cache-save-{model._meta.label}")
        post_delete.connect(public_cache_bump, sender=model, dispatch_uid=f"public-cache-delete-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                public_cache_bump,
                sender=field.remote_field.through,
                dispatch_uid=f"public-cache-m2m-{model._meta.label}-{field.name}",
            )
