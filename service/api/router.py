"""The versioned API: every resource's router, under the one ``/v1`` prefix. Health checks,
metrics and the dashboard stay outside it (``main.py`` includes them on their own)."""

from fastapi import APIRouter

from service.api.routes import mentees, models, notes, review_queue, tag, themes, trends

api_router = APIRouter(prefix="/v1")
for module in (notes, review_queue, mentees, tag, themes, models, trends):
    api_router.include_router(module.router)
