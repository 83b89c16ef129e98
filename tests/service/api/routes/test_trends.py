"""GET /v1/trends and /v1/trends.csv, on notes stored with chosen themes."""

import csv
import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from service.auth.keys import Role
from service.notes.store import NoteRecord, ThemeRecord, insert_notes
from service.storage.db import transaction
from tests.service.api.routes.test_notes import assert_problem
from tests.service.conftest import Api


def store(api: Api, tenant: str, notes: list[dict[str, Any]]) -> list[str]:
    """Store notes with the given themes directly (the model is not what is tested here)."""
    api.key(tenant, Role.READ)  # creates the tenant
    records = []
    for note in notes:
        themes = note.get("themes", [])
        text = note.get("text", "Session notes.")
        records.append(
            NoteRecord(
                id=str(uuid.uuid4()),
                tenant_id=tenant,
                external_id=None,
                mentee_id=note.get("mentee", "m1"),
                mentor_id=note.get("mentor"),
                cohort=note.get("cohort"),
                session_date=date.fromisoformat(note["date"]),
                author_role=None,
                text=text,
                text_fingerprint=None,
                text_chars=len(text),
                model_version="test",
                created_at=datetime.now(UTC),
                themes=[
                    ThemeRecord(
                        theme,
                        note.get("score", 0.8),
                        [{"start": 0, "end": len(text), "score": 0.8, "text": text}],
                    )
                    for theme in themes
                ],  # fmt: skip
            )
        )
    with transaction(api.state.sessions) as session:
        insert_notes(session, records)
    return [record.id for record in records]


def trends(api: Api, key: str, query: str) -> dict[str, Any]:
    response = api.client.get(f"/v1/trends?{query}", headers=api.headers(key))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_periods_count_and_share_each_theme_and_show_empty_periods(api: Api) -> None:
    tenant = api.tenant()
    store(
        api,
        tenant,
        [
            {"date": "2026-01-05", "themes": ["confidence"]},
            {"date": "2026-01-20", "themes": ["confidence", "career"]},
            {"date": "2026-01-28", "themes": []},
            {"date": "2026-03-02", "themes": ["career"]},
        ],
    )
    body = trends(
        api, api.key(tenant, Role.READ), "scope=mentee&id=m1&from=2026-01-01&to=2026-03-31"
    )
    assert [p["start"] for p in body["periods"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    january, february, march = body["periods"]
    assert january["n"] == 3 and january["label"] == "January 2026"
    assert january["themes"]["confidence"] == {"count": 2, "share": 0.6667}
    assert january["themes"]["career"] == {"count": 1, "share": 0.3333}
    assert january["themes"]["skills"] == {"count": 0, "share": 0.0}
    assert february["n"] == 0 and february["themes"]["career"] == {"count": 0, "share": None}
    assert march["n"] == 1 and march["themes"]["career"]["count"] == 1
    assert body["co_occurrence"]["pairs"] == [
        {"themes": ["career", "confidence"], "count": 1, "share": 0.25}
    ]


def test_weeks_and_quarters(api: Api) -> None:
    tenant = api.tenant()
    store(api, tenant, [{"date": "2026-11-04", "themes": ["skills"]},  # a Wednesday
                        {"date": "2026-11-09", "themes": ["skills"]}])  # fmt: skip
    key = api.key(tenant, Role.READ)
    weeks = trends(api, key, "scope=mentee&id=m1&interval=week&from=2026-11-02&to=2026-11-15")
    assert [(p["start"], p["n"]) for p in weeks["periods"]] == [
        ("2026-11-02", 1),
        ("2026-11-09", 1),
    ]
    quarters = trends(api, key, "scope=mentee&id=m1&interval=quarter&from=2026-07-01&to=2026-12-31")
    assert [(p["label"], p["n"]) for p in quarters["periods"]] == [("Q3 2026", 0), ("Q4 2026", 2)]


def test_a_rise_is_summarised_with_counts_and_the_best_example_notes(api: Api) -> None:
    tenant = api.tenant()
    september = [{"date": f"2026-09-{d:02d}", "themes": ["career"]} for d in (1, 8, 15, 22)]
    september.append({"date": "2026-09-29", "themes": ["confidence"], "score": 0.6})
    october = [
        {"date": f"2026-10-{d:02d}", "themes": ["confidence"], "score": 0.5 + d / 100}
        for d in (1, 6, 13, 20, 27)
    ]
    october.append({"date": "2026-10-30", "themes": []})
    store(api, tenant, september)
    ids = store(api, tenant, october)
    body = trends(
        api, api.key(tenant, Role.READ), "scope=mentee&id=m1&from=2026-09-01&to=2026-10-31"
    )
    summary = body["summary"]
    assert summary["latest"]["label"] == "October 2026" and summary["latest"]["n"] == 6
    confidence = next(t for t in summary["themes"] if t["theme"] == "confidence")
    assert confidence["direction"] == "rising" and confidence["p_value"] < 0.1
    career = next(t for t in summary["themes"] if t["theme"] == "career")
    assert career["direction"] == "falling"
    line = next(line for line in summary["lines"] if line["theme"] == "confidence")
    assert line["text"] == (
        "Confidence came up in 5 of 6 sessions in October 2026, up from 1 of 5 in September 2026."
    )
    assert line["note_ids"] == [ids[4], ids[3], ids[2]]  # highest evidence scores first


def test_new_and_dormant_themes(api: Api) -> None:
    tenant = api.tenant()
    notes = [{"date": f"2026-05-{d:02d}", "themes": ["resilience"]} for d in (4, 11)]
    notes += [{"date": f"2026-06-{d:02d}", "themes": ["networking"]} for d in (1, 8, 15)]
    store(api, tenant, notes)
    body = trends(
        api, api.key(tenant, Role.READ), "scope=mentee&id=m1&from=2026-05-01&to=2026-06-30"
    )
    kinds = {line["theme"]: line["kind"] for line in body["summary"]["lines"]}
    assert kinds == {"networking": "new", "resilience": "dormant"}
    resilience = next(t for t in body["summary"]["themes"] if t["theme"] == "resilience")
    assert resilience["dormant"] and not resilience["new"]


def test_small_cohort_periods_are_suppressed_with_a_reason(api: Api) -> None:
    tenant = api.tenant()
    notes = [{"date": "2026-02-03", "mentee": f"m{i}", "cohort": "big", "themes": ["skills"]}
             for i in range(5)]  # fmt: skip
    notes += [{"date": "2026-03-03", "mentee": f"m{i}", "cohort": "big", "themes": ["skills"]}
              for i in range(2)]  # fmt: skip
    store(api, tenant, notes)
    body = trends(
        api, api.key(tenant, Role.READ), "scope=cohort&id=big&from=2026-02-01&to=2026-03-31"
    )
    february, march = body["periods"]
    assert february["n"] == 5 and february["mentees"] == 5 and not february["suppressed"]
    assert march["suppressed"] and march["n"] is None and march["themes"] is None
    assert "5 distinct mentees" in march["reason"]
    assert body["summary"]["withheld"] and body["summary"]["lines"] == []
    assert body["co_occurrence"]["n"] == 5


def test_mentor_bound_key_sees_only_its_own_sessions_of_a_mentee(api: Api) -> None:
    tenant = api.tenant()
    store(api, tenant, [
        {"date": "2026-04-01", "mentor": "anna", "themes": ["career"]},
        {"date": "2026-04-02", "mentor": "ben", "themes": ["skills"]},
        {"date": "2026-04-03", "mentor": "ben", "themes": ["skills"]},
    ])  # fmt: skip
    anna = api.key(tenant, Role.READ, mentor="anna")
    body = trends(api, anna, "scope=mentee&id=m1&from=2026-04-01&to=2026-04-30")
    assert body["periods"][0]["n"] == 1 and body["periods"][0]["themes"]["skills"]["count"] == 0
    assert (
        trends(api, anna, "scope=mentor&id=anna&from=2026-04-01&to=2026-04-30")["periods"][0]["n"]
        == 1
    )
    for query in ("scope=mentor&id=ben", "scope=cohort&id=c", "scope=tenant"):
        response = api.client.get(f"/v1/trends?{query}", headers=api.headers(anna))
        assert_problem(response, 403)
    admin = api.key(tenant, Role.ADMIN)
    assert (
        trends(api, admin, "scope=mentee&id=m1&from=2026-04-01&to=2026-04-30")["periods"][0]["n"]
        == 3
    )


def test_other_tenants_notes_never_count(api: Api) -> None:
    mine, theirs = api.tenant(), api.tenant()
    store(api, theirs, [{"date": "2026-04-01", "themes": ["career"]}])
    body = trends(api, api.key(mine, Role.READ), "scope=mentee&id=m1&from=2026-04-01&to=2026-04-30")
    assert body["periods"][0]["n"] == 0


def test_csv_has_the_period_table(api: Api) -> None:
    tenant = api.tenant()
    store(api, tenant, [{"date": "2026-01-05", "themes": ["confidence"]},
                        {"date": "2026-01-06", "themes": []}])  # fmt: skip
    response = api.client.get(
        "/v1/trends.csv?scope=mentee&id=m1&from=2026-01-01&to=2026-02-28",
        headers=api.headers(api.key(tenant, Role.READ)),
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["period_start"] for r in rows] == ["2026-01-01", "2026-02-01"]
    assert rows[0]["n"] == "2" and rows[0]["confidence_count"] == "1"
    assert rows[0]["confidence_share"] == "0.5000" and rows[1]["n"] == "0"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("scope=team&id=x", "query.scope"),
        ("scope=mentee", "query.id"),
        ("scope=mentee&id=m&interval=day", "query.interval"),
        ("scope=mentee&id=m&from=2026-05-01&to=2026-04-01", "query.from"),
        ("scope=mentee&id=m&interval=week&from=2000-01-01&to=2026-01-01", "query.from"),
        ("scope=mentee&id=m&window=0", "query.window"),
        ("scope=mentee&id=m&from=0", "query.from"),  # not read as Unix time
        ("scope=mentee&id=a%00b", "query.id"),
    ],
)
def test_bad_trend_queries_return_422_naming_the_field(api: Api, query: str, field: str) -> None:
    key = api.key(api.tenant(), Role.READ)
    for path in ("/v1/trends", "/v1/trends.csv"):
        assert_problem(api.client.get(f"{path}?{query}", headers=api.headers(key)), 422, field)


def test_the_schema_lists_the_scopes(api: Api) -> None:
    for path in ("/v1/trends", "/v1/trends.csv"):
        parameters = api.client.get("/openapi.json").json()["paths"][path]["get"]["parameters"]
        [scope] = [p for p in parameters if p["name"] == "scope"]
        assert scope["schema"]["enum"] == ["mentee", "mentor", "cohort", "tenant"]


def test_trends_need_a_read_key(api: Api) -> None:
    ingest = api.key(api.tenant(), Role.INGEST)
    assert_problem(api.client.get("/v1/trends?scope=tenant", headers=api.headers(ingest)), 403)
    assert_problem(api.client.get("/v1/trends?scope=tenant"), 401)


def test_a_month_holding_a_hidden_week_is_hidden_too(api: Api) -> None:
    """Otherwise the hidden week is the month minus its visible weeks."""
    tenant = api.tenant()
    notes = [
        {"date": day, "mentee": f"m{i}", "cohort": "c", "themes": ["career"]}
        for day in ("2026-06-01", "2026-06-08", "2026-06-15")
        for i in range(5)
    ]
    notes += [{"date": "2026-06-22", "mentee": f"m{i}", "cohort": "c", "themes": ["career"]}
              for i in range(2)]  # fmt: skip
    notes += [{"date": "2026-07-06", "mentee": f"m{i}", "cohort": "c"} for i in range(5)]
    store(api, tenant, notes)
    key = api.key(tenant, Role.READ)
    weeks = trends(api, key, "scope=cohort&id=c&interval=week&from=2026-06-01&to=2026-06-28")
    assert [p["suppressed"] for p in weeks["periods"]] == [False, False, False, True]
    months = trends(api, key, "scope=cohort&id=c&from=2026-06-01&to=2026-07-31")
    june, july = months["periods"]
    assert june["suppressed"] and june["n"] is None and june["themes"] is None
    assert not july["suppressed"] and july["n"] == 5
    quarters = trends(api, key, "scope=cohort&id=c&interval=quarter&from=2026-04-01&to=2026-06-30")
    assert quarters["periods"][0]["suppressed"]


def test_a_theme_seen_before_the_range_is_not_new(api: Api) -> None:
    tenant = api.tenant()
    store(api, tenant, [
        {"date": "2026-08-05", "themes": ["career"]},
        *({"date": f"2026-09-{d:02d}", "themes": []} for d in (2, 9, 16)),
        *({"date": f"2026-10-{d:02d}", "themes": ["career"]} for d in (7, 14, 21)),
    ])  # fmt: skip
    body = trends(
        api, api.key(tenant, Role.READ), "scope=mentee&id=m1&from=2026-09-01&to=2026-10-31"
    )
    career = next(t for t in body["summary"]["themes"] if t["theme"] == "career")
    assert not career["new"]
    assert all(line["kind"] != "new" for line in body["summary"]["lines"])


def test_new_is_withheld_after_a_hidden_period(api: Api) -> None:
    tenant = api.tenant()
    notes = [{"date": "2026-08-05", "mentee": f"m{i}", "cohort": "c", "themes": ["career"]}
             for i in range(2)]  # fmt: skip
    notes += [{"date": "2026-09-09", "mentee": f"m{i}", "cohort": "c"} for i in range(5)]
    notes += [{"date": "2026-10-07", "mentee": f"m{i}", "cohort": "c", "themes": ["skills"]}
              for i in range(5)]  # fmt: skip
    store(api, tenant, notes)
    body = trends(
        api, api.key(tenant, Role.READ), "scope=cohort&id=c&from=2026-08-01&to=2026-10-31"
    )
    assert body["periods"][0]["suppressed"]
    assert not any(t["new"] for t in body["summary"]["themes"])


@pytest.mark.parametrize(
    ("query", "field"),
    [("to=9999-12-31", "query.to"), ("from=0001-01-01&to=0001-02-01", "query.from")],
)
def test_dates_out_of_range_return_422(api: Api, query: str, field: str) -> None:
    key = api.key(api.tenant(), Role.READ)
    for interval in ("week", "month", "quarter"):
        url = f"/v1/trends?scope=mentee&id=m1&interval={interval}&{query}"
        assert_problem(api.client.get(url, headers=api.headers(key)), 422, field)


def test_from_alone_after_the_latest_note_is_not_an_error(api: Api) -> None:
    tenant = api.tenant()
    store(api, tenant, [{"date": "2026-01-05", "themes": []}])
    body = trends(api, api.key(tenant, Role.READ), "scope=mentee&id=m1&from=2026-03-01")
    assert body["periods"][0]["start"] == "2026-03-01"
