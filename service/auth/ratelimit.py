"""Per-key rate limiting: a token bucket per API key in each worker process.

Each of ``workers`` processes holds its own buckets and allows ``1/workers`` of the rate and
burst, so a key's requests spread over all workers get the configured rate in total, and a
key whose connections all land on one worker gets ``1/workers`` of it (never more than the
configured rate). Keeping buckets in the database instead would cost a write per request."""

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 10_000  # buckets kept per worker; the least recently used go first


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Call ``wait_for`` on the event loop thread (it is not locked)."""

    def __init__(
        self,
        *,
        per_minute: int,
        burst: int,
        workers: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60 / workers  # tokens per second
        self.capacity = max(1.0, burst / workers)
        self._clock = clock
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def wait_for(self, key_id: str) -> int:
        """Take a token for ``key_id``: 0 when the request may go ahead, else the whole
        seconds until it may (for ``Retry-After``)."""
        if not self.enabled:
            return 0
        now = self._clock()
        bucket = self._buckets.pop(key_id, None) or Bucket(self.capacity, now)
        self._buckets[key_id] = bucket
        if len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / self.rate))
