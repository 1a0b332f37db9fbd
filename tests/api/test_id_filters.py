"""Filters that take an id must not be an oracle, and OPTIONS must never be a 500.

An id the requesting user may not read (the detail route answers 404) answers a filter exactly
as an id that does not exist: 400 "Select a valid choice", in the one error shape.
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver
from django_filters import filters as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field

from backend.common.filters import VisibleChoicesMixin
from backend.matches.models import Match
from backend.programs.models import Challenge
from tests.api import test_permission_matrix as matrix
from tests.factories import AcceleratorFactory, ChallengeFactory

ROLES = matrix.ROLES
SIGNED_IN = [role for role in ROLES if role != "anonymous"]
MISSING = 999_999

# Id filters of the programmes app, which the inventory must find too.
PROGRAMS_FILTERS = {
    ("ChallengeViewSet", "accelerator"),
    ("ChallengeSearchView", "accelerator"),
    ("AcceleratorViewSet", "enterprise"),
    ("CohortViewSet", "accelerator"),
}

scene = matrix.scene


@pytest.fixture
def ids(scene):
    """The matrix's scene, plus the other firm's draft: hidden from everyone but it and ops."""
    foreign = AcceleratorFactory(enterprise=scene.world.other_enterprise)
    foreign_draft = ChallengeFactory(
        accelerator=foreign, status=Challenge.Status.DRAFT, published_at=None
    )
    return {
        **scene.ids,
        "foreign_draft": foreign_draft.pk,
        "user": scene.world.enterprise_user.pk,
        "organization": scene.world.startup.pk,
    }


def challenge_ids(ids) -> list[int]:
    return [ids[key] for key in ("public", "confidential", "draft", "foreign_draft")]


def readable(client, challenge_id: int) -> bool:
    status = client.get(f"/api/challenges/{challenge_id}/").status_code
    assert status in (200, 404), status
    return status == 200


def answer(client, url: str) -> tuple[int, dict]:
    response = client.get(url)
    return response.status_code, response.json()


@pytest.mark.parametrize("role", SIGNED_IN)
def test_match_filter_answers_a_hidden_challenge_as_a_missing_one(scene, ids, client_for, role):
    client = client_for(scene.world.user(role))
    missing = answer(client, f"/api/matches/?challenge={MISSING}")
    assert missing[0] == 400
    assert set(missing[1]["error"]) == {"code", "message", "fields"}
    assert "challenge" in missing[1]["error"]["fields"]
    hidden = [pk for pk in challenge_ids(ids) if not readable(client, pk)]
    for pk in hidden:
        assert answer(client, f"/api/matches/?challenge={pk}") == missing, (role, pk)
    for pk in set(challenge_ids(ids)) - set(hidden):
        status, body = answer(client, f"/api/matches/?challenge={pk}")
        assert status == 200, (role, pk)
        assert {Match.objects.get(pk=item["id"]).challenge_id for item in body["results"]} <= {pk}


def test_hidden_ids_are_tested_for_every_kind_of_outsider(scene, ids, client_for):
    """The test above is only as good as its scene: each outsider has some hidden challenge."""
    world = scene.world
    for role in ("enterprise", "other_enterprise", "startup", "other_startup"):
        client = client_for(world.user(role))
        assert any(not readable(client, pk) for pk in challenge_ids(ids)), role


def test_a_visible_challenge_still_filters(scene, ids, client_for):
    for role in ("enterprise", "startup", "operator"):
        status, body = answer(
            client_for(scene.world.user(role)), f"/api/matches/?challenge={ids['confidential']}"
        )
        assert status == 200
        assert [item["id"] for item in body["results"]] == [ids["match"]], role


@pytest.mark.parametrize("role", ["enterprise", "operator"])
def test_challenge_matches_filter_answers_a_hidden_challenge_as_a_missing_one(
    scene, ids, client_for, role
):
    client = client_for(scene.world.user(role))
    base = f"/api/challenges/{ids['confidential']}/matches/"
    missing = answer(client, f"{base}?challenge={MISSING}")
    assert missing[0] == 400
    hidden = [pk for pk in challenge_ids(ids) if not readable(client, pk)]
    assert hidden or role == "operator"
    for pk in hidden:
        assert answer(client, f"{base}?challenge={pk}") == missing, (role, pk)


def test_the_reported_case_another_firms_draft_reads_as_missing(scene, ids, client_for):
    """The reported case: another firm's draft, through the match list."""
    client = client_for(scene.world.other_enterprise_user)
    assert answer(client, f"/api/matches/?challenge={ids['draft']}") == answer(
        client, f"/api/matches/?challenge={MISSING}"
    )


# --- Every id filter of the API scopes its choices ---------------------------------------


def api_routes():
    """(name, kwargs names, view callback) of every route in `backend/config/api_urls.py`."""
    resolver = get_resolver("backend.config.api_urls")

    def walk(patterns, inherited=frozenset()):
        for pattern in patterns:
            params = inherited | set(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, params)
            elif "format" not in params:
                yield pattern.name, params, pattern.callback

    return resolver, list(walk(resolver.url_patterns))


def id_filters():
    """(view, filter name, filter) for every filter of the API's views on a relation."""
    backend = DjangoFilterBackend()
    seen = set()
    for _name, _params, callback in api_routes()[1]:
        view_class = callback.cls
        if view_class in seen:
            continue
        seen.add(view_class)
        view = view_class(**getattr(callback, "initkwargs", {}))
        backends = getattr(view, "filter_backends", [])
        if not any(issubclass(backend_class, DjangoFilterBackend) for backend_class in backends):
            continue
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            model = filterset_class._meta.model
        elif getattr(view, "filterset_fields", None):
            model = view.serializer_class.Meta.model
        else:
            continue
        filterset_class = backend.get_filterset_class(view, model._default_manager.none())
        for name, filter_ in filterset_class.base_filters.items():
            field = get_model_field(model, filter_.field_name)
            takes_id = isinstance(
                filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
            ) or (field is not None and field.is_relation)
            if takes_id:
                yield view_class.__name__, name, filter_


def test_the_filter_inventory_finds_the_known_id_filters():
    found = {(view, name) for view, name, _ in id_filters()}
    assert {("MatchViewSet", "challenge"), ("ChallengeMatchesView", "challenge")} <= found
    assert found >= PROGRAMS_FILTERS


def test_every_id_filter_takes_its_choices_from_what_the_user_may_see():
    unscoped = [
        (view, name)
        for view, name, filter_ in id_filters()
        if not isinstance(filter_, VisibleChoicesMixin)
    ]
    assert unscoped == [], "use backend.common.filters.VisibleModelChoiceFilter"


def test_a_scoped_filter_refuses_a_fixed_queryset():
    from backend.common.filters import VisibleModelChoiceFilter

    with pytest.raises(TypeError):
        VisibleModelChoiceFilter(queryset=Challenge.objects.all(), visible_to=lambda request: None)


# --- OPTIONS on every route, with every role ----------------------------------------------


def route_urls(ids) -> list[str]:
    """Each route once with the scene's objects and once with ids that do not exist."""
    pk_for = {
        "accelerator": ids["accelerator"],
        "challenge": ids["confidential"],
        "cohort": ids["cohort"],
        "startup": ids["profile"],
        "match": ids["match"],
        "conversation": ids["conversation"],
        "organization": ids["organization"],
    }
    resolver, routes = api_routes()
    urls = set()
    for name, params, _callback in routes:
        for existing in (True, False):
            kwargs = {}
            # The other ids a route takes: a cohort place, a firm's member, a document (the
            # scene has none: both variants ask for a missing one).
            others = {"member_pk": ids["invited"], "user_id": ids["user"], "attachment_pk": MISSING}
            for param in params:
                if param == "pk":
                    # A kind of object the scene has none of: both variants ask for a missing one.
                    kind = name.split("-")[0]
                    kwargs[param] = pk_for.get(kind, MISSING) if existing else MISSING
                elif param in others:
                    kwargs[param] = others[param] if existing else MISSING
                else:
                    raise AssertionError(f"no value for {param} in route {name}")
            urls.add("/api/" + resolver.reverse(name, **kwargs))
    return sorted(urls)


def test_the_route_inventory_covers_the_api(scene, ids):
    urls = route_urls(ids)
    for url in ("/api/startups/me/", f"/api/cohorts/{ids['cohort']}/members/", "/api/me/"):
        assert url in urls
    assert len(urls) > 30


@pytest.mark.parametrize("role", ROLES)
def test_options_never_answers_a_server_error(scene, ids, client_for, role):
    client = client_for(scene.world.user(role))
    for url in route_urls(ids):
        response = client.options(url)
        assert response.status_code < 500, (url, response.content)
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "fields"}, url


@pytest.mark.parametrize("role", ["startup", "other_startup"])
def test_options_on_own_profile_describes_its_put(scene, client_for, role):
    response = client_for(scene.world.user(role)).options("/api/startups/me/")
    assert response.status_code == 200, response.content
    assert "pitch" in response.json()["actions"]["PUT"]


def test_options_on_a_hidden_object_lists_no_put(scene, ids, client_for):
    response = client_for(scene.world.other_enterprise_user).options(
        f"/api/challenges/{ids['draft']}/"
    )
    assert response.status_code == 200
    assert "PUT" not in response.json().get("actions", {})
    own = client_for(scene.world.enterprise_user).options(f"/api/challenges/{ids['draft']}/")
    assert "PUT" in own.json()["actions"]
