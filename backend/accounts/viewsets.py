"""The API's view bases: every view acts for `self.actor`, the user and their organisation."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from rest_framework import exceptions, mixins, viewsets
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request

from backend.accounts.selectors import Actor, actor_for


def for_actor(visible_to: Callable[[Actor], QuerySet]) -> Callable[[object], QuerySet]:
    """A scoped selector (`challenges_visible_to`...) as the choices of an id filter
    (`backend.common.filters.VisibleModelChoiceFilter`): the rows the requesting user may see.
    Without a request the actor has no organisation, and every scoped selector answers none."""

    def visible(request) -> QuerySet:
        return visible_to(actor_for(getattr(request, "user", None) or AnonymousUser()))

    return visible


class ActorMetadata(SimpleMetadata):
    """`OPTIONS` that never assumes a pk.

    DRF's metadata tests a PUT's object permission with `get_object()`, which asserts (a 500
    for any client) on a route without the lookup kwarg: a `detail=False` action such as
    `/api/startups/me/`, which finds its own object. There the object check is left to the
    action; on a detail route it runs as in DRF, and a hidden object lists no PUT.
    """

    def determine_actions(self, request, view):
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
        has_object = hasattr(view, "get_object") and lookup in getattr(view, "kwargs", {})
        actions = {}
        for method in {"PUT", "POST"} & set(view.allowed_methods):
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
                if method == "PUT" and has_object:
                    view.get_object()
            except (exceptions.APIException, PermissionDenied, Http404):
                continue
            else:
                actions[method] = self.get_serializer_info(view.get_serializer())
            finally:
                view.request = request
        return actions


class ActorMixin:
    """Gives a view `self.actor`: the user and the organisation they act for."""

    metadata_class = ActorMetadata

    @property
    def actor(self):
        return actor_for(self.request.user)


class ReadViewSet(
    ActorMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List and read, scoped by the view's queryset; no delete anywhere in this API."""


class EditViewSet(ReadViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """List, read, create and update; writes go through the app's services."""
