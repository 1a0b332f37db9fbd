"""The sockets through the whole ASGI stack (origin check, authentication, routing), with
Channels' WebsocketCommunicator and the configured channel layer."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing.websocket import WebsocketCommunicator
from django.db import connection
from django.test import Client

from backend.accounts import signals
from backend.accounts.models import Membership, User
from backend.accounts.selectors import actor_for
from backend.chat import services
from backend.chat.models import Message
from backend.chat.serializers import message_payload
from backend.common import events
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

HOST = (b"host", b"testserver")
ORIGIN = (b"origin", b"http://testserver")


@pytest.fixture
def application():
    # Imported here, after the test environment added "testserver" to ALLOWED_HOSTS.
    from backend.config.asgi import application

    return application


@pytest.fixture(autouse=True)
async def close_socket_thread_connections():
    """Consumers reach the database from worker threads; close their connection after each
    test, so the test database can be dropped."""
    yield
    await database_sync_to_async(lambda: connection.close())()


@database_sync_to_async
def session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def socket(application, path: str, user=None, *, headers=None) -> WebsocketCommunicator:
    headers = [HOST, ORIGIN] if headers is None else headers
    if user is not None:
        headers = [*headers, await session_cookie(user)]
    return WebsocketCommunicator(application, path, headers=headers)


async def joined(application, chat, user) -> WebsocketCommunicator:
    communicator = await socket(application, f"/ws/chat/{chat.conversation.pk}/", user)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def refusal(communicator: WebsocketCommunicator) -> int:
    """The close code of a refused socket, after checking that nothing came before it."""
    connected, code = await communicator.connect()
    if connected:
        first = await communicator.receive_output()
        assert first["type"] == "websocket.close", first
        code = first["code"]
    await communicator.disconnect()  # as the server would: ends the consumer and its receive
    return code


async def frames(communicator: WebsocketCommunicator, count: int) -> list[dict]:
    return [await communicator.receive_json_from(timeout=3) for _ in range(count)]


def send(chat, user, client_msg_id: str, body: str = "hi"):
    return database_sync_to_async(services.message_send)(
        conversation=chat.conversation, sender=user, body=body, client_msg_id=client_msg_id
    )


def by_type(received: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for frame in received:
        grouped.setdefault(frame["type"], []).append(frame)
    return grouped


# -- talking -------------------------------------------------------------------------------


async def test_a_sent_message_is_acked_and_delivered_to_every_socket_once(application, chat):
    firm = await joined(application, chat, chat.firm_user)
    startup = await joined(application, chat, chat.startup_user)
    await firm.send_json_to({"type": "send", "client_msg_id": "c-1", "body": "  Hello  "})

    mine = by_type(await frames(firm, 2))
    assert mine["ack"] == [{"type": "ack", "client_msg_id": "c-1", "seq": 1}]
    theirs = await startup.receive_json_from()
    assert mine["message"] == [theirs]
    stored = await database_sync_to_async(lambda: message_payload(Message.objects.get()))()
    assert theirs == {"type": "message", "message": stored}
    assert stored["body"] == "Hello"

    # A resend is answered with the stored message's seq and delivered to nobody again.
    await firm.send_json_to({"type": "send", "client_msg_id": "c-1", "body": "Hello"})
    assert await firm.receive_json_from() == {"type": "ack", "client_msg_id": "c-1", "seq": 1}
    assert await startup.receive_nothing(timeout=0.3)
    assert await firm.receive_nothing(timeout=0.1)
    await firm.disconnect()
    await startup.disconnect()


async def test_typing_reaches_the_others_at_most_once_a_second(application, chat):
    firm = await joined(application, chat, chat.firm_user)
    startup = await joined(application, chat, chat.startup_user)
    await firm.send_json_to({"type": "typing"})
    await firm.send_json_to({"type": "typing"})
    assert await startup.receive_json_from() == {
        "type": "typing",
        "user": {"id": chat.firm_user.pk, "name": chat.firm_user.full_name},
    }
    assert await startup.receive_nothing(timeout=0.3)
    assert await firm.receive_nothing(timeout=0.1)
    await firm.disconnect()
    await startup.disconnect()


async def test_read_state_reaches_every_socket(application, chat):
    await send(chat, chat.firm_user, "a")
    await send(chat, chat.firm_user, "b")
    firm = await joined(application, chat, chat.firm_user)
    startup = await joined(application, chat, chat.startup_user)
    await startup.send_json_to({"type": "read", "seq": 2})
    expected = {"type": "read", "user": chat.startup_user.pk, "seq": 2}
    assert await firm.receive_json_from() == expected
    assert await startup.receive_json_from() == expected
    await startup.send_json_to({"type": "read", "seq": 1})  # backwards: nothing to say
    assert await firm.receive_nothing(timeout=0.3)
    await firm.disconnect()
    await startup.disconnect()


async def test_an_operator_reads_live_but_writes_only_when_invited(application, chat):
    operator = await joined(application, chat, chat.operator)
    await send(chat, chat.firm_user, "a")
    assert (await operator.receive_json_from())["message"]["seq"] == 1
    await operator.send_json_to({"type": "send", "client_msg_id": "o-1", "body": "hello"})
    refused = await operator.receive_json_from()
    assert refused["type"] == "error"
    assert refused["error"]["code"] == "permission_denied"
    assert refused["client_msg_id"] == "o-1"
    await operator.send_json_to({"type": "typing"})
    assert (await operator.receive_json_from())["error"]["code"] == "permission_denied"

    await database_sync_to_async(services.conversation_invite_operator)(
        conversation=chat.conversation, by=chat.startup_user, operator=chat.operator
    )
    await operator.send_json_to({"type": "send", "client_msg_id": "o-1", "body": "hello"})
    assert by_type(await frames(operator, 2))["ack"][0]["seq"] == 2
    await operator.disconnect()


async def test_an_operator_invited_after_connecting_may_type(application, chat):
    operator = await joined(application, chat, chat.operator)
    firm = await joined(application, chat, chat.firm_user)
    await database_sync_to_async(services.conversation_invite_operator)(
        conversation=chat.conversation, by=chat.startup_user, operator=chat.operator
    )
    await operator.send_json_to({"type": "typing"})
    assert await firm.receive_json_from() == {
        "type": "typing",
        "user": {"id": chat.operator.pk, "name": chat.operator.full_name},
    }
    assert await operator.receive_nothing(timeout=0.1)
    await operator.disconnect()
    await firm.disconnect()


# -- resume --------------------------------------------------------------------------------


async def test_resume_replays_what_was_missed_then_goes_on_live(application, chat):
    for i in range(5):
        await send(chat, chat.firm_user, f"old-{i}")
    startup = await joined(application, chat, chat.startup_user)
    assert await startup.receive_nothing(timeout=0.2)  # no resume asked: only new messages
    await startup.send_json_to({"type": "resume", "after_seq": 2})
    replayed = await frames(startup, 4)
    assert [f["message"]["seq"] for f in replayed[:3]] == [3, 4, 5]
    assert replayed[3] == {"type": "resumed", "last_seq": 5}
    await send(chat, chat.firm_user, "new")
    assert (await startup.receive_json_from())["message"]["seq"] == 6
    assert await startup.receive_nothing(timeout=0.3)

    await startup.send_json_to({"type": "resume", "after_seq": 99})  # ahead of the store
    assert await startup.receive_json_from() == {"type": "resumed", "last_seq": 6}
    await send(chat, chat.firm_user, "newer")
    assert (await startup.receive_json_from())["message"]["seq"] == 7
    await startup.disconnect()


async def test_live_messages_out_of_order_or_twice_are_delivered_once_in_order(
    application, chat, monkeypatch
):
    startup = await joined(application, chat, chat.startup_user)
    # Store three messages without publishing them, as if their events were late or lost.
    layer, group = get_channel_layer(), services.conversation_group(chat.conversation.pk)

    async def lost(group: str, message: dict) -> None:
        pass

    with monkeypatch.context() as quiet:
        quiet.setattr(layer, "group_send", lost)
        stored = [await send(chat, chat.firm_user, f"q-{i}") for i in range(3)]
    payloads = await database_sync_to_async(lambda: [message_payload(m) for m in stored])()

    # The event of #2 arrives first: the gap is filled from the store, up to its head.
    await layer.group_send(group, {"type": "chat.message", "message": payloads[1]})
    assert [f["message"]["seq"] for f in await frames(startup, 3)] == [1, 2, 3]
    for late in payloads:
        await layer.group_send(group, {"type": "chat.message", "message": late})
    assert await startup.receive_nothing(timeout=0.3)
    await send(chat, chat.firm_user, "live")
    assert (await startup.receive_json_from())["message"]["seq"] == 4
    await startup.disconnect()


# -- bad frames and limits -----------------------------------------------------------------


BAD_FRAMES = [
    ("not json", "malformed_frame", set()),
    ("NaN", "malformed_frame", set()),
    ("[1, 2]", "invalid", set()),
    ('{"type": 5}', "invalid", set()),
    ('{"body": "no type"}', "invalid", set()),
    ('{"type": "shout"}', "unknown_type", set()),
    ('{"type": "send", "body": "hi"}', "invalid", {"client_msg_id"}),
    ('{"type": "send", "client_msg_id": "x"}', "invalid", {"body"}),
    ('{"type": "send", "client_msg_id": "x", "body": 12}', "invalid", {"body"}),
    ('{"type": "send", "client_msg_id": 7, "body": "hi"}', "invalid", {"client_msg_id"}),
    ('{"type": "send", "client_msg_id": "x", "body": "   "}', "invalid", {"body"}),
    (json.dumps({"type": "send", "client_msg_id": "x", "body": "y" * 4_001}), "invalid", {"body"}),
    ('{"type": "send", "client_msg_id": "no spaces", "body": "hi"}', "invalid", {"client_msg_id"}),
    ('{"type": "read"}', "invalid", {"seq"}),
    ('{"type": "read", "seq": "3"}', "invalid", {"seq"}),
    ('{"type": "read", "seq": -1}', "invalid", {"seq"}),
    ('{"type": "resume", "after_seq": true}', "invalid", {"after_seq"}),
    ('{"type": "resume", "after_seq": 1.5}', "invalid", {"after_seq"}),
    (json.dumps({"type": "send", "body": "z" * 70_000}), "too_large", set()),
]


async def test_bad_frames_get_an_error_frame_and_the_socket_stays_open(application, chat):
    firm = await joined(application, chat, chat.firm_user)
    for raw, code, fields in BAD_FRAMES:
        await firm.send_to(text_data=raw)
        frame = await firm.receive_json_from()
        assert frame["type"] == "error", raw
        assert set(frame["error"]) == {"code", "message", "fields"}
        assert (frame["error"]["code"], set(frame["error"]["fields"])) == (code, fields), raw
    await firm.send_to(bytes_data=b"\x00\x01")
    assert (await firm.receive_json_from())["error"]["code"] == "malformed_frame"
    await firm.send_json_to({"type": "send", "client_msg_id": "ok", "body": "still here"})
    assert by_type(await frames(firm, 2))["ack"] == [
        {"type": "ack", "client_msg_id": "ok", "seq": 1}
    ]
    assert await database_sync_to_async(Message.objects.count)() == 1
    await firm.disconnect()


async def test_over_the_rate_limit_a_sender_gets_an_error_and_keeps_every_ack(application, chat):
    firm = await joined(application, chat, chat.firm_user)
    limit = services.RATE_LIMIT_MESSAGES
    for i in range(limit + 1):
        await firm.send_json_to({"type": "send", "client_msg_id": f"r-{i}", "body": f"#{i}"})
    received = by_type(await frames(firm, 2 * limit + 1))
    assert [ack["seq"] for ack in received["ack"]] == list(range(1, limit + 1))
    assert [m["message"]["seq"] for m in received["message"]] == list(range(1, limit + 1))
    (error,) = received["error"]
    assert (error["error"]["code"], error["client_msg_id"]) == ("rate_limited", f"r-{limit}")
    # The socket is open, and a resend of an acknowledged message is still answered.
    await firm.send_json_to({"type": "send", "client_msg_id": "r-0", "body": "#0"})
    assert await firm.receive_json_from() == {"type": "ack", "client_msg_id": "r-0", "seq": 1}
    await firm.disconnect()


# -- refusals ------------------------------------------------------------------------------


async def test_refusals_close_with_their_code_before_sending_anything(application, chat):
    path = f"/ws/chat/{chat.conversation.pk}/"
    nobody = await database_sync_to_async(UserFactory)()
    assert await refusal(await socket(application, path)) == 4401
    assert await refusal(await socket(application, path, chat.outsider)) == 4404
    assert await refusal(await socket(application, "/ws/chat/999999/", chat.firm_user)) == 4404
    assert await refusal(await socket(application, path, nobody)) == 4403
    assert await refusal(await socket(application, "/ws/elsewhere/", chat.firm_user)) == 4404
    assert await refusal(await socket(application, "/ws/notifications/")) == 4401


@pytest.mark.parametrize(
    "origin",
    [
        b"http://evil.example",
        b"http://testserver:1",
        b"https://testserver",
        b"http://testserver.evil.example",
        b"null",
        None,
    ],
    ids=["foreign", "foreign-port", "foreign-scheme", "foreign-subdomain", "null", "missing"],
)
async def test_a_foreign_or_missing_origin_is_refused_at_the_handshake(application, chat, origin):
    headers = [HOST, (b"origin", origin)] if origin else [HOST]
    communicator = await socket(
        application, f"/ws/chat/{chat.conversation.pk}/", chat.firm_user, headers=headers
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


@pytest.mark.parametrize(
    "host, origin",
    [
        (b"testserver", b"http://testserver"),
        (b"testserver", b"http://testserver:80"),
        (b"testserver:8000", b"http://TestServer:8000"),
    ],
)
async def test_the_same_origin_is_accepted(application, chat, host, origin):
    headers = [(b"host", host), (b"origin", origin)]
    communicator = await socket(
        application, f"/ws/chat/{chat.conversation.pk}/", chat.firm_user, headers=headers
    )
    assert (await communicator.connect())[0]
    await communicator.disconnect()


async def test_a_host_outside_allowed_hosts_is_no_origin_of_ours(application, chat):
    # DNS rebinding: the Host and Origin agree, but the name is not ours.
    headers = [(b"host", b"rebound.example:8000"), (b"origin", b"http://rebound.example:8000")]
    communicator = await socket(
        application, f"/ws/chat/{chat.conversation.pk}/", chat.firm_user, headers=headers
    )
    assert not (await communicator.connect())[0]
    await communicator.disconnect()


async def test_a_csrf_trusted_origin_is_accepted(application, chat, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.org:8443"]
    path = f"/ws/chat/{chat.conversation.pk}/"
    trusted = await socket(
        application,
        path,
        chat.firm_user,
        headers=[HOST, (b"origin", b"https://app.example.org:8443")],
    )
    assert (await trusted.connect())[0]
    await trusted.disconnect()
    other_port = await socket(
        application, path, chat.firm_user, headers=[HOST, (b"origin", b"https://app.example.org")]
    )
    assert not (await other_port.connect())[0]
    await other_port.disconnect()


async def test_a_ticket_presented_from_a_foreign_origin_is_spent(application, chat):
    ticket, _ = await database_sync_to_async(services.ws_ticket_issue)(user=chat.startup_user)
    path = f"/ws/chat/{chat.conversation.pk}/?ticket={ticket}"
    foreign = await socket(application, path, headers=[HOST, (b"origin", b"http://testserver:1")])
    assert not (await foreign.connect())[0]
    await foreign.disconnect()
    assert await refusal(await socket(application, path)) == 4401  # already spent


async def test_a_ticket_opens_one_socket_once(application, chat):
    ticket, _ = await database_sync_to_async(services.ws_ticket_issue)(user=chat.startup_user)
    path = f"/ws/chat/{chat.conversation.pk}/?ticket={ticket}"
    first = await socket(application, path)
    assert (await first.connect())[0]
    await first.send_json_to({"type": "send", "client_msg_id": "t-1", "body": "via ticket"})
    acked = by_type(await frames(first, 2))["ack"][0]
    assert acked["seq"] == 1
    sender = await database_sync_to_async(lambda: Message.objects.get().sender)()
    assert sender == chat.startup_user
    assert await refusal(await socket(application, path)) == 4401  # used
    await first.disconnect()

    for bad in ["garbage", "", "%ff%fe"]:
        assert (
            await refusal(await socket(application, path.split("?")[0] + f"?ticket={bad}")) == 4401
        )


async def test_a_ticket_decides_the_user_over_a_session_cookie(application, chat):
    ticket, _ = await database_sync_to_async(services.ws_ticket_issue)(user=chat.outsider)
    path = f"/ws/chat/{chat.conversation.pk}/?ticket={ticket}"
    assert await refusal(await socket(application, path, chat.firm_user)) == 4404


# -- notifications -------------------------------------------------------------------------


async def test_notifications_reach_each_users_own_socket(application, chat):
    firm = await socket(application, "/ws/notifications/", chat.firm_user)
    assert (await firm.connect())[0]
    startup = await socket(application, "/ws/notifications/", chat.startup_user)
    assert (await startup.connect())[0]

    await send(chat, chat.startup_user, "n-1", body="A question about your wafers")
    frame = await firm.receive_json_from()
    assert frame["type"] == "notification"
    assert frame["event"]["type"] == "message.new"
    assert frame["event"]["conversation"] == chat.conversation.pk
    assert frame["event"]["preview"] == "A question about your wafers"
    assert await startup.receive_nothing(timeout=0.3)  # not told of its own message

    await database_sync_to_async(events.publish_on_commit)(
        {"type": "match.connected", "match": chat.conversation.match_id}, [chat.startup_user.pk]
    )
    assert await startup.receive_json_from() == {
        "type": "notification",
        "event": {"type": "match.connected", "match": chat.conversation.match_id},
    }
    await startup.send_json_to({"type": "send", "client_msg_id": "x", "body": "y"})
    assert (await startup.receive_json_from())["error"]["code"] == "unknown_type"
    await firm.disconnect()
    await startup.disconnect()


async def test_an_operator_invited_after_connecting_hears_of_new_messages(application, chat):
    notes = await socket(application, "/ws/notifications/", chat.operator)
    assert (await notes.connect())[0]
    await send(chat, chat.startup_user, "n-1", body="before the invitation")
    assert await notes.receive_nothing(timeout=0.3)  # operators read; only the invited hear

    await database_sync_to_async(services.conversation_invite_operator)(
        conversation=chat.conversation, by=chat.startup_user, operator=chat.operator
    )
    assert (await notes.receive_json_from())["event"]["type"] == "conversation.invited"
    await send(chat, chat.startup_user, "n-2", body="after the invitation")
    event = (await notes.receive_json_from())["event"]
    assert (event["type"], event["seq"], event["preview"]) == (
        "message.new",
        2,
        "after the invitation",
    )
    await notes.disconnect()


async def test_a_removed_member_hears_of_no_new_message(application, chat, no_access_events):
    notes = await socket(application, "/ws/notifications/", chat.firm_user)
    assert (await notes.connect())[0]
    await database_sync_to_async(leave_organisation)(chat.firm_user)
    await send(chat, chat.startup_user, "n-1", body="not for a former member")
    assert await notes.receive_nothing(timeout=0.3)
    await notes.disconnect()


async def test_the_actor_of_a_socket_is_its_own_user(chat):
    assert (await database_sync_to_async(actor_for)(chat.firm_user)).is_enterprise


# -- rights lost while a socket is open ----------------------------------------------------


async def closed_with(communicator: WebsocketCommunicator) -> int:
    """The close code of an open socket's next output, after checking that it is the close."""
    output = await communicator.receive_output(timeout=3)
    assert output["type"] == "websocket.close", output
    await communicator.disconnect()
    return output["code"]


@pytest.fixture
def no_access_events(monkeypatch):
    """Losing a right tells no socket (as a bulk update would not): only the checks per frame and
    per event remain."""
    monkeypatch.setattr(signals, "publish_on_commit", lambda message, to: None)


def leave_organisation(user) -> None:
    Membership.objects.filter(user=user).delete()


def deactivate(user) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)


async def test_a_removed_member_cannot_send_and_nothing_is_stored(
    application, chat, no_access_events
):
    firm = await joined(application, chat, chat.firm_user)
    startup = await joined(application, chat, chat.startup_user)
    await database_sync_to_async(leave_organisation)(chat.firm_user)

    await firm.send_json_to({"type": "send", "client_msg_id": "late", "body": "still here?"})
    assert await closed_with(firm) == 4403
    assert not await database_sync_to_async(Message.objects.exists)()
    assert await startup.receive_nothing(timeout=0.3)

    # The one who kept the right is unaffected.
    await startup.send_json_to({"type": "send", "client_msg_id": "ok", "body": "hello"})
    assert by_type(await frames(startup, 2))["ack"] == [
        {"type": "ack", "client_msg_id": "ok", "seq": 1}
    ]
    await startup.disconnect()


async def test_a_removed_member_cannot_resume(application, chat, no_access_events):
    for i in range(3):
        await send(chat, chat.startup_user, f"old-{i}")
    firm = await joined(application, chat, chat.firm_user)
    await database_sync_to_async(leave_organisation)(chat.firm_user)

    await firm.send_json_to({"type": "resume", "after_seq": 0})
    assert await closed_with(firm) == 4403  # the close comes first: nothing is replayed


async def test_a_removed_member_gets_no_live_message(application, chat, no_access_events):
    firm = await joined(application, chat, chat.firm_user)
    startup = await joined(application, chat, chat.startup_user)
    await database_sync_to_async(leave_organisation)(chat.firm_user)

    await send(chat, chat.startup_user, "after")
    assert (await startup.receive_json_from())["message"]["seq"] == 1
    assert await closed_with(firm) == 4403
    await startup.disconnect()


async def test_a_deactivated_users_chat_socket_is_closed(application, chat, no_access_events):
    firm = await joined(application, chat, chat.firm_user)
    startup = await joined(application, chat, chat.startup_user)
    await database_sync_to_async(deactivate)(chat.firm_user)

    await firm.send_json_to({"type": "typing"})
    assert await closed_with(firm) == 4403
    assert await startup.receive_nothing(timeout=0.3)
    await startup.send_json_to({"type": "typing"})  # the other side goes on
    await startup.send_json_to({"type": "read", "seq": 0})
    assert await startup.receive_nothing(timeout=0.3)
    await startup.disconnect()


async def test_a_deactivated_users_notification_socket_is_closed(
    application, chat, no_access_events
):
    firm = await socket(application, "/ws/notifications/", chat.firm_user)
    assert (await firm.connect())[0]
    startup = await socket(application, "/ws/notifications/", chat.startup_user)
    assert (await startup.connect())[0]
    await database_sync_to_async(deactivate)(chat.firm_user)

    event = {"type": "match.connected", "match": chat.conversation.match_id}
    await database_sync_to_async(events.publish_on_commit)(
        event, [chat.firm_user.pk, chat.startup_user.pk]
    )
    assert await closed_with(firm) == 4403  # not the event
    assert await startup.receive_json_from() == {"type": "notification", "event": event}

    again = await socket(application, "/ws/notifications/", chat.startup_user)
    assert (await again.connect())[0]
    await database_sync_to_async(deactivate)(chat.startup_user)
    await again.send_json_to({"type": "anything"})
    assert await closed_with(again) == 4403
    await startup.disconnect()


async def test_losing_a_right_closes_that_users_sockets_at_once(application, chat):
    firm = await joined(application, chat, chat.firm_user)
    startup = await joined(application, chat, chat.startup_user)
    firm_notes = await socket(application, "/ws/notifications/", chat.firm_user)
    assert (await firm_notes.connect())[0]
    startup_notes = await socket(application, "/ws/notifications/", chat.startup_user)
    assert (await startup_notes.connect())[0]

    await database_sync_to_async(leave_organisation)(chat.firm_user)
    assert await closed_with(firm) == 4403  # no frame, no event needed
    # The notification socket needs no organisation, only an active account.
    assert await firm_notes.receive_nothing(timeout=0.3)

    def deactivate_by_save(user) -> None:
        user.is_active = False
        user.save()

    await database_sync_to_async(deactivate_by_save)(chat.startup_user)
    assert await closed_with(startup) == 4403
    assert await closed_with(startup_notes) == 4403
    await firm_notes.disconnect()
