from __future__ import annotations

import pytest

from backend.startups.models import StartupProfile

pytestmark = pytest.mark.django_db


def test_put_creates_then_patch_updates_the_own_profile(world, client_for):
    client = client_for(world.startup_user)
    assert client.get("/api/startups/me/").status_code == 404
    created = client.put(
        "/api/startups/me/",
        {
            "name": "TinyML Labs",
            "summary": "Models for microcontrollers.",
            "stage": "seed",
            "capabilities": ["  Quantisation  "],
            "trl": 5,
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["capabilities"] == ["Quantisation"]
    updated = client.patch("/api/startups/me/", {"pitch": "Tiny models."}, format="json")
    assert updated.status_code == 200 and updated.json()["pitch"] == "Tiny models."
    assert StartupProfile.objects.get(organization=world.startup).summary == (
        "Models for microcontrollers."
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trl", 10),
        ("founded_year", 1800),
        ("stage", "unicorn"),
        ("website", "not a url"),
        ("capabilities", [""]),
        ("capabilities", ["x" * 501]),
        ("technology_tags", ["t"] * 31),
    ],
)
def test_profile_validation(world, client_for, field, value):
    response = client_for(world.startup_user).put(
        "/api/startups/me/", {"name": "Labs", field: value}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_filters(world, client_for, profile):
    client = client_for(world.enterprise_user)
    assert client.get("/api/startups/?stage=seed").json()["count"] == 1
    assert client.get("/api/startups/?stage=growth").json()["count"] == 0
    assert client.get("/api/startups/?region=shanghai").json()["count"] == 1
    assert client.get("/api/startups/?tags=tinyml").json()["count"] == 1
    assert client.get("/api/startups/?tags=robotics").json()["count"] == 0
    assert client.get("/api/startups/?trl_min=6").json()["count"] == 0
    assert client.get("/api/startups/?search=microcontrollers").json()["count"] == 1


PROFILE_FIELDS = {
    "summary": "We compress neural networks to run on microcontrollers.",
    "capabilities": ["Model quantisation for microcontrollers"],
    "stage": "seed",
    "trl": 5,
    "team_size": 14,
    "founded_year": 2019,
    "city": "Pudong",
    "region": "Shanghai",
    "website": "https://tinyml.example/",
    "languages": ["zh", "en"],
}


def test_firms_and_operators_read_what_a_startup_page_shows(world, client_for, profile):
    StartupProfile.objects.filter(pk=profile.pk).update(
        **{k: v for k, v in PROFILE_FIELDS.items() if k not in ("summary", "capabilities")}
    )
    for user in (world.enterprise_user, world.other_enterprise_user, world.operator_user):
        response = client_for(user).get(f"/api/startups/{profile.pk}/")
        assert response.status_code == 200
        assert {k: response.json()[k] for k in PROFILE_FIELDS} == PROFILE_FIELDS


def test_an_unpublished_profile_is_found_only_by_its_startup_and_operators(
    world, client_for, profile
):
    profile.published = False
    profile.save()
    url = f"/api/startups/{profile.pk}/"
    for user in (world.enterprise_user, world.other_startup_user):
        response = client_for(user).get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    for user in (world.startup_user, world.operator_user):
        assert client_for(user).get(url).status_code == 200
    assert client_for(None).get(url).status_code == 401
