from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "backend.chat"
    verbose_name = _("Conversations")
    label = "chat"

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules import models.
        from backend.chat.services import conversation_open_for_match
        from backend.matches.services import match_connected

        def open_conversation(sender, match, **kwargs) -> None:
            conversation_open_for_match(match=match)

        match_connected.connect(open_conversation, weak=False, dispatch_uid="chat.open")
