"""A startup's profile page, as firms and operators read it, with what they went through with
it."""

from __future__ import annotations

from django.shortcuts import redirect, render

from backend.chat.selectors import startup_history_for_actor
from backend.startups.models import TRL_LABELS
from backend.startups.selectors import credentials_shown, profile_of
from backend.web.views.base import actor_of, found, page


@page()
def startup_detail(request, pk: int):
    """A startup opening its own page edits its profile; other startups' do not exist for it
    (the history selector finds none for a startup)."""
    actor = actor_of(request)
    own = profile_of(actor)
    if own is not None and own.pk == pk:
        return redirect("web:profile")
    history = found(startup_history_for_actor, actor, pk)
    return render(
        request,
        "web/startup_detail.html",
        {
            "history": history,
            "startup": history.startup,
            "trl_label": TRL_LABELS.get(history.startup.trl),
            "credentials": credentials_shown(actor, history.startup),
            "viewer": "operator" if actor.is_operator else "firm",
        },
    )
