from django.apps import apps
from django.core.management.base import BaseCommand

from tickets.roles import ROLES, sync_roles


class Command(BaseCommand):
    help = "Create the support role groups (L1, L2, Support Manager) with their permissions."

    def handle(self, *args, **options) -> None:
        sync_roles(apps)
        self.stdout.write(self.style.SUCCESS(f"Roles in place: {', '.join(ROLES)}"))
