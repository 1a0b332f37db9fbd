"""The API's view bases: every view acts for `self.actor`, the user and their organisation."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from backend.accounts.selectors import actor_for


class ActorMixin:
    """Gives a view `self.actor`: the user and the organisation they act for."""

    @property
    def actor(self):
        return actor_for(self.request.user)


class ReadViewSet(
    ActorMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List and read, scoped by the view's queryset; no delete anywhere in this API."""


class EditViewSet(ReadViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """List, read, create and update; writes go through the app's services."""
