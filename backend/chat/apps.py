from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from backend.matches.signals import match_connected


class ChatConfig(AppConfig):
    name = "backend.chat"
    verbose_name = _("Conversations")
    label = "chat"

    def ready(self) -> None:
        # Imported once the app registry is ready: the services import the models.
        from backend.chat.services import conversation_open_for_match

        def open_conversation(sender, match, **kwargs) -> None:
            conversation_open_for_match(match=match)

        match_connected.connect(open_conversation, weak=False, dispatch_uid="chat.open")
