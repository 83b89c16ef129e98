"""Property tests: the tagger and the API on arbitrary Unicode text, and the listing routes
on hostile filters, numbers, dates and cursors."""

import base64
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from service.auth.keys import Role
from tests.service.api.routes.test_notes import assert_problem
from tests.service.conftest import TEST_LIMITS, Api
from training.estimator import ThemeTagger

# Pieces that break naive text handling, mixed into arbitrary text.
SPECIAL = [
    *("😀", "👩🏽‍💻", "🇳🇿"),  # emoji: astral, with skin tone and ZWJ, a flag
    *("שלום", "مرحبا", "\u202e", "\u200f"),  # right-to-left text, override and mark
    *("\u200b", "\u200d", "\ufeff", "\u00ad"),  # zero-width space and joiner, BOM, soft hyphen
    *("\x00", "\x07", "\x1b", "\x7f", "\x85", "\r\n", "\t", "\x0b", "\x0c", "\u2028"),
    *("e\u0301", "\u0301", "a\u0308\u0323"),  # combining marks, one without a base
    *("İ", "ß", "ﬁ", "ς"),  # lower- or upper-casing changes their length
    *(" ", "\u00a0", "\u3000", "\n\n"),  # whitespace
    *("Dr.", ". ", "?!", "...", "\n- "),  # sentence boundaries
    *("She spoke up in the design review", "and felt confident.", "career", "networking"),
]
# Escapes a JSON body may carry: unpaired surrogates, and a pair that makes one emoji.
SURROGATES = ["\ud800", "\udfff", "\ud83d", "\ude00", "\ud83d\ude00"]
WHITESPACE = " \t\n\r\x0b\x0c\u00a0\u2028\u3000"
NOTE_LIMIT = TEST_LIMITS["max_text_chars"]

pieces = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=12))
short_text = st.one_of(
    st.lists(pieces, max_size=24).map("".join),
    st.text(alphabet=WHITESPACE, min_size=1, max_size=12),  # whitespace only
    st.characters(),  # a single character
)


@st.composite
def long_text(draw: st.DrawFn, lengths: Sequence[int]) -> str:
    """A note of one of ``lengths`` characters, repeating arbitrary pieces."""
    unit = draw(st.lists(pieces, min_size=1, max_size=6).map("".join).filter(bool))
    length = draw(st.sampled_from(lengths))
    return (unit * (length // len(unit) + 1))[:length]


# ---------------------------------------------------------------------- the tagger


@given(
    short=st.lists(short_text, max_size=10),
    long=st.lists(long_text([20_000]), max_size=1),
)
def test_tagger_takes_any_text_and_its_evidence_slices_the_note(
    fitted_tagger: ThemeTagger, short: list[str], long: list[str]
) -> None:
    # Up to 11 notes: both the few-notes path and the sparse-matrix path (over 8 notes).
    texts = short + long or [""]
    notes = fitted_tagger.tag_notes(texts)
    classes = {str(label) for label in fitted_tagger.classes_}
    assert len(notes) == len(texts)
    for text, note in zip(texts, notes, strict=True):
        assert note.margin >= 0
        assert note.uncertain_theme in classes
        for match in note.matches:
            assert match.theme in classes
            assert 0 <= match.score <= 1
            for evidence in match.evidence:
                assert 0 <= evidence.start <= evidence.end <= len(text)
                assert text[evidence.start : evidence.end] == evidence.text
                assert 0 <= evidence.score <= 1


# ---------------------------------------------------------------------- the API on text


@dataclass(frozen=True)
class Writer:
    ingest: dict[str, str]
    read: dict[str, str]


@pytest.fixture(scope="session")
def writer(api: Api) -> Writer:
    tenant = api.tenant()
    return Writer(
        ingest=api.headers(api.key(tenant, Role.INGEST)) | {"Content-Type": "application/json"},
        read=api.headers(api.key(tenant, Role.READ)),
    )


api_text = st.one_of(
    short_text,
    st.lists(st.one_of(pieces, st.sampled_from(SURROGATES)), min_size=1, max_size=12).map("".join),
    long_text([NOTE_LIMIT - 1, NOTE_LIMIT, NOTE_LIMIT + 1, 20_000]),
)


def refusal(text: str) -> str | None:
    """Why the API must refuse this (decoded) text, if it must."""
    if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return "unstorable"
    if not text.strip():
        return "blank"
    if len(text) > NOTE_LIMIT:
        return "too long"
    return None


def post_raw(api: Api, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """Post ``body`` as ASCII JSON, so unpaired surrogates travel as \\ud800 escapes."""
    raw = json.dumps(body).encode()
    assert len(raw) <= TEST_LIMITS["max_body_bytes"]
    return api.client.post(path, content=raw, headers=headers)


def assert_evidence_slices(text: str, themes: list[dict[str, Any]]) -> None:
    for theme in themes:
        assert 0 <= theme["score"] <= 1
        for evidence in theme["evidence"]:
            assert text[evidence["start"] : evidence["end"]] == evidence["text"]


@given(text=api_text)
def test_tag_answers_any_text_with_themes_or_a_422_naming_it(
    api: Api, writer: Writer, text: str
) -> None:
    response = post_raw(api, "/v1/tag", {"texts": [text]}, writer.ingest)
    decoded = json.loads(json.dumps(text))  # what the server reads: escaped pairs join up
    event(refusal(decoded) or "tagged")
    if refusal(decoded):
        assert_problem(response, 422, "body.texts.0")
        return
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert_evidence_slices(decoded, result["themes"])


@given(text=api_text)
def test_post_note_stores_any_text_exactly_or_answers_422_naming_it(
    api: Api, writer: Writer, text: str
) -> None:
    response = post_raw(api, "/v1/notes", {"text": text, "mentee_id": "m-prop"}, writer.ingest)
    decoded = json.loads(json.dumps(text))
    event(refusal(decoded) or "stored")
    if refusal(decoded):
        assert_problem(response, 422, "body.text")
        return
    assert response.status_code == 201, response.text
    stored = api.client.get(f"/v1/notes/{response.json()['id']}", headers=writer.read).json()
    assert stored["text"] == decoded
    assert stored["text_chars"] == len(decoded)
    assert_evidence_slices(stored["text"], stored["themes"])


# ---------------------------------------------------------------------- hostile query values

SQL = [
    "' OR 1=1 --",
    "'; DROP TABLE notes; --",
    '" OR ""="',
    "m-shared' --",
    "m-shared' OR '1'='1",
    "1) UNION SELECT id, text FROM notes --",
    "%",
    "_",
    "m-shared%",
    "\\",
]
HUGE = ["1" + "0" * 30, "-1", "0", str(2**63), str(-(2**63) - 1), "1e3", "NaN", "inf", "1.5"]
BAD_DATES = ["2026-13-45", "0000-00-00", "2026-02-30", "0001-01-01", "9999-12-31", "3000-01-01"]
BAD_DATES += ["20261130", "0", "86400", "2026-11-20T00:00:00", "yesterday", ""]
MENTEE, MENTOR = "m-shared", "mentor-shared"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


filter_value = st.one_of(
    st.sampled_from(SQL),
    st.just(MENTEE),
    st.text(max_size=24).map(str.encode),
    st.binary(max_size=12),  # percent-encoded bytes that need not be UTF-8
)
number = st.one_of(st.sampled_from(HUGE), st.integers().map(str), st.text(max_size=6))
day = st.one_of(
    st.sampled_from(BAD_DATES),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)).map(date.isoformat),
)
cursor = st.one_of(
    st.binary(max_size=32).map(b64),  # random base64
    st.builds(lambda d, n: b64(f"{d}|{n}".encode()), day, st.integers()),  # forged positions
    st.text(max_size=24),
)


def query(params: dict[str, str | bytes]) -> str:
    """A query string with every value percent-encoded from its bytes."""
    return "&".join(
        f"{name}={quote_from_bytes(value if isinstance(value, bytes) else value.encode())}"
        for name, value in params.items()
    )


@dataclass(frozen=True)
class Tenants:
    """A caller's tenant and another one, whose notes share every filter value."""

    keys: dict[str, dict[str, str]]  # by caller: read, admin, mentor (bound to MENTOR)
    mine: dict[str, set[str]]  # ids of the notes each caller may see
    theirs: set[str]


@pytest.fixture(scope="session")
def tenants(api: Api) -> Tenants:
    mine, theirs = api.tenant(), api.tenant()
    sessions = [("2026-09-10", MENTOR), ("2026-10-10", MENTOR), ("2026-11-10", MENTOR)]
    ids: dict[str, list[tuple[str, str]]] = {mine: [], theirs: []}
    for tenant, notes in ((mine, [*sessions, ("2026-10-20", "mentor-other")]), (theirs, sessions)):
        key = api.key(tenant, Role.INGEST)
        for day_, mentor in notes:
            response = api.post_note(
                key,
                text="She spoke up in the design review and felt confident about her career.",
                mentee_id=MENTEE,
                mentor_id=mentor,
                cohort="c-shared",
                session_date=day_,
            )
            assert response.status_code == 201, response.text
            ids[tenant].append((response.json()["id"], mentor))
    every = {note for note, _ in ids[mine]}
    return Tenants(
        keys={
            "read": api.headers(api.key(mine, Role.READ)),
            "admin": api.headers(api.key(mine, Role.ADMIN)),
            "mentor": api.headers(api.key(mine, Role.READ, MENTOR)),
        },
        mine={
            "read": every,
            "admin": every,
            "mentor": {note for note, mentor in ids[mine] if mentor == MENTOR},
        },
        theirs={note for note, _ in ids[theirs]},
    )


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
callers = st.sampled_from(["read", "admin", "mentor"])


def assert_clear_answer(
    response: Any, params: Sequence[str], tenants: Tenants, caller: str
) -> bool:
    """Never a 5xx; a 422 names a query parameter; a 200 shows none of the other tenant's
    notes (nor, to a mentor-bound key, another mentor's). True for a 200."""
    assert response.status_code < 500, response.text
    if response.status_code == 403:  # a mentor-bound key asking for a whole group's trends
        assert caller == "mentor" and "mentor" in assert_problem(response, 403)["detail"]
        return False
    if response.status_code != 200:
        body = assert_problem(response, 422)
        fields = {error["field"] for error in body["errors"]}
        assert fields and fields <= {f"query.{name}" for name in params}, body
        return False
    shown = set(UUID.findall(response.text))
    assert not shown & tenants.theirs
    assert shown & (tenants.theirs | tenants.mine["read"]) <= tenants.mine[caller]
    return True


NOTES_PARAMS = ["mentee_id", "mentor_id", "cohort", "theme", "from", "to", "cursor", "limit"]
STORED = {"mentee_id": {MENTEE}, "mentor_id": {MENTOR, "mentor-other"}, "cohort": {"c-shared"}}


def as_text(value: str | bytes) -> str:
    """A query value as the server reads it (bytes that are not UTF-8 become U+FFFD)."""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


@given(
    caller=callers,
    params=st.fixed_dictionaries(
        {},
        optional={
            "mentee_id": filter_value,
            "mentor_id": filter_value,
            "cohort": filter_value,
            "theme": filter_value,
            "from": day,
            "to": day,
            "cursor": cursor,
            "limit": number,
        },
    ),
)
def test_note_listing_filters_answer_clearly_and_stay_in_the_tenant(
    api: Api, tenants: Tenants, caller: str, params: dict[str, str | bytes]
) -> None:
    response = api.client.get(f"/v1/notes?{query(params)}", headers=tenants.keys[caller])
    event(f"status {response.status_code}")
    if assert_clear_answer(response, NOTES_PARAMS, tenants, caller):
        # Filters are values, never SQL: one that matches no stored value finds nothing.
        sent = {name: as_text(value) for name, value in params.items()}
        if any(name in sent and sent[name] not in values for name, values in STORED.items()):
            assert response.json()["notes"] == []


@pytest.mark.parametrize("name", ["mentee_id", "mentor_id", "cohort", "theme"])
def test_sql_in_a_filter_is_a_value_that_matches_nothing(
    api: Api, tenants: Tenants, name: str
) -> None:
    for fragment in SQL:
        response = api.client.get(
            f"/v1/notes?{query({name: fragment})}", headers=tenants.keys["admin"]
        )
        assert response.status_code == 200, response.text
        assert response.json()["notes"] == [], fragment


TRENDS_PARAMS = ["scope", "id", "interval", "from", "to", "window"]


@given(
    caller=callers,
    path=st.sampled_from(["/v1/trends", "/v1/trends.csv"]),
    params=st.fixed_dictionaries(
        {
            "scope": st.one_of(
                st.sampled_from(["mentee", "mentor", "cohort", "tenant"]), filter_value
            )
        },
        optional={
            "id": filter_value,
            "interval": st.one_of(st.sampled_from(["week", "month", "quarter"]), filter_value),
            "from": day,
            "to": day,
            "window": number,
        },
    ),
)
def test_trend_parameters_answer_clearly_and_stay_in_the_tenant(
    api: Api, tenants: Tenants, caller: str, path: str, params: dict[str, str | bytes]
) -> None:
    response = api.client.get(f"{path}?{query(params)}", headers=tenants.keys[caller])
    event(f"status {response.status_code}")
    if assert_clear_answer(response, TRENDS_PARAMS, tenants, caller) and path == "/v1/trends":
        shown = sum(period["n"] or 0 for period in response.json()["periods"])
        assert shown <= len(tenants.mine[caller])


@given(caller=callers, limit=st.one_of(number, st.binary(max_size=6)))
def test_review_queue_limit_answers_clearly_and_stays_in_the_tenant(
    api: Api, tenants: Tenants, caller: str, limit: str | bytes
) -> None:
    response = api.client.get(
        f"/v1/review-queue?{query({'limit': limit})}", headers=tenants.keys[caller]
    )
    assert_clear_answer(response, ["limit"], tenants, caller)
