"""Notifications are stored with the change that caused them and sent live after commit, so a
user whose socket was down still finds them; each user reads and clears only their own."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from backend.accounts.mail import wake_mail_sender
from backend.accounts.selectors import actor_for
from backend.common.events import user_group
from backend.matches.models import Match
from backend.matches.services import match_express_interest
from backend.notifications.models import Notification
from backend.notifications.services import notify
from backend.programs.models import CohortMembership
from backend.programs.services import cohort_member_add
from tests.assertions import assert_error_shape
from tests.factories import CohortFactory

URL = "/api/notifications/"


def received_by(user, send) -> dict:
    """What a channel in the user's notification group, as their socket would be, receives
    when `send` runs. One event loop throughout: a channel lives in the loop that made it."""

    async def listen_then_send() -> dict:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(user_group(user.pk), channel)
        await sync_to_async(send)()
        return (await layer.receive(channel))["event"]

    return async_to_sync(listen_then_send)()


def test_an_event_is_stored_for_each_user_then_sent_with_its_id(
    world, django_capture_on_commit_callbacks
):
    event = {"type": "match.connected", "match": 7}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notify(event=event, user_ids=[world.startup_user.pk, world.enterprise_user.pk])
    # Stored inside the transaction, before anything is sent.
    stored = Notification.objects.get(user=world.startup_user)
    assert stored.kind == "match.connected" and stored.event == event and stored.seen_at is None
    assert Notification.objects.filter(user=world.enterprise_user).count() == 1
    # Besides the mail sender's wake-ups (the connection is mailed at once), one live send per
    # user, each with that user's own row.
    sends = [callback for callback in callbacks if callback is not wake_mail_sender]
    assert len(rows) == len(sends) == 2
    for row, send in zip(rows, sends, strict=True):
        assert received_by(row.user, send) == {**event, "id": row.pk}
    assert stored in rows


def test_a_rolled_back_change_leaves_no_notification(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(event={"type": "match.connected", "match": 1}, user_ids=[world.startup_user.pk])
        raise RuntimeError("the change fails")
    assert not Notification.objects.exists()


def test_interest_and_cohort_invitations_are_stored_for_the_right_people(world, challenge, profile):
    match = Match.objects.create(challenge=challenge, startup=profile, score=1.0, rank=1)
    match_express_interest(match=match, actor=actor_for(world.startup_user))
    for user in (world.enterprise_user, world.startup_user):
        assert Notification.objects.get(user=user).kind == "match.interest"
    cohort = CohortFactory(accelerator=challenge.accelerator)
    cohort_member_add(
        actor=actor_for(world.operator_user),
        cohort=cohort,
        startup=world.startup,
        status=CohortMembership.Status.INVITED,
    )
    invitation = Notification.objects.get(user=world.startup_user, kind="cohort.invited")
    assert invitation.event["cohort_name"] == cohort.name
    assert not Notification.objects.filter(user=world.other_startup_user).exists()


def test_i_page_through_my_own_notifications_and_see_what_is_unseen(world, client_for):
    for n in range(5):
        notify(event={"type": "match.proposed", "match": n}, user_ids=[world.startup_user.pk])
    notify(event={"type": "match.proposed", "match": 99}, user_ids=[world.other_startup_user.pk])
    client = client_for(world.startup_user)
    first = client.get(URL, {"limit": 3}).json()
    assert [row["event"]["match"] for row in first["results"]] == [4, 3, 2]
    assert first["has_more"] is True and first["unseen"] == 5
    assert set(first["results"][0]) == {"id", "type", "event", "created_at", "seen"}
    rest = client.get(URL, {"limit": 3, "before": first["results"][-1]["id"]}).json()
    assert [row["event"]["match"] for row in rest["results"]] == [1, 0]
    assert rest["has_more"] is False


def test_marking_seen_moves_only_my_own_notifications(world, client_for):
    mine = [
        notify(event={"type": "match.proposed", "match": n}, user_ids=[world.startup_user.pk])[0]
        for n in range(4)
    ]
    foreign = notify(
        event={"type": "match.proposed", "match": 9}, user_ids=[world.other_startup_user.pk]
    )[0]
    client = client_for(world.startup_user)
    seen = client.post(f"{URL}seen/", {"up_to": mine[1].pk}, format="json")
    assert seen.status_code == 200 and seen.json() == {"unseen": 2}
    answer = client.post(f"{URL}seen/", {"ids": [mine[3].pk, foreign.pk]}, format="json")
    assert answer.json() == {"unseen": 1}
    foreign.refresh_from_db()
    assert foreign.seen_at is None
    assert [row["seen"] for row in client.get(URL).json()["results"]] == [True, False, True, True]


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", URL, {"limit": 0}),
        ("get", URL, {"limit": 101}),
        ("get", URL, {"before": "abc"}),
        ("post", f"{URL}seen/", {}),
        ("post", f"{URL}seen/", {"up_to": "3"}),
        ("post", f"{URL}seen/", {"up_to": -1}),
        ("post", f"{URL}seen/", {"ids": [True]}),
        ("post", f"{URL}seen/", {"ids": "1,2"}),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(world, client_for, method, path, data):
    client = client_for(world.startup_user)
    response = getattr(client, method)(path, data, format="json" if method == "post" else None)
    assert_error_shape(response, 400)


def test_anonymous_visitors_are_refused(world, client_for):
    assert_error_shape(client_for(None).get(URL), 401)
    assert_error_shape(client_for(None).post(f"{URL}seen/", {"up_to": 1}, format="json"), 401)
