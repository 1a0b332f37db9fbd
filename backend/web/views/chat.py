"""Conversations: the list with unread counts, and the live chat page.

The chat page renders the latest page of history into the page; its script then opens
`/ws/chat/<id>/`, resumes after the last message it holds, and pages back through
`/api/conversations/<id>/messages/?before_seq=` (docs/websocket.md).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.chat import selectors as chat_selectors
from backend.chat import services as chat_services
from backend.chat.serializers import message_payload
from backend.web import selectors
from backend.web.forms import InviteOperatorForm
from backend.web.views.base import actor_of, flash_service, found, page

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
    history, has_more = chat_selectors.messages_page(conversation, limit=HISTORY_PAGE)
    is_member = chat_selectors.conversation_role(actor, conversation) == chat_selectors.Role.MEMBER
    invitable = chat_selectors.invitable_operators(conversation)
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
            "operators": chat_selectors.invited_operators(conversation),
            "invite_form": (
                InviteOperatorForm(operators=invitable)
                if is_member and invitable.exists()
                else None
            ),
            "initial": {
                "messages": [message_payload(message) for message in history],
                "has_more": has_more,
                "my_read_seq": conversation.my_last_read_seq,
            },
        },
    )


@require_POST
@page()
def conversation_invite_operator(request, pk: int):
    """A participant brings a platform operator in; from then on the operator can write too."""
    actor = actor_of(request)
    conversation = found(chat_selectors.conversation_get_for_actor, actor, pk)
    form = InviteOperatorForm(
        request.POST, operators=chat_selectors.invitable_operators(conversation)
    )
    if not form.is_valid():
        messages.error(request, _("Choose an operator to invite."))
        return redirect("web:conversation", pk=pk)
    operator = form.cleaned_data["operator"]
    flash_service(
        request,
        chat_services.conversation_invite_operator,
        _("%(name)s can now read and write in this conversation.")
        % {"name": operator.full_name or operator.email},
        conversation=conversation,
        by=request.user,
        operator=operator,
    )
    return redirect("web:conversation", pk=pk)
