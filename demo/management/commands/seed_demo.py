"""`manage.py seed_demo [--seed N] [--password PW] [--if-empty]`: deterministic demo data."""

from __future__ import annotations

import datetime as dt
import importlib
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.people import seed_people
from portal.models import Partner, User

# Each feature app may ship `<app>/demo.py` with `seed(*, rng, people, today)`;
# they run in this order (tiers first: registrations caps depend on tiers).
FEATURE_SEEDS = [
    "tiers.demo",
    "registrations.demo",
    "community.demo",
    "enablement.demo",
    "directory.demo",
    "directory.demo_reviews",
]


class Command(BaseCommand):
    help = "Load the demo data set: partners, CAMs, logins and each feature's history."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2022, help="random seed (same seed → same data)")
        parser.add_argument("--password", default="demo-password", help="password of every demo login")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when demo data is already loaded")

    def handle(self, *args, seed: int, password: str, if_empty: bool, **options):
        if Partner.objects.exists() or User.objects.filter(email="admin@example.com").exists():
            if if_empty:
                self.stdout.write("Demo data already loaded; keeping it.")
                return
            raise CommandError("the database already holds partners; seed_demo loads into an empty database only")
        if len(password) < 8:
            raise CommandError("--password must be at least 8 characters")
        rng = random.Random(seed)
        today = timezone.localdate()
        with transaction.atomic():
            people = seed_people(rng=rng, password=password, today=today)
            for module_name in FEATURE_SEEDS:
                self._run_feature_seed(module_name, rng=rng, people=people, today=today)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {len(people.partners)} partners, {len(people.cams)} CAMs. "
                f"Logins: partner@example.com, cam@example.com, admin@example.com, manager@, reviewer@, operations@, "
                f"auditor@example.com (password {password!r})."
            )
        )

    def _run_feature_seed(self, module_name: str, *, rng: random.Random, people, today: dt.date) -> None:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return
        self.stdout.write(f"Seeding {module_name} …")
        module.seed(rng=rng, people=people, today=today)
