"""What each kind of notification says, in the active language: one sentence per kind, shared by
the pages' scripts (through the web app) and the mail."""

from __future__ import annotations

from django.utils.translation import gettext as _


def event_sentences() -> dict[str, str]:
    """`%(startup)s`, `%(challenge)s` and `%(cohort_name)s` stand for the event's names."""
    return {
        "match.proposed": _("New match: %(startup)s for “%(challenge)s”"),
        "match.interest": _("Interest in “%(challenge)s” from one side"),
        "match.connected": _("Connected: %(startup)s and “%(challenge)s”"),
        "match.declined": _("Declined: %(startup)s for “%(challenge)s”"),
        "match.applied": _("New application: %(startup)s for “%(challenge)s”"),
        "match.undeclined": _("A decline was taken back: %(startup)s for “%(challenge)s”"),
        "match.shortlisted": _("Shortlisted: %(startup)s for “%(challenge)s”"),
        "match.overdue": _("%(startup)s is waiting for your answer on “%(challenge)s”"),
        "cohort.invited": _("You are invited to the cohort “%(cohort_name)s”"),
        "review.assigned": _("You are asked to review a startup for “%(challenge)s”"),
        "pilot.proposed": _("A pilot is proposed: %(startup)s for “%(challenge)s”"),
        "pilot.accepted": _("The pilot runs: %(startup)s for “%(challenge)s”"),
        "pilot.withdrawn": _("The pilot proposal is withdrawn: %(startup)s for “%(challenge)s”"),
        "pilot.declined": _("The pilot proposal is declined: %(startup)s for “%(challenge)s”"),
        "pilot.owner_changed": _(
            "The pilot has a new decision owner: %(startup)s for “%(challenge)s”"
        ),
        "pilot.updated": _("New pilot update: %(startup)s for “%(challenge)s”"),
        "pilot.decided": _("The pilot is decided: %(startup)s for “%(challenge)s”"),
        "pilot.extended": _("The pilot is extended: %(startup)s for “%(challenge)s”"),
        "pilot.quiet": _("No pilot update for 14 days: %(startup)s for “%(challenge)s”"),
        "pilot.due": _("End date reached, a decision is due: %(startup)s for “%(challenge)s”"),
        "outcome.recorded": _(
            "An outcome is recorded, to be confirmed: %(startup)s for “%(challenge)s”"
        ),
        "outcome.confirmed": _("An outcome is confirmed: %(startup)s for “%(challenge)s”"),
        "message.new": _("New message in a conversation"),
        "conversation.opened": _("A conversation has opened: you are connected"),
        "conversation.invited": _("You are invited to take part in a conversation"),
        "event": _("Something changed"),
    }


def describe(event: dict) -> str:
    """The event as one sentence, in the active language."""
    sentences = event_sentences()
    sentence = sentences.get(event.get("type", ""), sentences["event"])
    return sentence % {
        "startup": event.get("startup_name") or "",
        "challenge": event.get("challenge_title") or "",
        "cohort_name": event.get("cohort_name") or "",
    }


def event_path(event: dict, *, for_startup: bool) -> str:
    """Where on the site the event is seen (as the pages' notification list links it)."""
    kind = event.get("type", "")
    ids = {key: event[key] for key in ("conversation", "match", "challenge") if key in event}
    pilot_event = kind.startswith(("pilot.", "outcome."))
    if (kind.startswith("conversation.") or kind == "message.new" or pilot_event) and ids.get(
        "conversation"
    ):
        return f"/conversations/{int(ids['conversation'])}/"
    if kind == "cohort.invited":
        return "/invitations/"
    if kind == "review.assigned" and "match" in ids:
        return f"/matches/{int(ids['match'])}/review/"
    if kind.startswith("match.") and event.get("status") == "connected":
        return "/conversations/"
    if kind.startswith("match.") and "challenge" in ids:
        challenge = int(ids["challenge"])
        return f"/challenges/{challenge}/" if for_startup else f"/challenges/{challenge}/matches/"
    return "/"
