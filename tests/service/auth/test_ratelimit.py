"""Per-key token buckets, and the 429 a key over its rate gets."""

from fastapi.testclient import TestClient

from service.auth.keys import Role, create_key
from service.auth.ratelimit import RateLimiter
from service.main import build_app
from service.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_gets_its_burst_then_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.wait_for("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.wait_for("a") == 1
    assert limiter.wait_for("b") == 0  # keys do not share a bucket
    clock.now += 1.0
    assert limiter.wait_for("a") == 0
    assert limiter.wait_for("a") == 1
    clock.now += 60
    assert [limiter.wait_for("a") for _ in range(4)] == [0, 0, 0, 1]  # refilled to the burst


def test_each_of_n_workers_allows_a_nth_of_rate_and_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=120, burst=4, workers=2, clock=clock)
    assert [limiter.wait_for("a") for _ in range(3)] == [0, 0, 1]
    clock.now += 1.0  # 1 token a second per worker
    assert limiter.wait_for("a") == 0


def test_retry_after_counts_the_seconds_until_a_token() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=1, clock=clock)  # a token every 10 s
    assert limiter.wait_for("a") == 0
    assert limiter.wait_for("a") == 10
    clock.now += 7.5
    assert limiter.wait_for("a") == 3


def test_zero_rate_means_no_limit() -> None:
    limiter = RateLimiter(per_minute=0, burst=1)
    assert not limiter.enabled
    assert all(limiter.wait_for("a") == 0 for _ in range(1000))


def test_a_key_over_its_rate_gets_429_with_retry_after(settings: Settings) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 6, "rate_limit_burst": 2})
    with TestClient(build_app(limited)) as client:
        services = client.app.state.app_state  # type: ignore[attr-defined]
        tenant = "rate-limited"
        first = create_key(services.sessions, tenant_id=tenant, role=Role.READ).key
        second = create_key(services.sessions, tenant_id=tenant, role=Role.READ).key
        headers = {"Authorization": f"Bearer {first}"}
        assert [client.get("/v1/themes", headers=headers).status_code for _ in range(2)] == [
            200,
            200,
        ]
        refused = client.get("/v1/themes", headers=headers)
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 10
        assert "over its rate of 6 requests a minute" in refused.json()["detail"]
        other = client.get("/v1/themes", headers={"Authorization": f"Bearer {second}"})
        assert other.status_code == 200
        assert client.get("/v1/themes", headers={"Authorization": "Bearer nope"}).status_code == 401
