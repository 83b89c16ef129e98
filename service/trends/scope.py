"""Whose trends a caller may read, and the SQL conditions that select that scope."""

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_

from service.auth.keys import Principal
from service.errors import FieldProblem, Forbidden, InvalidInput
from service.storage.tables import Note, RollupKey
from service.trends.periods import Interval
from service.trends.rollups import GROUP_SCOPES

SCOPES = ("mentee", "mentor", "cohort", "tenant")


@dataclass(frozen=True)
class Scope:
    """One tenant's notes that a trend counts: a mentee's, a mentor's, a mentor's mentee's
    (``pair``, what a mentor-bound key sees of a mentee), a cohort's or the whole tenant's."""

    kind: str
    tenant_id: str
    id: str = ""

    @property
    def grouped(self) -> bool:
        """Counted from rollup rows (cohort, tenant) rather than from the notes."""
        return self.kind in GROUP_SCOPES

    @property
    def individual(self) -> bool:
        """One person's sessions: dormancy then means absent from their last few sessions."""
        return self.kind in ("mentee", "pair")

    def notes(self) -> ColumnElement[bool]:
        """The condition on ``Note`` that selects this scope's notes."""
        condition = Note.tenant_id == self.tenant_id
        if self.kind == "mentee":
            return and_(condition, Note.mentee_id == self.id)
        if self.kind == "mentor":
            return and_(condition, Note.mentor_id == self.id)
        if self.kind == "cohort":
            return and_(condition, Note.cohort == self.id)
        if self.kind == "pair":
            mentor, mentee = json.loads(self.id)
            return and_(condition, Note.mentor_id == mentor, Note.mentee_id == mentee)
        return condition

    def rollup_rows(
        self, table: type[RollupKey], interval: Interval, first: date, last: date
    ) -> ColumnElement[bool]:
        """The condition on a rollup table that selects this scope's periods in a range."""
        return and_(
            table.tenant_id == self.tenant_id,
            table.scope_kind == self.kind,
            table.scope_id == self.id,
            table.period_kind == interval.value,
            table.period_start.between(first, last),
        )


def pair_id(mentor_id: str, mentee_id: str) -> str:
    """The scope id of a mentor's mentee; JSON, so no separator can collide."""
    return json.dumps([mentor_id, mentee_id], ensure_ascii=False)


def resolve_scope(principal: Principal, scope: str, scope_id: str) -> Scope:
    """The scope a caller may read: a mentor-bound key sees a mentee only through its own
    sessions (the mentor-mentee pair) and cannot read cohort or tenant trends."""
    if scope not in SCOPES:
        raise InvalidInput([FieldProblem("query.scope", f"must be one of {', '.join(SCOPES)}")])
    tenant, mentor = principal.tenant_id, principal.mentor_id
    if scope == "tenant" and mentor is None:
        return Scope("tenant", tenant)
    if not scope_id and scope != "tenant":
        raise InvalidInput([FieldProblem("query.id", f"is required for scope {scope}")])
    if mentor is None:
        return Scope(scope, tenant, scope_id)
    if scope == "mentee":
        return Scope("pair", tenant, pair_id(mentor, scope_id))
    if scope == "mentor" and scope_id == mentor:
        return Scope("mentor", tenant, scope_id)
    raise Forbidden(f"a key bound to mentor {mentor!r} sees only that mentor's mentees' trends")
