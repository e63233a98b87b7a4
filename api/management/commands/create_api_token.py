"""`manage.py create_api_token EMAIL [--name NAME] [--expires-in-days 30|90|365]`: prints only the new token on stdout."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from api.services import api_token_create
from portal.models import User


class Command(BaseCommand):
    help = "Create an API token for a partner user or a CAM; the token is printed once and stored hashed."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="created with create_api_token")
        parser.add_argument(
            "--expires-in-days", type=int, choices=[30, 90, 365], default=None, help="default: never expires"
        )

    def handle(self, *args, email: str, name: str, expires_in_days: int | None, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"no user with email '{email}'")
        if not user.is_active:
            raise CommandError(f"user '{email}' is deactivated")
        try:
            _token, raw = api_token_create(user=user, name=name, expires_in_days=expires_in_days)
        except PermissionDenied as exc:
            raise CommandError(f"'{email}' is a {user.role}: {exc}") from exc
        self.stdout.write(raw)
