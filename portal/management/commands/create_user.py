"""`manage.py create_user EMAIL --role ROLE [--partner ID] [--partners ID,ID…] [--group NAME]… [--password PW]`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.access import GROUP_NAMES
from portal.models import Partner, Role
from portal.services import user_create


class Command(BaseCommand):
    help = "Create a login: partner_admin, partner_member, cam, cc or staff."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--partner", help="partner_id, for partner_admin and partner_member")
        parser.add_argument("--partners", help="comma-separated partner_ids: the book of a cam or cc")
        parser.add_argument("--password", help="without it the user sets one through password reset")
        parser.add_argument(
            "--group",
            action="append",
            default=[],
            dest="groups",
            help=f"staff only, repeatable: one of {', '.join(GROUP_NAMES)}",
        )

    def handle(
        self,
        *args,
        email: str,
        role: str,
        partner: str | None,
        partners: str | None,
        password: str | None,
        groups: list[str],
        **options,
    ):
        own_partner = self._partners([partner])[0] if partner else None
        book = self._partners(partners.split(",")) if partners else []
        try:
            user = user_create(email=email, role=role, password=password, partner=own_partner, book=book, groups=groups)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        in_groups = f" in {', '.join(groups)}" if groups else ""
        self.stdout.write(f"created {user.email} ({user.role}){in_groups}")

    def _partners(self, ids: list[str]) -> list[Partner]:
        wanted = [i.strip() for i in ids if i.strip()]
        found = {p.partner_id: p for p in Partner.objects.filter(partner_id__in=wanted)}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise CommandError(f"unknown partner id(s): {', '.join(missing)}")
        return [found[i] for i in wanted]
