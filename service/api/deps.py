"""Dependencies routes declare with ``Annotated`` aliases: the app's state, the
calling key (by role), and database sessions."""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from service.auth.keys import Principal, Role
from service.errors import Forbidden, TooManyRequests, Unauthorized
from service.state import AppState

bearer = HTTPBearer(auto_error=False, description="An API key from `mentor-themes keys create`.")


async def get_state(request: Request) -> AppState:
    # async: a plain def dependency would cost a thread-pool hop per request.
    state: AppState = request.app.state.app_state
    return state


StateDep = Annotated[AppState, Depends(get_state)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def get_principal(state: StateDep, credentials: Credentials) -> Principal:
    """The caller behind the bearer key, within its key's request rate."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    key = credentials.credentials
    principal = state.keys.from_cache(key)  # a hit costs no database query
    if principal is None:
        principal = await run_in_threadpool(state.keys.check, key)
    wait = state.limiter.wait_for(principal.key_id)
    if wait:
        raise TooManyRequests(
            f"key {principal.key_id} is over its rate of "
            f"{state.settings.rate_limit_per_minute} requests a minute; retry in {wait} s",
            retry_after=wait,
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def requires(*roles: Role) -> Callable[[Principal], Coroutine[Any, Any, Principal]]:
    allowed = ", ".join(role.value for role in roles)

    async def check_role(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise Forbidden(f"this needs a key with role {allowed}; this key is {principal.role}")
        return principal

    check_role.roles = roles  # type: ignore[attr-defined]  # read by the route-table tests
    return check_role


AnyKey = PrincipalDep
Ingester = Annotated[Principal, Depends(requires(Role.INGEST, Role.ADMIN))]
Reader = Annotated[Principal, Depends(requires(Role.READ, Role.ADMIN))]
Admin = Annotated[Principal, Depends(requires(Role.ADMIN))]
