from django.core.management.base import BaseCommand, CommandError

from backend.accounts.models import Organization
from backend.accounts.services import user_create_with_organization
from backend.common.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a platform operator account (operators cannot sign up themselves)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", required=True)
        parser.add_argument("--organization", default="Platform operations")

    def handle(self, *args, email, password, organization, **options):
        try:
            user = user_create_with_organization(
                email=email,
                password=password,
                organization_name=organization,
                kind=Organization.Kind.OPERATOR,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Operator {user.email} created."))
