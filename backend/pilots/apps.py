from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "backend.pilots"
    verbose_name = _("Pilots and outcomes")
    label = "pilots"
