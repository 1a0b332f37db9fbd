"""What reaches the server on the wire, before any view: bodies sent in chunks and bodies too
large, over a real connection to uvicorn."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from django.conf import settings

# Signed in, and not rate-limited as sign-in is: the generated-request tests share this server.
SEEN = "/api/notifications/seen/"


def _post(platform, path: str, chunks: list[bytes] | None = None, body: bytes | None = None):
    server, tokens = platform
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Token {tokens['startup']}",
        }
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
    status, content_type, answer = _post(platform, SEEN, chunks=[b'{"up_to": ', b"0}"])
    assert status == 411
    assert content_type == "application/json"
    assert json.loads(answer)["error"]["code"] == "length_required"


def test_a_large_chunked_body_is_refused_unread(platform):
    chunk = b"x" * (1024 * 1024)
    status, _, answer = _post(platform, SEEN, chunks=[chunk] * 8)
    assert status == 411, answer


def test_a_chunked_form_answers_411(platform):
    status, content_type, _ = _post(platform, "/accounts/login/", chunks=[b"email=a&password=b"])
    assert status == 411
    assert content_type.startswith("text/plain")


def test_a_body_past_the_limit_answers_413_in_the_error_shape(platform):
    body = b'{"ids": [' + b"1, " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3) + b"1]}"
    status, _, answer = _post(platform, SEEN, body=body)
    assert status == 413, answer
    assert json.loads(answer)["error"]["code"] == "too_large"


def test_a_body_with_its_length_is_read(platform):
    status, _, answer = _post(platform, SEEN, body=json.dumps({"up_to": 0}).encode())
    assert status == 200, answer
    assert "unseen" in json.loads(answer)
