"""The API docs are served from this origin, and every page carries a strict script policy."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["']([^"']+)["']""", re.I)


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages link their static files; without `collectstatic` there is no hashed manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assets(html: str) -> list[str]:
    return ASSET.findall(html)


def test_the_docs_page_loads_swagger_ui_from_this_origin(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = assets(html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, url
    for url in urls:
        path = urlsplit(url).path
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            relative = path.removeprefix("/" + settings.STATIC_URL.lstrip("/"))
            assert finders.find(relative), url
        else:
            # The init script: drf-spectacular's split view serves it from the docs URL.
            assert path == "/api/docs/", url
            script = client.get(url)
            assert script.status_code == 200
            assert "SwaggerUIBundle" in script.content.decode()


def test_the_docs_page_has_no_inline_script(client):
    html = client.get("/api/docs/").content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html, re.I):
        assert "src=" in tag, tag


@pytest.mark.parametrize("url", ["/accounts/login/", "/api/docs/"])
def test_responses_carry_a_strict_script_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in directives["script-src"]
