from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from backend.accounts.selectors import actor_for


class OrganizationRolePermission(BasePermission):
    """Reads: any signed-in user (lists and objects are scoped by the view's queryset).

    Writes: only organisations of the kinds the view names in `write_kinds` (per action through
    `write_kinds_by_action`). Which *object* may be written is decided by the view's scoped
    queryset, so a foreign object answers 404 and reveals nothing.
    """

    message = "Your organisation cannot do this."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        kinds = getattr(view, "write_kinds_by_action", {}).get(
            getattr(view, "action", None), getattr(view, "write_kinds", ())
        )
        return actor_for(request.user).kind in kinds
