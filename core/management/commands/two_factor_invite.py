from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.models import User
from core.services import two_factor_invitation_send


class Command(BaseCommand):
    help = (
        "E-mail a staff member an invitation to set up two-step verification (for the first "
        "administrator of a new deployment; afterwards admins send invitations from the admin)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            two_factor_invitation_send(user=user, sent_by=None)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        self.stdout.write(f"Invitation queued for {user.email}.")
