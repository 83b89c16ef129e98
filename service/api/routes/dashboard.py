"""The mentor dashboard: one page and its assets, all served by the service itself (no
CDN), so it works without internet access. They are package data (``service/static``),
found through the package's import spec, so an installed service finds them too."""

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

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
# Starlette resolves a package's folder itself: it streams files, so it needs a real folder,
# which an importlib.resources Traversable is not promised to be.
assets = StaticFiles(packages=[("service", "static")])


@router.get("/")
async def dashboard(request: Request) -> Response:
    """The dashboard page."""
    page = await assets.get_response("index.html", request.scope)
    page.headers.update(SECURITY_HEADERS)
    return page


@router.get("/dashboard")
async def dashboard_alias() -> RedirectResponse:
    return RedirectResponse("/", status_code=308)
