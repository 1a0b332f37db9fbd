from django.core.management.base import BaseCommand

from backend.matches.services import index_rebuild


class Command(BaseCommand):
    help = "Embed whatever is missing and rebuild every process's search index from the database."

    def handle(self, *args, **options):
        encoded = index_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Index rebuilt ({encoded} chunks newly encoded)."))
