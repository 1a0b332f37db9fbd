from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from backend.common.signals import documents_changed


class MatchesConfig(AppConfig):
    name = "backend.matches"
    verbose_name = _("Matches")
    label = "matches"

    def ready(self) -> None:
        # Imported once the app registry is ready: the tasks import the models.
        from backend.matches.tasks import wake_indexer

        documents_changed.connect(wake_indexer, weak=False, dispatch_uid="matches.wake")
