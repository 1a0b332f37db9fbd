"""The OpenAPI schema says what the API does: path parameters, response shapes, enums, types."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from backend.matches.models import Match

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    """Follow `$ref` and `allOf` until a concrete sub-schema (or a `oneOf`) remains."""
    while True:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in node and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            return node


def _allowed_values(schema, node) -> set:
    node = _resolve(schema, node)
    if "oneOf" in node or "anyOf" in node:
        return set().union(
            *(_allowed_values(schema, s) for s in node.get("oneOf", node.get("anyOf")))
        )
    values = set(node.get("enum", []))
    if node.get("nullable"):
        values.add(None)
    return values


def test_no_operation_declares_a_path_parameter_absent_from_its_path(schema):
    wrong = []
    for path, operations in schema["paths"].items():
        in_path = set(re.findall(r"{(\w+)}", path))
        for method, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            wrong += [f"{method.upper()} {path}: {name}" for name in declared - in_path]
            assert in_path <= declared, f"{method.upper()} {path} lacks {in_path - declared}"
    assert wrong == []


@pytest.mark.parametrize("path", ["/api/search/challenges/", "/api/search/startups/"])
def test_search_responses_are_count_and_results_objects(schema, path):
    body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    answer = _resolve(schema, body["schema"])
    assert answer.get("type") == "object", answer
    assert set(answer["properties"]) == {"count", "results"}
    assert answer["properties"]["count"]["type"] == "integer"
    assert answer["properties"]["results"]["type"] == "array"
    assert set(answer["required"]) == {"count", "results"}


def test_declined_side_documents_the_blank_an_undeclined_match_returns(
    schema, world, client_for, challenge, profile
):
    Match.objects.create(challenge=challenge, startup=profile, score=0.5, rank=1)
    allowed = _allowed_values(
        schema, schema["components"]["schemas"]["Match"]["properties"]["declined_side"]
    )
    assert allowed >= {"", "enterprise", "startup"}

    response = client_for(world.enterprise_user).get(f"/api/challenges/{challenge.pk}/matches/")
    assert response.status_code == 200
    [match] = response.json()["results"]
    assert match["declined_side"] == ""
    assert match["declined_side"] in allowed


@pytest.mark.parametrize(
    ("field", "value"),
    [("published", 0), ("published", "true"), ("name", 0), ("name", ["Labs"])],
)
def test_profile_body_rejects_coerced_types(world, client_for, field, value):
    body = {"name": "Labs", "summary": "Models.", **{field: value}}
    response = client_for(world.startup_user).put("/api/startups/me/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_profile_body_still_takes_real_types(world, client_for):
    body = {"name": "Labs", "summary": "Models.", "published": True}
    response = client_for(world.startup_user).put("/api/startups/me/", body, format="json")
    assert response.status_code == 201
    assert response.json()["name"] == "Labs" and response.json()["published"] is True


def test_every_operation_documents_its_error_responses_in_the_error_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message", "fields"}
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            expected = {"400", "401", "403", "404", "429"}
            if method in {"post", "put", "patch", "delete"}:
                expected.add("409")
            if "requestBody" in operation:
                expected |= {"413", "415"}
            for status in sorted(expected):
                response = operation["responses"].get(status)
                body = (response or {}).get("content", {}).get("application/json", {})
                if body.get("schema") != {"$ref": "#/components/schemas/Error"}:
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


@pytest.mark.parametrize("component", ["Challenge", "StartupProfile"])
def test_matching_status_documents_the_blank_a_draft_returns(schema, component):
    node = schema["components"]["schemas"][component]["properties"]["matching_status"]
    assert _allowed_values(schema, node) >= {"", "pending", "ready", "failed"}


def test_a_draft_challenge_returns_a_blank_matching_status(world, client_for, accelerator):
    response = client_for(world.enterprise_user).post(
        "/api/challenges/",
        {"accelerator": accelerator.pk, "title": "Draft", "problem_statement": "Not yet."},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["matching_status"] == ""


@pytest.mark.parametrize(
    ("path", "name", "bounds"),
    [
        ("/api/challenges/", "page", {"minimum": 1}),
        ("/api/challenges/", "page_size", {"minimum": 1}),
        ("/api/startups/", "trl_min", {"minimum": 1, "maximum": 9}),
        ("/api/matches/", "trl_max", {"minimum": 1, "maximum": 9}),
    ],
)
def test_query_parameters_document_their_bounds(schema, path, name, bounds):
    [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    assert bounds.items() <= parameter["schema"].items()


def test_membership_documents_the_operator_only_fields_as_optional(schema):
    membership = schema["components"]["schemas"]["CohortMembership"]
    for name in ("note", "decided_by"):
        assert name in membership["properties"], name
        assert name not in membership["required"], name
        assert "operators only" in membership["properties"][name]["description"]
