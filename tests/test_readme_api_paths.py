"""Every API path the README names exists in the OpenAPI schema (and a path named with
alternatives, ``submit|return``, exists for each of them), so the README cannot point at a
path that answers 404."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _api_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## API\n")
    end = text.index("\n## ", start + 5)
    return text[start:end]


def _named_paths() -> list[str]:
    """The README's API paths, relative to ``/api/v1/``: every backticked token ending in "/"
    (a query string dropped), alternatives "a|b" expanded."""
    out = []
    for token in re.findall(r"`([^`\s]+)`", _api_section()):
        token = token.split("?")[0]
        if not token.endswith("/") or token.startswith(("/api/v1/schema", "/api/v1/docs")):
            continue
        token = token.removeprefix("/api/v1/")
        if not token.strip("/"):
            continue  # the API's root
        parts = [part.split("|") for part in token.strip("/").split("/")]
        paths = [""]
        for options in parts:
            paths = [f"{p}{o}/" for p in paths for o in options]
        out += paths
    return out


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


@pytest.fixture(scope="module")
def schema_paths(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return {_shape(p.removeprefix("/api/v1/")) for p in schema["paths"]}


def test_the_readme_names_the_register_and_workflow_paths():
    named = _named_paths()
    for path in (
        "recp-measures/",
        "symbiosis-exchanges/",
        "streams/",
        "iso-certificates/",
        "roadmap-actions/",
        "responses/{id}/submit/",
        "responses/{id}/reopen/",
    ):
        assert path in named, path
    assert len(named) >= 20


def test_every_api_path_the_readme_names_is_in_the_schema(schema_paths):
    missing = [p for p in _named_paths() if _shape(p) not in schema_paths]
    assert missing == [], f"README names paths the API does not have: {missing}"
