from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    verbose_name = _("Accounts")
    label = "accounts"

    def ready(self) -> None:
        # Imported once the app registry is ready: the receivers' module imports the models.
        from backend.accounts import signals  # noqa: F401  (connects the receivers)
