"""Whose trends a caller may read, and the SQL conditions that select that scope."""

import json
from datetime import date

from sqlalchemy import ColumnElement, and_

from service.auth.keys import Principal
from service.errors import FieldProblem, Forbidden, InvalidInput
from service.storage.tables import Note, TrendPair, TrendPeriod, TrendTheme, TrendVersion
from service.trends.periods import (
    Interval,
)

SCOPES = ("mentee", "mentor", "cohort", "tenant")


def pair_id(mentor_id: str, mentee_id: str) -> str:
    """The scope id of a mentor's mentee; JSON, so no separator can collide."""
    return json.dumps([mentor_id, mentee_id], ensure_ascii=False)


def resolve_scope(principal: Principal, scope: str, scope_id: str) -> tuple[str, str]:
    """The rollup scope a caller may read: a mentor-bound key sees a mentee only through
    its own sessions (the mentor-mentee pair) and cannot read cohort or tenant trends."""
    if scope not in SCOPES:
        raise InvalidInput([FieldProblem("query.scope", f"must be one of {', '.join(SCOPES)}")])
    mentor = principal.mentor_id
    if scope == "tenant" and mentor is None:
        return "tenant", ""
    if not scope_id and scope != "tenant":
        raise InvalidInput([FieldProblem("query.id", f"is required for scope {scope}")])
    if mentor is None:
        return scope, scope_id
    if scope == "mentee":
        return "pair", pair_id(mentor, scope_id)
    if scope == "mentor" and scope_id == mentor:
        return "mentor", scope_id
    raise Forbidden(f"a key bound to mentor {mentor!r} sees only that mentor's mentees' trends")


def rollup_key(table: type[TrendPeriod] | type[TrendTheme] | type[TrendPair] | type[TrendVersion],
                tenant_id: str, kind: str, scope_id: str, interval: Interval,
                first: date, last: date) -> ColumnElement[bool]:  # fmt: skip
    return and_(
        table.tenant_id == tenant_id,
        table.scope_kind == kind,
        table.scope_id == scope_id,
        table.period_kind == interval.value,
        table.period_start.between(first, last),
    )


def scope_filter(tenant_id: str, kind: str, scope_id: str) -> ColumnElement[bool]:
    condition = Note.tenant_id == tenant_id
    if kind == "mentee":
        return and_(condition, Note.mentee_id == scope_id)
    if kind == "mentor":
        return and_(condition, Note.mentor_id == scope_id)
    if kind == "cohort":
        return and_(condition, Note.cohort == scope_id)
    if kind == "pair":
        mentor, mentee = json.loads(scope_id)
        return and_(condition, Note.mentor_id == mentor, Note.mentee_id == mentee)
    return condition
