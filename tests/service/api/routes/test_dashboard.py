"""The dashboard end to end, in real headless Chromium (Debian's, driven by Playwright):
sign in with a key, pick a mentee, see the chart and the summary lines, open a note with
its evidence highlighted, download the CSV. Saves a screenshot."""

import csv
import io
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.auth.keys import Role, create_key
from service.notes.demo import load
from service.storage.db import make_engine, make_sessions
from service.storage.migrate import upgrade
from tests.service.servers import free_port, start_server
from training.registry import load_model

ROOT = Path(__file__).resolve().parents[4]
CHROMIUM_VARIABLE = "MENTOR_THEMES_TEST_CHROMIUM"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    """The browser's path; without one, skip locally but fail under CI=true."""
    path = os.environ.get(CHROMIUM_VARIABLE)
    if path and Path(path).is_file():
        return path
    message = (
        f"no Chromium for the dashboard test: set {CHROMIUM_VARIABLE} (scripts/test-browser.sh)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def demo_server(
    tmp_path_factory: pytest.TempPathFactory, models_dir: Path
) -> Iterator[tuple[str, str]]:
    """A server on a SQLite file holding the demo timeline, and a read key for it."""
    folder = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessions(engine)
    load(sessions, load_model(models_dir), "demo")
    key = create_key(sessions, tenant_id="demo", role=Role.READ).key
    engine.dispose()
    port = free_port()
    server = start_server(url, models_dir, port, folder / "server.log")
    try:
        yield f"http://127.0.0.1:{port}", key
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_mentor_signs_in_reads_a_mentees_trends_opens_a_note_and_downloads_csv(
    demo_server: tuple[str, str], tmp_path: Path
) -> None:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    base, key = demo_server
    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((base, "data:", "blob:"))
                else outside.append(request.url)
            ),
        )
        page.goto(base + "/")
        page.get_by_label("API key (read or admin)").fill(key)
        page.get_by_role("button", name="Use this key").click()

        page.get_by_label("Show", exact=True).select_option("mentee")
        page.locator("#scope-id").fill("mentee-01")
        page.locator("#from").fill("2026-04-01")
        page.locator("#to").fill("2026-11-30")
        page.get_by_role("button", name="Show", exact=True).click()
        page.wait_for_selector("#summary li")
        datasets = page.evaluate(
            "Chart.getChart(document.getElementById('chart')).data.datasets.length"
        )
        labels = page.evaluate("Chart.getChart(document.getElementById('chart')).data.labels")
        assert datasets == 6
        assert labels[0] == "April 2026 (n=3)" and len(labels) == 8
        summary = page.locator("#summary li").all_inner_texts()
        assert summary and all(" up " in line or line.startswith("No ") for line in summary), (
            summary
        )

        first_note = page.locator("#notes li a.open").first
        first_note.click()
        dialog = page.locator("#note-dialog")
        dialog.wait_for(state="visible")
        assert dialog.locator("mark").count() >= 1
        assert "mentee mentee-01" in dialog.locator("#note-meta").inner_text()
        page.screenshot(path=str(tmp_path / "dashboard-note.png"))

        boxes = dialog.locator("#correct-themes input")
        assert boxes.count() == 6
        for index in range(boxes.count()):
            box = boxes.nth(index)
            box.set_checked(box.get_attribute("value") == "networking")
        dialog.get_by_role("button", name="Save correction").click()
        page.wait_for_selector("#correct-status:has-text('Saved')")
        assert "themes set by key:" in dialog.locator("#note-meta").inner_text()
        badges = dialog.locator("#note-themes .badge").all_inner_texts()
        assert len(badges) == 1 and badges[0].startswith("Networking"), badges
        dialog.get_by_role("button", name="Close").click()

        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download CSV").click()
        saved = tmp_path / "trends.csv"
        download_info.value.save_as(saved)
        rows = list(csv.DictReader(io.StringIO(saved.read_text())))
        assert [row["period_start"] for row in rows][:2] == ["2026-04-01", "2026-05-01"]
        assert rows[0]["n"] == "3"

        screenshot = ROOT / "reports" / "dashboard.png"
        screenshot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(200)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "scrolls sideways"
        page.screenshot(path=str(ROOT / "reports" / "dashboard-phone.png"), full_page=True)
        browser.close()
    assert errors == [], errors
    assert outside == [], f"the page reached outside the service: {outside}"
