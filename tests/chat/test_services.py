from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import Organization
from backend.accounts.selectors import actor_for
from backend.chat import selectors, services
from backend.chat.models import Conversation, Message, Participant, WebSocketTicket
from backend.common.errors import ApplicationError, PermissionDeniedError, RateLimitedError
from backend.matches.models import Match
from backend.matches.services import match_express_interest
from backend.notifications.models import Notification
from tests.chat.chats import make_chat
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    OrganizationFactory,
    StartupProfileFactory,
    member_of,
)

_ids = itertools.count(1)


def send(chat, user=None, body="Hello", client_msg_id=None) -> Message:
    return services.message_send(
        conversation=chat.conversation,
        sender=user or chat.firm_user,
        body=body,
        client_msg_id=f"m-{next(_ids)}" if client_msg_id is None else client_msg_id,
    )


def chat_messages(published) -> list[dict]:
    return [message["message"] for _, message in published if message["type"] == "chat.message"]


# -- opening ---------------------------------------------------------------------------------


def test_a_match_that_connects_opens_its_conversation_in_the_same_transaction(
    world, published, django_capture_on_commit_callbacks
):
    second_firm_user = member_of(world.enterprise)
    challenge = ChallengeFactory(accelerator=AcceleratorFactory(enterprise=world.enterprise))
    profile = StartupProfileFactory(organization=world.startup)
    match = Match.objects.create(challenge=challenge, startup=profile, score=0.7, rank=1)

    with django_capture_on_commit_callbacks(execute=True):
        match_express_interest(match=match, actor=actor_for(world.enterprise_user))
    assert not Conversation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        match_express_interest(match=match, actor=actor_for(world.startup_user))

    conversation = Conversation.objects.get(match=match)
    assert (conversation.enterprise, conversation.startup) == (world.enterprise, world.startup)
    assert set(conversation.participants.values_list("user_id", flat=True)) == {
        world.enterprise_user.pk,
        second_firm_user.pk,
        world.startup_user.pk,
    }
    opened = [m["event"] for _, m in published if m["event"]["type"] == "conversation.opened"]
    # One stored notification per participant, each sent with its id.
    stored = Notification.objects.filter(kind="conversation.opened").values_list("pk", flat=True)
    assert sorted(event.pop("id") for event in opened) == sorted(stored)
    assert len(opened) == 3 and opened[0] == {
        "type": "conversation.opened",
        "conversation": conversation.pk,
        "match": match.pk,
    }


def test_the_conversation_rolls_back_with_the_connection(world):
    challenge = ChallengeFactory(accelerator=AcceleratorFactory(enterprise=world.enterprise))
    profile = StartupProfileFactory(organization=world.startup)
    match = Match.objects.create(challenge=challenge, startup=profile, score=0.7, rank=1)
    match_express_interest(match=match, actor=actor_for(world.enterprise_user))
    with pytest.raises(RuntimeError), transaction.atomic():
        match_express_interest(match=match, actor=actor_for(world.startup_user))
        assert Conversation.objects.filter(match=match).exists()
        raise RuntimeError
    assert not Conversation.objects.filter(match=match).exists()


def test_opening_twice_returns_the_same_conversation(chat):
    again = services.conversation_open_for_match(match=chat.conversation.match)
    assert again.pk == chat.conversation.pk
    assert Conversation.objects.count() == 1


# -- sending ---------------------------------------------------------------------------------


def test_messages_are_numbered_without_gaps_and_published_after_commit(
    chat, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        first = send(chat, body="  Hello there \n")
        second = send(chat, user=chat.startup_user, body="Hi")
        assert published == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert [first.seq, second.seq] == [1, 2]
    assert first.body == "Hello there"
    assert first.sender_organization == chat.conversation.enterprise
    chat.conversation.refresh_from_db()
    assert chat.conversation.last_seq == 2
    assert chat.conversation.last_message_at == second.created_at
    group = services.conversation_group(chat.conversation.pk)
    assert [group_name for group_name, m in published if m["type"] == "chat.message"] == [group] * 2
    assert [m["seq"] for m in chat_messages(published)] == [1, 2]
    sender = {"id": chat.firm_user.pk, "name": chat.firm_user.full_name}
    organization = {
        "id": chat.conversation.enterprise_id,
        "name": "Acme Chips",
        "kind": "enterprise",
    }
    assert chat_messages(published)[0] == {
        "id": first.pk,
        "conversation": chat.conversation.pk,
        "seq": 1,
        "sender": sender,
        "organization": organization,
        "kind": "text",
        "body": "Hello there",
        "event": None,
        "client_msg_id": first.client_msg_id,
        "created_at": chat_messages(published)[0]["created_at"],
    }
    # One publish per message, to the conversation's group, naming who may read it (the
    # notification sockets derive `message.new` from it): no event per participant.
    readers = (chat.firm_user.pk, chat.startup_user.pk)
    assert [m["to"] for _, m in published if m["type"] == "chat.message"] == [readers] * 2
    assert not [m for _, m in published if m["type"] == "notify"]


def test_nothing_is_published_when_the_transaction_rolls_back(
    chat, published, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send(chat)
        raise RuntimeError
    assert published == []
    assert not Message.objects.exists()


def test_a_resend_returns_the_stored_message_and_stores_nothing(
    chat, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(chat, body="Once", client_msg_id="abc-1")
        again = send(chat, body="Once, edited", client_msg_id="abc-1")
    assert (again.pk, again.seq, again.body) == (first.pk, 1, "Once")
    assert Message.objects.count() == 1
    assert len(chat_messages(published)) == 1


def test_client_ids_are_per_sender(chat):
    mine = send(chat, client_msg_id="same")
    theirs = send(chat, user=chat.startup_user, client_msg_id="same")
    assert (mine.seq, theirs.seq) == (1, 2)


@pytest.mark.parametrize(
    ("body", "client_msg_id", "fields"),
    [
        ("", "ok", {"body"}),
        (" \n\t ", "ok", {"body"}),
        ("x" * 4_001, "ok", {"body"}),
        ("nul \x00 inside", "ok", {"body"}),
        ("fine", "", {"client_msg_id"}),
        ("fine", "has space", {"client_msg_id"}),
        ("fine", "x" * 65, {"client_msg_id"}),
        ("", "", {"body", "client_msg_id"}),
    ],
    ids=["empty", "blank", "too-long", "nul", "no-id", "space-in-id", "long-id", "both"],
)
def test_bad_messages_are_refused_with_their_fields(chat, body, client_msg_id, fields):
    with pytest.raises(ApplicationError) as refused:
        send(chat, body=body, client_msg_id=client_msg_id)
    assert refused.value.code == "invalid"
    assert set(refused.value.fields) == fields
    assert not Message.objects.exists()


def test_the_longest_body_is_4000_characters_after_trimming(chat):
    assert len(send(chat, body="  " + "字" * 4_000 + "  ").body) == 4_000


def test_only_participants_and_invited_operators_write(chat):
    with pytest.raises(PermissionDeniedError):
        send(chat, user=chat.outsider)
    with pytest.raises(PermissionDeniedError):
        send(chat, user=chat.operator)
    services.conversation_invite_operator(
        conversation=chat.conversation, by=chat.startup_user, operator=chat.operator
    )
    assert send(chat, user=chat.operator).sender_organization.kind == Organization.Kind.OPERATOR


def test_the_right_is_read_in_the_statement_that_takes_the_seq(chat):
    """A sender's actor, cached on the user object (as a socket holds it), is not trusted: the
    statement re-checks the account and the membership, and nothing is stored or numbered."""
    send(chat)  # caches the actor
    chat.firm_user.memberships.all().delete()
    with pytest.raises(PermissionDeniedError, match="do not take part"):
        send(chat)
    type(chat.startup_user).objects.filter(pk=chat.startup_user.pk).update(is_active=False)
    actor_for(chat.startup_user)  # cached while still active
    with pytest.raises(PermissionDeniedError):
        send(chat, user=chat.startup_user)
    assert Message.objects.count() == 1
    chat.conversation.refresh_from_db()
    assert chat.conversation.last_seq == 1


def test_a_message_names_its_readers_as_they_stood_when_it_was_stored(chat):
    newcomer = member_of(chat.conversation.startup)
    gone = member_of(OrganizationFactory(kind=Organization.Kind.OPERATOR))
    for operator in (chat.operator, gone):
        services.conversation_invite_operator(
            conversation=chat.conversation, by=chat.startup_user, operator=operator
        )
    type(newcomer).objects.filter(pk__in=[newcomer.pk, gone.pk]).update(is_active=False)
    sent = services.message_store(
        conversation=chat.conversation, sender=chat.firm_user, body="hi", client_msg_id="r-1"
    )
    assert sent.readers == tuple(
        sorted([chat.firm_user.pk, chat.startup_user.pk, chat.operator.pk])
    )
    assert services.message_event(sent)["to"] == sent.readers


def test_sending_takes_one_statement_on_postgresql_and_three_on_sqlite(chat):
    send(chat)  # the sender's actor is cached, as on a socket
    # The counter with the right and the readers, the insert, the read state: on PostgreSQL
    # one statement (the savepoints are the test's own transaction: in production the send is
    # a transaction of its own), on SQLite three.
    with CaptureQueriesContext(connection) as queries:
        send(chat)
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 3), statements


def test_the_senders_read_state_follows_what_they_send_and_never_goes_back(chat):
    def read_state() -> dict[int, int]:
        rows = Participant.objects.filter(conversation=chat.conversation)
        return dict(rows.values_list("user_id", "last_read_seq"))

    assert send(chat).seq == 1
    assert send(chat, user=chat.startup_user, client_msg_id="s-1").seq == 2
    assert read_state()[chat.firm_user.pk] == 1  # another's message is not read by sending
    newcomer = member_of(chat.conversation.enterprise)
    assert send(chat, user=newcomer, client_msg_id="n-1").seq == 3
    assert read_state()[newcomer.pk] == 3  # a row for a member who joined later
    Participant.objects.filter(user=chat.startup_user).update(last_read_seq=9)
    send(chat, user=chat.startup_user, client_msg_id="s-2")
    assert read_state()[chat.startup_user.pk] == 9


def test_a_new_member_of_either_organisation_takes_part(chat):
    newcomer = member_of(chat.conversation.startup)
    assert send(chat, user=newcomer).seq == 1


def test_over_the_rate_limit_a_sender_is_refused_but_resends_still_answer(chat, monkeypatch):
    now = [1_000_000.0]  # the start of a window
    monkeypatch.setattr(services.SEND_RATE, "clock", lambda: now[0])
    sent = [send(chat, client_msg_id=f"r-{i}") for i in range(services.RATE_LIMIT_MESSAGES)]
    with pytest.raises(RateLimitedError) as refused:
        send(chat, client_msg_id="r-over")
    assert (refused.value.code, refused.value.status_code) == ("rate_limited", 429)
    assert send(chat, client_msg_id="r-3").pk == sent[3].pk  # already stored: answered
    assert send(chat, user=chat.startup_user).seq == 21  # the other side is not limited
    now[0] += 5  # the 20 are still inside the last 10 seconds
    with pytest.raises(RateLimitedError):
        send(chat, client_msg_id="r-over")
    now[0] += 6
    assert send(chat, client_msg_id="r-over").seq == 22
    # A resend under the limit is not counted: the window still has room for the rest.
    assert send(chat, client_msg_id="r-over").seq == 22


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_get_distinct_gapless_seqs():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "an in-memory SQLite database shares one cache between threads and reports"
            " 'table is locked' instead of waiting; test_live_server covers processes on a file"
        )
    chat = make_chat()
    conversation = chat.conversation
    senders = [member_of(org) for org in (conversation.enterprise, conversation.startup) * 3]
    errors: list[Exception] = []

    def work(index: int, user) -> None:
        try:
            for i in range(8):
                services.message_send(
                    conversation=chat.conversation,
                    sender=user,
                    body="hi",
                    client_msg_id=f"{index}-{i}",
                )
        except Exception as exc:  # reported below, with the thread's failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, u)) for i, u in enumerate(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(Message.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 49))


# -- read state and invitations --------------------------------------------------------------


def test_read_state_only_moves_forward_and_is_clamped(
    chat, published, django_capture_on_commit_callbacks
):
    for _ in range(3):
        send(chat)
    user = chat.startup_user
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.conversation_mark_read(conversation=chat.conversation, user=user, seq=2) == 2
        )
        assert (
            services.conversation_mark_read(conversation=chat.conversation, user=user, seq=1) == 2
        )
        assert (
            services.conversation_mark_read(conversation=chat.conversation, user=user, seq=99) == 3
        )
    reads = [m for _, m in published if m["type"] == "chat.read"]
    assert reads == [
        {"type": "chat.read", "user": user.pk, "seq": 2},
        {"type": "chat.read", "user": user.pk, "seq": 3},
    ]
    with pytest.raises(ApplicationError):
        services.conversation_mark_read(conversation=chat.conversation, user=user, seq=-1)
    with pytest.raises(PermissionDeniedError):
        services.conversation_mark_read(conversation=chat.conversation, user=chat.operator, seq=1)


def test_unread_counts_are_others_messages_after_my_read_state(chat):
    send(chat, user=chat.startup_user)
    for _ in range(3):
        send(chat)

    def unread(user) -> int:
        return selectors.conversations_for(actor_for(user)).get().unread_count

    assert unread(chat.startup_user) == 3  # sending read everything before it
    assert unread(chat.firm_user) == 0
    services.conversation_mark_read(conversation=chat.conversation, user=chat.startup_user, seq=3)
    assert unread(chat.startup_user) == 1
    assert selectors.conversations_for(actor_for(chat.outsider)).count() == 0


def test_only_members_invite_and_only_operators_are_invited(
    chat, published, django_capture_on_commit_callbacks
):
    conversation = chat.conversation
    with pytest.raises(ApplicationError) as refused:
        services.conversation_invite_operator(
            conversation=conversation, by=chat.firm_user, operator=chat.outsider
        )
    assert set(refused.value.fields) == {"user"}
    with pytest.raises(PermissionDeniedError):
        services.conversation_invite_operator(
            conversation=conversation, by=chat.operator, operator=chat.operator
        )
    with pytest.raises(PermissionDeniedError):
        services.conversation_invite_operator(
            conversation=conversation, by=chat.outsider, operator=chat.operator
        )
    with django_capture_on_commit_callbacks(execute=True):
        first = services.conversation_invite_operator(
            conversation=conversation, by=chat.firm_user, operator=chat.operator
        )
        again = services.conversation_invite_operator(
            conversation=conversation, by=chat.startup_user, operator=chat.operator
        )
    assert (again.pk, first.kind, first.invited_by) == (
        first.pk,
        Participant.Kind.OPERATOR,
        chat.firm_user,
    )
    assert [(g, m["event"]["type"]) for g, m in published] == [
        (f"user.{chat.operator.pk}", "conversation.invited")
    ]
    assert (
        selectors.conversation_role(actor_for(chat.operator), conversation)
        == selectors.Role.OPERATOR
    )


# -- WebSocket tickets -----------------------------------------------------------------------


def test_a_ticket_works_once_and_only_its_hash_is_stored(world):
    ticket, expires_at = services.ws_ticket_issue(user=world.startup_user)
    row = WebSocketTicket.objects.get()
    assert ticket not in row.key_hash and len(row.key_hash) == 64
    assert 55 <= (expires_at - row.created_at).total_seconds() <= 61
    assert services.ws_ticket_redeem(ticket=ticket) == world.startup_user
    assert services.ws_ticket_redeem(ticket=ticket) is None
    assert not WebSocketTicket.objects.exists()


def test_expired_foreign_and_inactive_tickets_open_nothing(world):
    expired, _ = services.ws_ticket_issue(user=world.startup_user)
    WebSocketTicket.objects.update(expires_at=WebSocketTicket.objects.get().created_at)
    assert services.ws_ticket_redeem(ticket=expired) is None
    inactive, _ = services.ws_ticket_issue(user=world.enterprise_user)
    world.enterprise_user.is_active = False
    world.enterprise_user.save()
    assert services.ws_ticket_redeem(ticket=inactive) is None
    for garbage in ["", "x", "y" * 500]:
        assert services.ws_ticket_redeem(ticket=garbage) is None


def test_issuing_a_ticket_sweeps_expired_ones(world):
    services.ws_ticket_issue(user=world.startup_user)
    WebSocketTicket.objects.update(expires_at=WebSocketTicket.objects.get().created_at)
    services.ws_ticket_issue(user=world.operator_user)
    assert list(WebSocketTicket.objects.values_list("user", flat=True)) == [world.operator_user.pk]


def test_an_organisation_outside_the_match_cannot_see_the_conversation(chat):
    other_firm_user = member_of(OrganizationFactory(kind=Organization.Kind.ENTERPRISE))
    assert selectors.conversation_role(actor_for(other_firm_user), chat.conversation) is None
    assert (
        selectors.conversation_role(actor_for(chat.operator), chat.conversation)
        == selectors.Role.READER
    )
