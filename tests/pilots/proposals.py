from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from backend.pilots.models import Pilot


def proposal(world, **changes) -> dict:
    today = timezone.localdate()
    return {
        "question": "Does the quantised model hold 95% accuracy on our boards?",
        "success_criteria": ["Accuracy at least 95%", "Under 2 mW"],
        "decision_owner": world.enterprise_user,
        "starts_on": today,
        "ends_on": today + timedelta(days=60),
        "terms": Pilot.Terms.PAID,
        "amount": "80000.00",
        "ip_terms": Pilot.IpTerms.BACKGROUND_STAYS,
        **changes,
    }
