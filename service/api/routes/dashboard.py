"""The mentor dashboard: one page and its assets, all served by the service itself (no
CDN), so it works without internet access."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent.parent / "static"
# Scripts only from this origin; the page talks to nothing else.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(tags=["dashboard"], include_in_schema=False)
assets = StaticFiles(directory=STATIC)


@router.get("/")
async def dashboard() -> FileResponse:
    """The dashboard page."""
    return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)


@router.get("/dashboard")
async def dashboard_alias() -> RedirectResponse:
    return RedirectResponse("/", status_code=308)
