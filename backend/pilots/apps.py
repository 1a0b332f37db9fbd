from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from backend.common.periodic import register_hourly


class PilotsConfig(AppConfig):
    name = "backend.pilots"
    verbose_name = _("Pilots and outcomes")
    label = "pilots"

    def ready(self) -> None:
        # Imported once the app registry is ready: the services import the models.
        from backend.pilots.services import pilots_alert

        register_hourly(pilots_alert)
