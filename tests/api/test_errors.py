"""Bad input gets one JSON error shape and never a 500."""

from __future__ import annotations

import pytest

from tests.assertions import assert_error_shape

pytestmark = pytest.mark.django_db

WRITE_ENDPOINTS = [
    ("post", "/api/accelerators/", "enterprise"),
    ("post", "/api/challenges/", "enterprise"),
    ("put", "/api/startups/me/", "startup"),
    ("post", "/api/cohorts/", "operator"),
    ("post", "/api/auth/token/", "anonymous"),
    ("post", "/api/auth/signup/", "anonymous"),
]


@pytest.mark.parametrize(("method", "url", "role"), WRITE_ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]", b'"a string"', b"NaN"],
    ids=["malformed", "not-utf8", "array", "string", "nan"],
)
def test_unparseable_bodies_answer_400(world, client_for, method, url, role, raw):
    client = client_for(world.user(role))
    response = getattr(client, method)(url, data=raw, content_type="application/json")
    assert_error_shape(response, 400, "malformed_request")


@pytest.mark.parametrize(("method", "url", "role"), WRITE_ENDPOINTS)
def test_wrong_types_answer_400_with_fields(world, client_for, accelerator, method, url, role):
    client = client_for(world.user(role))
    payload = {
        "name": ["not", "a", "string"],
        "title": {"nested": True},
        "accelerator": "abc",
        "problem_statement": 12,
        "capabilities": "not a list",
        "stage": "unicorn",
        "trl": "high",
        "capacity": -5,
        "email": 42,
        "password": None,
        "kind": "operator",
        "organization_name": None,
    }
    error = assert_error_shape(getattr(client, method)(url, payload, format="json"), 400, "invalid")
    assert error["fields"], error


def test_unknown_enum_values_are_named(world, client_for, accelerator):
    client = client_for(world.enterprise_user)
    response = client.post(
        "/api/challenges/",
        {
            "accelerator": accelerator.pk,
            "title": "t",
            "problem_statement": "p",
            "visibility": "secret",
            "language": "fr",
        },
        format="json",
    )
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == {"visibility", "language"}


def test_huge_strings_answer_400(world, client_for, accelerator):
    client = client_for(world.enterprise_user)
    response = client.post(
        "/api/challenges/",
        {"accelerator": accelerator.pk, "title": "x" * 100_000, "problem_statement": "p"},
        format="json",
    )
    assert "title" in assert_error_shape(response, 400, "invalid")["fields"]


def test_body_over_the_upload_limit_answers_413_or_400(world, client_for):
    client = client_for(world.enterprise_user)
    response = client.post(
        "/api/accelerators/",
        data=b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}',
        content_type="application/json",
    )
    assert response.status_code in (400, 413)
    assert "error" in response.json()


def test_model_rules_come_back_as_field_errors(world, client_for, accelerator):
    client = client_for(world.enterprise_user)
    response = client.post(
        "/api/challenges/",
        {
            "accelerator": accelerator.pk,
            "title": "t",
            "problem_statement": "p",
            "trl_min": 7,
            "trl_max": 3,
        },
        format="json",
    )
    error = assert_error_shape(response, 400, "invalid")
    assert "trl_max" in error["fields"]


def test_invalid_transition_answers_409(world, client_for, challenge):
    client = client_for(world.enterprise_user)
    assert client.post(f"/api/challenges/{challenge.pk}/archive/").status_code == 409
    assert_error_shape(
        client.post(f"/api/challenges/{challenge.pk}/archive/"), 409, "invalid_transition"
    )


def test_unknown_api_url_answers_json_404(world, client_for):
    response = client_for(world.enterprise_user).get("/api/no-such-thing/")
    assert_error_shape(response, 404, "not_found")


def test_anonymous_gets_401_in_the_error_shape(client_for, db):
    assert_error_shape(client_for(None).get("/api/challenges/"), 401, "not_authenticated")


def test_page_size_is_capped(world, client_for):
    response = client_for(world.enterprise_user).get("/api/startups/?page_size=100000")
    assert response.status_code == 200


def test_a_page_past_the_last_answers_404_in_the_error_shape(world, client_for):
    response = client_for(world.enterprise_user).get("/api/startups/?page=99")
    assert_error_shape(response, 404, "not_found")


def test_openapi_schema_documents_every_endpoint_without_warnings(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    out = tmp_path / "schema.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(out),
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        env={"SECRET_KEY": "x", "PATH": ""},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    schema = out.read_text()
    for path in (
        "/api/challenges/{id}/publish/",
        "/api/startups/me/",
        "/api/matches/{id}/interest/",
        "/api/search/startups/",
        "/api/cohorts/{id}/members/",
    ):
        assert path in schema, path


@pytest.mark.parametrize("param", ["page", "page_size"])
@pytest.mark.parametrize("value", ["null", "abc", "", "0", "00", "-3", "2.5", "²"])
def test_a_page_or_size_that_is_not_a_positive_whole_number_answers_400(
    world, client_for, param, value
):
    client = client_for(world.enterprise_user)
    error = assert_error_shape(client.get("/api/challenges/", {param: value}), 400)
    assert param in error["fields"]
    assert client.get("/api/challenges/", {param: "1"}).status_code == 200


def test_the_last_page_can_be_asked_for_by_name(world, client_for):
    assert client_for(world.enterprise_user).get("/api/challenges/?page=last").status_code == 200


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/matches/", "trl_min"),
        ("/api/matches/", "trl_max"),
        ("/api/startups/", "trl_min"),
        ("/api/challenges/", "trl"),
    ],
)
@pytest.mark.parametrize("value", ["0.5", "0", "10", "high"])
def test_a_trl_filter_takes_only_a_level_from_1_to_9(world, client_for, url, name, value):
    client = client_for(world.enterprise_user)
    assert_error_shape(client.get(url, {name: value}), 400)
    assert client.get(url, {name: "5"}).status_code == 200


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/startups/", "published"),
        ("/api/startups/", "trl_min"),
        ("/api/challenges/", "status"),
        ("/api/matches/", "challenge"),
    ],
)
def test_a_typed_filter_given_no_value_answers_400(world, client_for, url, param):
    """django-filter drops an empty typed filter, which would list everything."""
    error = assert_error_shape(client_for(world.enterprise_user).get(url, {param: ""}), 400)
    assert list(error["fields"]) == [param]


@pytest.mark.parametrize("value", ["null", "1", "yes", "True"])
def test_a_yes_no_filter_takes_only_true_or_false(world, client_for, profile, value):
    client = client_for(world.enterprise_user)
    error = assert_error_shape(client.get("/api/startups/", {"published": value}), 400)
    assert error["fields"] == {"published": ["Enter true or false."]}
    assert client.get("/api/startups/", {"published": "true"}).json()["count"] == 1
    assert client.get("/api/startups/", {"published": "false"}).json()["count"] == 0


@pytest.mark.parametrize(
    "url", ["/api/startups/", "/api/search/startups/?q=sensors", "/api/matches/"]
)
@pytest.mark.parametrize("param", ["trl_max", "region"])
def test_a_filter_given_twice_answers_400(world, client_for, url, param):
    """django-filter would read the last value and drop the others."""
    query = f"{'&' if '?' in url else '?'}{param}=3&{param}="
    error = assert_error_shape(client_for(world.enterprise_user).get(url + query), 400)
    assert error["fields"] == {param: ["Give this filter once."]}


def test_a_text_is_as_long_as_it_was_sent_trimmed_or_not(world, client_for, accelerator):
    """The schema's maxLength is of the text sent: spaces around it count."""
    client = client_for(world.enterprise_user)
    url = f"/api/accelerators/{accelerator.pk}/"
    padded = client.patch(url, {"industry_focus": " " * 10 + "x" * 195}, format="json")
    assert "industry_focus" in assert_error_shape(padded, 400, "invalid")["fields"]
    assert (
        client.patch(url, {"industry_focus": " " * 5 + "x" * 195}, format="json").status_code == 200
    )


def test_an_empty_text_filter_is_no_filter(world, client_for, profile):
    response = client_for(world.enterprise_user).get("/api/startups/", {"region": ""})
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": [2**63]}, "ids"),
        ({"up_to": 2**64}, "up_to"),
    ],
)
def test_an_id_past_any_row_answers_400_not_an_overflow(world, client_for, body, field):
    response = client_for(world.startup_user).post("/api/notifications/seen/", body, format="json")
    assert field in assert_error_shape(response, 400)["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Lab", "description": 0}, "description"),
        ({"name": "Lab", "industry_focus": ["batteries"]}, "industry_focus"),
    ],
)
def test_model_text_fields_take_only_strings(world, client_for, body, field):
    response = client_for(world.enterprise_user).post("/api/accelerators/", body, format="json")
    assert field in assert_error_shape(response, 400)["fields"]


@pytest.mark.parametrize("amount", [0, 50000, 12.5, True])
def test_a_budget_is_written_as_a_string(world, client_for, challenge, amount):
    client = client_for(world.enterprise_user)
    url = f"/api/challenges/{challenge.pk}/"
    error = assert_error_shape(client.patch(url, {"budget_max": amount}, format="json"), 400)
    assert "budget_max" in error["fields"]
    accepted = client.patch(url, {"budget_max": "50000.00"}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["budget_max"] == "50000.00"


@pytest.mark.parametrize("body", ["\x1d", "\x1c\x1f", "\x0b"])
def test_a_body_of_control_characters_is_not_an_empty_one(world, client_for, body):
    """Python's strip() takes them for whitespace; JSON does not."""
    response = client_for(world.startup_user).generic(
        "PUT", "/api/notifications/preferences/", body, content_type="application/json"
    )
    assert_error_shape(response, 400)
