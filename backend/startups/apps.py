from django.apps import AppConfig


class StartupsConfig(AppConfig):
    name = "backend.startups"
    label = "startups"
