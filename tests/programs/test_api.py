from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.programs.models import Cohort, CohortMembership
from tests.factories import CohortFactory, CohortMembershipFactory

pytestmark = pytest.mark.django_db
S = CohortMembership.Status


def cohort_list(client) -> tuple[dict[int, int], int]:
    """The cohort list's accepted counts by cohort id, and the queries it took."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/cohorts/")
    assert response.status_code == 200
    counts = {row["id"]: row["accepted_count"] for row in response.json()["results"]}
    return counts, len(captured)


def test_each_listed_cohort_counts_its_accepted_startups(world, accelerator, client_for):
    full, empty = CohortFactory(accelerator=accelerator), CohortFactory(accelerator=accelerator)
    for status in (S.ACCEPTED, S.ACCEPTED, S.INVITED, S.DECLINED, S.SHORTLISTED):
        CohortMembershipFactory(cohort=full, status=status)
    counts, _ = cohort_list(client_for(world.enterprise_user))
    assert counts == {full.pk: 2, empty.pk: 0}
    assert list(counts) == list(Cohort.objects.values_list("pk", flat=True))  # the model's order


def test_the_cohort_list_takes_as_many_queries_for_many_cohorts_as_for_one(
    world, accelerator, client_for
):
    client = client_for(world.operator_user)
    CohortMembershipFactory(cohort=CohortFactory(accelerator=accelerator), status=S.ACCEPTED)
    cohort_list(client)  # the first request of a session also reads what later ones reuse
    _, one = cohort_list(client)
    for _ in range(5):
        CohortMembershipFactory(cohort=CohortFactory(accelerator=accelerator), status=S.ACCEPTED)
    counts, six = cohort_list(client)
    assert list(counts.values()) == [1] * 6
    assert six == one


def test_a_created_and_an_updated_cohort_answer_with_their_accepted_count(
    world, accelerator, client_for
):
    client = client_for(world.operator_user)
    created = client.post(
        "/api/cohorts/",
        {"accelerator": accelerator.pk, "name": "Spring", "capacity": 3},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["accepted_count"] == 0
    cohort_id = created.json()["id"]
    CohortMembershipFactory(cohort_id=cohort_id, status=S.ACCEPTED)
    updated = client.patch(f"/api/cohorts/{cohort_id}/", {"name": "Spring 2"}, format="json")
    assert updated.status_code == 200, updated.json()
    assert updated.json()["accepted_count"] == 1
