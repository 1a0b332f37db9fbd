"""Notifications by mail, through a real SMTP server: at once, in a daily digest, or not at all,
as each user chose per group; each notification is mailed at most once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from backend.accounts.mail import outbox_send
from backend.notifications.digests import seconds_until
from backend.notifications.models import Notification
from backend.notifications.services import (
    digest_queue,
    digests_send,
    notification_preferences_set,
    notify,
)
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def cohort_invitation(world, name: str = "2027 Spring intake") -> dict:
    return {"type": "cohort.invited", "cohort": 1, "membership": 1, "cohort_name": name}


def proposal(world, title: str) -> dict:
    return {
        "type": "match.proposed",
        "by": None,
        "match": 7,
        "challenge": 3,
        "challenge_title": title,
        "startup": 5,
        "startup_name": "TinyML Labs",
        "status": "proposed",
    }


def test_an_invitation_is_mailed_at_once_with_its_link(world, smtp):
    notify(event=cohort_invitation(world), user_ids=[world.startup_user.pk])
    assert outbox_send() == 1
    (mail,) = smtp.wait(world.startup_user.email)
    assert mail.subject == "You are invited to the cohort “2027 Spring intake”"
    assert "http://127.0.0.1:8000/invitations/" in mail.body
    assert Notification.objects.get().mailed_at is not None
    assert digests_send() == 0  # mailed once: not again in a digest


def test_nobody_is_mailed_about_what_they_did_themselves(world, smtp):
    event = {**proposal(world, "Battery cells"), "type": "match.connected"}
    users = [world.startup_user.pk, world.enterprise_user.pk]
    notify(event={**event, "by": world.enterprise_user.pk}, user_ids=users)
    assert outbox_send() == 1
    assert smtp.wait(world.startup_user.email)
    assert smtp.to(world.enterprise_user.email) == []


def test_a_group_turned_off_is_never_mailed(world, smtp):
    notification_preferences_set(user=world.startup_user, deliveries={"invitations": "off"})
    notify(event=cohort_invitation(world), user_ids=[world.startup_user.pk])
    assert digests_send() == 0 and outbox_send() == 0


def test_the_daily_digest_holds_what_happened_and_is_not_sent_again(world, smtp):
    firm_user = world.enterprise_user
    notify(event=proposal(world, "Battery cells"), user_ids=[firm_user.pk])
    notify(event=proposal(world, "Grid sensors"), user_ids=[firm_user.pk])
    assert outbox_send() == 0  # new matches wait for the digest by default

    assert digests_send() == 1
    assert digests_send() == 0
    outbox_send()
    (digest,) = smtp.wait(firm_user.email)
    assert digest.subject == "Your Cohortis digest: 2 updates"
    assert "- New match: TinyML Labs for “Battery cells”" in digest.body
    assert "- New match: TinyML Labs for “Grid sensors”" in digest.body
    assert "http://127.0.0.1:8000/challenges/3/matches/" in digest.body

    # The next digest holds only what happened since.
    notify(event=proposal(world, "Hydrogen storage"), user_ids=[firm_user.pk])
    call_command("send_digests")
    later = smtp.wait(firm_user.email, 2)[1]
    assert "Hydrogen storage" in later.body and "Battery cells" not in later.body


def test_mail_comes_in_the_recipients_language(world, smtp):
    world.startup_user.language = "zh-hans"
    world.startup_user.save()
    notify(event=cohort_invitation(world, "春季批次"), user_ids=[world.startup_user.pk])
    outbox_send()
    (mail,) = smtp.wait(world.startup_user.email)
    assert mail.subject == "你受邀加入批次“春季批次”"


def test_an_unverified_address_gets_no_notification_mail(world, smtp):
    newcomer = member_of(world.startup)
    newcomer.email_verified = False
    newcomer.save()
    notify(event=cohort_invitation(world), user_ids=[newcomer.pk])
    assert outbox_send() == 0


def test_preferences_have_defaults_and_change_through_the_api(world, client_for):
    client = client_for(world.startup_user)
    assert client.get("/api/notifications/preferences/").json() == {
        "invitations": "immediately",
        "connections": "immediately",
        "new_matches": "daily",
        "reminders": "immediately",
        "activity": "daily",
    }
    changed = client.put(
        "/api/notifications/preferences/", {"new_matches": "off"}, format="json"
    ).json()
    assert changed["new_matches"] == "off" and changed["invitations"] == "immediately"
    # Another user's settings are their own.
    other = client_for(world.other_startup_user).get("/api/notifications/preferences/")
    assert other.json()["new_matches"] == "daily"


@pytest.mark.parametrize("body", [{"new_matches": "weekly"}, {"new_matches": 1}])
def test_a_bad_preference_is_refused(world, client_for, body):
    response = client_for(world.startup_user).put(
        "/api/notifications/preferences/", body, format="json"
    )
    assert response.status_code == 400 and "new_matches" in response.json()["error"]["fields"]


def test_anonymous_visitors_have_no_preferences(client_for, db):
    assert client_for(None).get("/api/notifications/preferences/").status_code == 401


def test_the_mail_settings_page_saves_each_group(world, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    client.force_login(world.enterprise_user)
    assert "Mail settings" in client.get("/settings/mail/").content.decode()
    body = {
        "invitations": "daily",
        "connections": "off",
        "new_matches": "immediately",
        "reminders": "off",
        "activity": "daily",
    }
    assert client.post("/settings/mail/", body).url == "/settings/mail/"
    assert client.get("/api/notifications/preferences/").json() == body


@pytest.mark.parametrize(
    ("local_time", "hours"),
    [("2027-03-01 07:30", 0.5), ("2027-03-01 08:00", 24), ("2027-03-01 21:00", 11)],
)
def test_the_embedded_servers_digest_waits_for_the_next_digest_hour(local_time, hours):
    now = timezone.make_aware(datetime.fromisoformat(local_time))  # the site's time zone
    assert seconds_until(8, now) == hours * 3600


def test_two_digest_runs_at_once_mail_a_notification_once(world, smtp):
    (row,) = notify(event=proposal(world, "Battery cells"), user_ids=[world.enterprise_user.pk])
    # Both runs read the notification as not yet mailed; the second claims it too late.
    now = timezone.now()
    user = world.enterprise_user
    assert digest_queue(user=user, notification_ids=[row.pk], now=now)
    later = now + timedelta(seconds=1)
    assert not digest_queue(user=user, notification_ids=[row.pk], now=later)
    outbox_send()
    smtp.wait(user.email)
    assert len(smtp.to(user.email)) == 1


def test_reminders_that_ask_for_an_answer_are_mailed_at_once(world, smtp):
    """A startup waiting past a promise, a quiet pilot, a decision due: a day later is late."""
    overdue = {**proposal(world, "Battery cells"), "type": "match.overdue", "waiting_days": 12}
    notify(event=overdue, user_ids=[world.enterprise_user.pk])
    assert outbox_send() == 1
    (mail,) = smtp.wait(world.enterprise_user.email)
    assert mail.subject == "TinyML Labs is waiting for your answer on “Battery cells”"
    # Interest and the like wait for the digest.
    notify(
        event={**proposal(world, "Grid"), "type": "match.interest"},
        user_ids=[world.enterprise_user.pk],
    )
    assert outbox_send() == 0
