from django.core.management.base import BaseCommand

from backend.matches.indexing import index_rebuild


class Command(BaseCommand):
    help = "Embed whatever is missing and rebuild every process's search index from the database."

    def handle(self, *args, **options):
        report = index_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"Index rebuilt: {report.applied} documents applied, "
                f"{report.encoded_chunks} chunks newly encoded, {report.proposed} new proposals."
            )
        )
