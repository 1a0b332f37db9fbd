"""Recording that a matchable document changed, and waking whoever applies the change.

The programmes and startups apps call `document_changed` inside their write transaction; the
matching side listens to `documents_changed`, which is sent once the transaction commits.
"""

from __future__ import annotations

from django.db import transaction

from backend.common.models import DocumentChange, MatchingState, MatchingStatus
from backend.common.signals import documents_changed


def document_changed(*, kind: str, document: MatchingState, organization_id: int) -> None:
    """Log the change and mark the document's matching pending, in the caller's transaction."""
    DocumentChange.objects.create(kind=kind, owner_id=document.pk, organization_id=organization_id)
    type(document).objects.filter(pk=document.pk).update(matching_status=MatchingStatus.PENDING)
    document.matching_status = MatchingStatus.PENDING
    matching_work_on_commit(sender=DocumentChange)


def matching_work_on_commit(*, sender: type) -> None:
    """Send `documents_changed` once the caller's transaction commits. Robust: the write has
    committed; a listener that fails (a broker that is down) must not fail the request, and the
    log still holds the work for the next drain."""
    transaction.on_commit(lambda: documents_changed.send(sender=sender), robust=True)
