"""The reliability suite runs against the same apps as the service tests: a registry with
the small session model and one running app per database backend (SQLite and PostgreSQL).

Property tests run the "ci" Hypothesis profile: a bounded, repeatable number of examples.
``HYPOTHESIS_PROFILE=thorough`` runs many more, with new random examples each time."""

import os

import hypothesis

from tests.service.conftest import *  # noqa: F403 - fixtures are found by name

hypothesis.settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, database=None
)
hypothesis.settings.register_profile("thorough", max_examples=1_000, deadline=None)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
