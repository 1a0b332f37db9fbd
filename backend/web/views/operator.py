"""The operator's overview: every accelerator, its challenges, and its match funnel."""

from __future__ import annotations

from django.shortcuts import render

from backend.accounts.models import Organization
from backend.programs.selectors import challenges_visible_to
from backend.web import selectors
from backend.web.views.base import actor_of, page


@page(Organization.Kind.OPERATOR)
def overview(request):
    actor = actor_of(request)
    funnels = selectors.funnels(actor)
    totals = {
        step: sum(dict(funnel.steps)[step] for funnel in funnels)
        for step in ("proposed", "interested", "connected", "cohort")
    }
    recent = selectors.with_match_counts(challenges_visible_to(actor)).order_by(
        "-created_at", "-id"
    )[:12]
    return render(
        request,
        "web/operator/overview.html",
        {"funnels": funnels, "totals": totals, "recent": recent},
    )
