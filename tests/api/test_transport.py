"""What reaches the server on the wire, before any view: bodies sent in chunks and bodies too
large, over a real connection to uvicorn."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from django.conf import settings


def _post(server, path: str, chunks: list[bytes] | None = None, body: bytes | None = None):
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"}
        if chunks is not None:
            connection.request(
                "POST", path, body=iter(chunks), headers=headers, encode_chunked=True
            )
        else:
            connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def test_a_chunked_api_body_answers_411_in_the_error_shape(platform):
    server, _ = platform
    body = [b'{"email": "firm@web.test", ', b'"password": "a-long-browser-password"}']
    status, content_type, answer = _post(server, "/api/auth/token/", chunks=body)
    assert status == 411
    assert content_type == "application/json"
    assert json.loads(answer)["error"]["code"] == "length_required"


def test_a_large_chunked_body_is_refused_unread(platform):
    server, _ = platform
    chunk = b"x" * (1024 * 1024)
    status, _, answer = _post(server, "/api/auth/signup/", chunks=[chunk] * 8)
    assert status == 411, answer


def test_a_chunked_form_answers_411(platform):
    server, _ = platform
    status, content_type, _ = _post(server, "/accounts/login/", chunks=[b"email=a&password=b"])
    assert status == 411
    assert content_type.startswith("text/plain")


def test_a_body_past_the_limit_answers_413_in_the_error_shape(platform):
    server, _ = platform
    body = b'{"email": "' + b"x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + b'"}'
    status, _, answer = _post(server, "/api/auth/token/", body=body)
    assert status == 413, answer
    assert json.loads(answer)["error"]["code"] == "too_large"


def test_a_body_with_its_length_is_read(platform):
    server, _ = platform
    body = json.dumps({"email": "firm@web.test", "password": "a-long-browser-password"})
    status, _, answer = _post(server, "/api/auth/token/", body=body.encode())
    assert status == 200, answer
    assert json.loads(answer)["token"]
