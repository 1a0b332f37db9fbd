"""Conversations: the list with unread counts, and the live chat page.

The chat page renders the latest page of history into the page; its script then opens
`/ws/chat/<id>/`, resumes after the last message it holds, and pages back through
`/api/conversations/<id>/messages/?before_seq=` (docs/websocket.md).
"""

from __future__ import annotations

from django.shortcuts import render

from backend.chat import selectors as chat_selectors
from backend.chat.serializers import message_payload
from backend.web import selectors
from backend.web.views.base import actor_of, found, page

HISTORY_PAGE = 50


@page()
def conversation_list(request):
    actor = actor_of(request)
    conversations = list(chat_selectors.conversations_for(actor))
    last = chat_selectors.last_messages(conversations)
    rows = [(c, last.get(c.pk)) for c in conversations]
    return render(request, "web/chat/list.html", {"rows": rows})


@page()
def conversation_detail(request, pk: int):
    actor = actor_of(request)
    conversation = found(
        lambda: chat_selectors.conversation_get_for_actor(actor, pk, with_read_state=True)
    )
    messages, has_more = chat_selectors.messages_page(conversation, limit=HISTORY_PAGE)
    if actor.organization_id == conversation.enterprise_id:
        other_name = conversation.startup.name
    elif actor.organization_id == conversation.startup_id:
        other_name = conversation.enterprise.name
    else:
        other_name = f"{conversation.enterprise.name} ↔ {conversation.startup.name}"
    return render(
        request,
        "web/chat/detail.html",
        {
            "conversation": conversation,
            "other_name": other_name,
            "can_send": conversation.can_send,
            "others_read_seq": selectors.others_read_seq(conversation, request.user),
            "initial": {
                "messages": [message_payload(message) for message in messages],
                "has_more": has_more,
                "my_read_seq": conversation.my_last_read_seq,
            },
        },
    )
