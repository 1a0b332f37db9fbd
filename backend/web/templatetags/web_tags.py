"""Small helpers for the page templates."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from backend.accounts.selectors import actor_for
from backend.chat.models import Message
from backend.chat.selectors import conversations_for
from backend.notifications.texts import describe, event_sentences

register = template.Library()


def _term_pattern(term: str) -> str:
    """ASCII words match at a word start and take their inflections (cell -> cells); other
    scripts (Chinese) have no spaces between words, so they match anywhere."""
    escaped = re.escape(term)
    if term.isascii() and term[:1].isalnum():
        return rf"\b{escaped}\w*"
    return escaped


@register.filter
def highlight(text: str, terms) -> SafeString:
    """`text`, escaped, with each of `terms` wrapped in <mark>."""
    text = str(text or "")
    terms = sorted({str(t).strip() for t in (terms or []) if str(t).strip()}, key=len, reverse=True)
    if not terms:
        return escape(text)
    pattern = re.compile("(" + "|".join(_term_pattern(t) for t in terms) + ")", re.IGNORECASE)
    parts = pattern.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"<mark>{escape(part)}</mark>")
        elif part:
            out.append(escape(part))
    return mark_safe("".join(out))  # every piece was escaped above


@register.filter
def percent(value) -> str:
    try:
        # A cosine below zero reads as "no likeness at all".
        return f"{max(0, round(float(value) * 100))}%"
    except (TypeError, ValueError):
        return ""


@register.filter
def bar_width(value, maximum) -> int:
    """A value as a share (0-100) of a maximum, for bar charts."""
    try:
        value, maximum = float(value), float(maximum)
    except (TypeError, ValueError):
        return 0
    if maximum <= 0:
        return 0
    return max(2, min(100, round(100 * value / maximum))) if value else 0


@register.simple_tag(takes_context=True)
def active(context, *names: str) -> str:
    """`aria-current="page"` when the current view is one of `names`."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match and match.view_name in {f"web:{name}" for name in names}:
        return mark_safe('aria-current="page"')
    return ""


@register.simple_tag(takes_context=True)
def tab_url(context, tab: str) -> str:
    """The current page's address with another `tab`, keeping the filters."""
    request = context["request"]
    params = request.GET.copy()
    params["tab"] = tab
    params.pop("page", None)
    return f"{request.path}?{params.urlencode()}"


@register.filter
def initials(name: str) -> str:
    words = [w for w in re.split(r"\s+", str(name or "").strip()) if w]
    if not words:
        return "?"
    if not words[0].isascii():
        return words[0][:1]
    return "".join(w[0] for w in words[:2]).upper()


@register.simple_tag(takes_context=True)
def current_actor(context):
    """The user and the organisation they act for (the header and navigation need both)."""

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return actor_for(request.user)


@register.simple_tag
def js_strings() -> dict[str, str]:
    """The sentences the pages' scripts show, in the active language."""
    from django.utils.translation import gettext as _

    return {
        **event_sentences(),
        "no_events": _("Nothing new since you last looked."),
        "tab_empty": _("Nothing left under this tab."),
        "new_match": _("New"),
        "offline": _("Connection lost. Reconnecting…"),
        "online": _("Live"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "read": _("Read"),
        "failed": _("Not sent yet; it will be retried."),
        "typing": _("%(name)s is typing…"),
        "someone": _("Someone"),
        "unread": _("unread"),
        "load_earlier": _("Load earlier messages"),
        "start": _("This is the start of the conversation."),
        "today": _("Today"),
        "error": _("Something went wrong. Please try again."),
    }


@register.simple_tag(takes_context=True)
def unread_total(context) -> int:
    """Messages others wrote that the user has not read yet, over all their conversations."""
    from django.db.models import Sum

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    actor = actor_for(request.user)
    if actor.organization is None:
        return 0
    # Operators read every conversation; only those they were invited into count as unread.
    mine = conversations_for(actor).filter(can_send=True)
    return mine.aggregate(n=Sum("unread_count"))["n"] or 0


@register.filter
def said(message) -> str:
    """A message as a line of text: what was written, or what an event message records, in the
    active language."""
    return describe(message.event or {}) if message.kind == Message.Kind.EVENT else message.body


@register.filter
def ago(moment) -> str:
    """ "just now", or "3 hours ago", in the active language."""
    from django.utils import timezone
    from django.utils.timesince import timesince
    from django.utils.translation import gettext as _

    if not moment:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(moment)}


@register.filter
def when(moment) -> str:
    """The time for today's moments, the short date for older ones (local time, local format)."""
    from django.utils import formats, timezone

    if not moment:
        return ""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "TIME_FORMAT")
    return formats.date_format(local, "SHORT_DATE_FORMAT")
