from django.core.management.base import BaseCommand

from core.database import database_ensure


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL if it does not exist."

    def handle(self, *args, **options):
        if database_ensure():
            self.stdout.write("Created the database.")
