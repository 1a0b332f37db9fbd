from __future__ import annotations

import pytest

from backend.chat import services
from backend.chat.models import Message, Participant, WebSocketTicket
from backend.chat.serializers import MessageSerializer, message_payload
from tests.assertions import assert_error_shape
from tests.chat.chats import open_conversation


def url(chat, suffix: str = "") -> str:
    return f"/api/conversations/{chat.conversation.pk}/{suffix}"


def post_message(client, chat, body="Hello", client_msg_id="m-1"):
    return client.post(
        url(chat, "messages/"), {"client_msg_id": client_msg_id, "body": body}, format="json"
    )


def fill(chat, count: int) -> None:
    users = [chat.firm_user, chat.startup_user]
    for i in range(count):
        services.message_send(
            conversation=chat.conversation,
            sender=users[i % 2],
            body=f"m{i + 1}",
            client_msg_id=f"f{i}",
        )


# -- the list ------------------------------------------------------------------------------


def test_my_conversations_hold_both_organisations_my_unread_count_and_the_last_message(
    chat, client_for
):
    other = open_conversation(chat.conversation.enterprise, chat.conversation.startup)
    fill(chat, 3)  # firm, startup, firm
    response = client_for(chat.startup_user).get("/api/conversations/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["id"], second["id"]) == (chat.conversation.pk, other.pk)  # latest activity first
    assert first["match"] == chat.conversation.match_id
    assert first["enterprise"] == {
        "id": chat.conversation.enterprise_id,
        "name": "Acme Chips",
        "kind": "enterprise",
    }
    assert first["startup"]["name"] == "TinyML Labs"
    assert first["challenge"]["id"] == chat.conversation.match.challenge_id
    assert (first["last_seq"], first["last_read_seq"], first["unread_count"]) == (3, 2, 1)
    assert first["can_send"] is True
    assert first["last_message"]["seq"] == 3
    assert first["last_message"]["body"] == "m3"
    assert (second["last_message"], second["unread_count"], second["last_seq"]) == (None, 0, 0)


def test_lists_hold_only_my_conversations_and_operators_see_all(chat, client_for):
    def ids(user) -> list[int]:
        return [
            item["id"] for item in client_for(user).get("/api/conversations/").json()["results"]
        ]

    assert ids(chat.firm_user) == ids(chat.startup_user) == [chat.conversation.pk]
    assert ids(chat.outsider) == []
    assert ids(chat.operator) == [chat.conversation.pk]
    items = client_for(chat.operator).get("/api/conversations/").json()["results"]
    assert items[0]["can_send"] is False
    services.conversation_invite_operator(
        conversation=chat.conversation, by=chat.firm_user, operator=chat.operator
    )
    items = client_for(chat.operator).get("/api/conversations/").json()["results"]
    assert items[0]["can_send"] is True


def test_one_conversation_reads_like_a_list_item(chat, client_for):
    fill(chat, 2)
    client = client_for(chat.firm_user)
    item = client.get(url(chat)).json()
    assert item == client.get("/api/conversations/").json()["results"][0]


# -- messages by cursor --------------------------------------------------------------------


def seqs(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [message["seq"] for message in response.json()["results"]]


def test_message_pages_follow_seq_cursors_both_ways(chat, client_for):
    fill(chat, 7)
    client = client_for(chat.firm_user)
    latest = client.get(url(chat, "messages/?limit=3"))
    assert seqs(latest) == [5, 6, 7]
    assert latest.json()["has_more"] is True
    assert latest.json()["last_seq"] == 7
    older = client.get(url(chat, "messages/?limit=3&before_seq=5"))
    assert (seqs(older), older.json()["has_more"]) == ([2, 3, 4], True)
    oldest = client.get(url(chat, "messages/?limit=3&before_seq=2"))
    assert (seqs(oldest), oldest.json()["has_more"]) == ([1], False)
    forward = client.get(url(chat, "messages/?limit=3&after_seq=0"))
    assert (seqs(forward), forward.json()["has_more"]) == ([1, 2, 3], True)
    tail = client.get(url(chat, "messages/?after_seq=5"))
    assert (seqs(tail), tail.json()["has_more"]) == ([6, 7], False)
    window = client.get(url(chat, "messages/?after_seq=2&before_seq=5"))
    assert seqs(window) == [3, 4]
    assert seqs(client.get(url(chat, "messages/?after_seq=7"))) == []


def test_the_hand_built_payload_is_the_documented_serializer(chat):
    fill(chat, 1)
    message = Message.objects.select_related("sender", "sender_organization").get()
    assert message_payload(message) == MessageSerializer(message).data
    Message.objects.filter(pk=message.pk).update(sender_organization=None)
    message.refresh_from_db()
    assert message_payload(message) == MessageSerializer(message).data


def test_a_message_reads_the_same_in_every_place(chat, client_for):
    sent = post_message(client_for(chat.startup_user), chat, body="  Bonjour <b>  ").json()
    listed = client_for(chat.firm_user).get(url(chat, "messages/")).json()["results"]
    assert listed == [sent]
    assert sent["body"] == "Bonjour <b>"  # plain text, stored as typed; clients escape it
    assert sent["sender"] == {"id": chat.startup_user.pk, "name": chat.startup_user.full_name}
    assert sent["organization"]["kind"] == "startup"


@pytest.mark.parametrize(
    "query",
    ["after_seq=-1", "after_seq=abc", "before_seq=0", "limit=0", "limit=201", "limit=x"],
)
def test_bad_cursors_answer_400_with_fields(chat, client_for, query):
    response = client_for(chat.firm_user).get(url(chat, f"messages/?{query}"))
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == {query.split("=")[0]}


# -- sending -------------------------------------------------------------------------------


def test_sending_is_idempotent_by_client_id(chat, client_for):
    client = client_for(chat.firm_user)
    first = post_message(client, chat, client_msg_id="7d7b6c1e-0000-4000-8000-000000000001")
    again = post_message(client, chat, client_msg_id="7d7b6c1e-0000-4000-8000-000000000001")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"client_msg_id": "a"}, {"body"}),
        ({"body": "hi"}, {"client_msg_id"}),
        ({"client_msg_id": "a", "body": 12}, {"body"}),
        ({"client_msg_id": ["a"], "body": "hi"}, {"client_msg_id"}),
        ({"client_msg_id": "a", "body": None}, {"body"}),
        ({"client_msg_id": "a", "body": "   "}, {"body"}),
        ({"client_msg_id": "a", "body": "x" * 4_001}, {"body"}),
        ({"client_msg_id": "a b", "body": "hi"}, {"client_msg_id"}),
    ],
    ids=["no-body", "no-id", "int-body", "list-id", "null-body", "blank", "too-long", "bad-id"],
)
def test_bad_messages_answer_400_with_fields(chat, client_for, payload, fields):
    response = client_for(chat.firm_user).post(url(chat, "messages/"), payload, format="json")
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == fields
    assert not Message.objects.exists()


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[1]", b"NaN"])
def test_unparseable_sends_answer_400(chat, client_for, raw):
    response = client_for(chat.firm_user).post(
        url(chat, "messages/"), data=raw, content_type="application/json"
    )
    assert_error_shape(response, 400, "malformed_request")


def test_over_the_rate_limit_a_send_answers_429(chat, client_for):
    client = client_for(chat.firm_user)
    for i in range(services.RATE_LIMIT_MESSAGES):
        assert post_message(client, chat, client_msg_id=f"r{i}").status_code == 201
    assert_error_shape(post_message(client, chat, client_msg_id="over"), 429, "rate_limited")
    assert post_message(client, chat, client_msg_id="r0").status_code == 201  # a resend


def test_outsiders_get_404_and_readers_403(chat, client_for):
    fill(chat, 1)
    outsider = client_for(chat.outsider)
    for response in [
        outsider.get(url(chat)),
        outsider.get(url(chat, "messages/")),
        post_message(outsider, chat),
        outsider.post(url(chat, "read/"), {"seq": 1}, format="json"),
    ]:
        assert_error_shape(response, 404, "not_found")
    assert_error_shape(client_for(chat.firm_user).get("/api/conversations/999999/"), 404)
    operator = client_for(chat.operator)
    assert seqs(operator.get(url(chat, "messages/"))) == [1]
    assert_error_shape(post_message(operator, chat), 403, "permission_denied")
    assert_error_shape(client_for(None).get(url(chat, "messages/")), 401, "not_authenticated")


# -- read state and invitations ------------------------------------------------------------


def test_marking_read_moves_forward_and_lowers_the_unread_count(chat, client_for):
    for i in range(4):
        services.message_send(
            conversation=chat.conversation, sender=chat.firm_user, body="hi", client_msg_id=f"{i}"
        )
    client = client_for(chat.startup_user)
    response = client.post(url(chat, "read/"), {"seq": 3}, format="json")
    assert response.json() == {"conversation": chat.conversation.pk, "last_read_seq": 3}
    assert client.post(url(chat, "read/"), {"seq": 1}, format="json").json()["last_read_seq"] == 3
    assert client.get(url(chat)).json()["unread_count"] == 1
    assert client.post(url(chat, "read/"), {"seq": 50}, format="json").json()["last_read_seq"] == 4
    assert client.get(url(chat)).json()["unread_count"] == 0
    for bad in [{"seq": -1}, {"seq": "3"}, {"seq": 2.5}, {}]:
        error = assert_error_shape(client.post(url(chat, "read/"), bad, format="json"), 400)
        assert set(error["fields"]) == {"seq"}


def test_a_participant_invites_an_operator_who_then_writes(chat, client_for):
    response = client_for(chat.startup_user).post(
        url(chat, "invite-operator/"), {"user": chat.operator.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "conversation": chat.conversation.pk,
        "user": {"id": chat.operator.pk, "name": chat.operator.full_name},
        "kind": "operator",
        "invited_by": chat.startup_user.pk,
    }
    assert post_message(client_for(chat.operator), chat).status_code == 201
    assert Participant.objects.filter(kind=Participant.Kind.OPERATOR).count() == 1


@pytest.mark.parametrize("user", ["outsider", "firm_user", 999_999, "12", None])
def test_only_operators_can_be_invited(chat, client_for, user):
    user_id = getattr(chat, user).pk if user in ("outsider", "firm_user") else user
    response = client_for(chat.firm_user).post(
        url(chat, "invite-operator/"), {"user": user_id}, format="json"
    )
    error = assert_error_shape(response, 400, "invalid")
    assert set(error["fields"]) == {"user"}


# -- tickets -------------------------------------------------------------------------------


def test_a_ticket_is_issued_to_a_signed_in_user(world, client_for):
    response = client_for(world.startup_user).post("/api/ws-ticket/")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"ticket", "expires_at", "expires_in"}
    assert body["expires_in"] == 60
    assert services.ws_ticket_redeem(ticket=body["ticket"]) == world.startup_user
    assert_error_shape(client_for(None).post("/api/ws-ticket/"), 401, "not_authenticated")
    assert WebSocketTicket.objects.count() == 0
