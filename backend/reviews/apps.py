from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "backend.reviews"
    verbose_name = _("Team review")
    label = "reviews"
