from django.core.management.base import BaseCommand
from tqdm import tqdm

from backend.matches.indexing import index_embed, index_rebuild


class Command(BaseCommand):
    help = (
        "Embed whatever is missing (every configured encoder), then re-apply every document and "
        "rebuild every process's search index from the database. Interrupted, it goes on from "
        "what it stored; the platform serves the vectors it has until the new ones are complete."
    )

    def handle(self, *args, **options):
        embedded = _with_bar("embedding", lambda progress: index_embed(progress=progress))
        report = _with_bar("matching", lambda progress: index_rebuild(progress=progress))
        self.stdout.write(
            self.style.SUCCESS(
                f"Index rebuilt: {embedded} documents given missing vectors, {report.applied} "
                f"documents applied, {report.encoded_chunks} chunks newly encoded, "
                f"{report.proposed} new proposals."
            )
        )


def _with_bar(label: str, work):
    """Run `work(progress)` under a progress bar with counts and rate."""
    with tqdm(desc=label, unit="doc", total=0, dynamic_ncols=True) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return work(progress)
