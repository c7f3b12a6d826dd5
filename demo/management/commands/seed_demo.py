"""``manage.py seed_demo``: the demo data (idempotent), and bulk tickets for benchmarks.

The work happens in :mod:`demo.seeding`; this command parses options and reports.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo import seeding
from demo.kb import seed_kb_demo

PROGRESS_EVERY_SECONDS = 10.0


class Command(BaseCommand):
    help = (
        "Load the demo: staff logins, partners in every hub, requesters and a few hundred "
        "worked tickets. Safe to run again: it adds only what is missing. "
        "--tickets N also adds N generated tickets in bulk, for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo-tickets",
            type=int,
            default=seeding.DEFAULT_DEMO_TICKETS,
            help="How many demo tickets to have, played through the services "
            f"(default {seeding.DEFAULT_DEMO_TICKETS}).",
        )
        parser.add_argument(
            "--tickets",
            type=int,
            default=0,
            help="Add this many generated tickets in bulk (e.g. 1000000), after the demo.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=seeding.DEFAULT_SEED,
            help="Random seed: the same seed gives the same tickets.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=seeding.DEFAULT_BATCH_SIZE,
            help=f"Tickets per transaction in bulk mode (default {seeding.DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("demo_tickets", "tickets"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")

        report = seeding.seed_demo(
            tickets=options["demo_tickets"], seed=options["seed"], debug=settings.DEBUG
        )
        self.stdout.write(
            f"Demo: {report.partners_created} partners, {report.requesters_created} requesters "
            f"and {report.tickets_created} tickets added "
            f"({report.tickets_total} demo tickets in all)."
        )
        kb = seed_kb_demo()
        self.stdout.write(
            f"Knowledge base: {kb.sections_created} sections, {kb.articles_created} articles "
            f"and {kb.translations_created} translations added "
            f"({kb.articles_total} articles in all)."
        )
        if options["tickets"]:
            self._bulk(options["tickets"], options["seed"], options["batch_size"])
        self._logins(report.staff)

    def _bulk(self, count: int, seed: int, batch_size: int) -> None:
        self.stdout.write(f"Adding {count:,} tickets in batches of {batch_size:,}…")

        last_report = 0.0

        def progress(done: int, total: int, seconds: float) -> None:
            nonlocal last_report
            # A line every few seconds: a million tickets should not print a hundred lines.
            if seconds - last_report < PROGRESS_EVERY_SECONDS and done < total:
                return
            last_report = seconds
            rate = done / seconds if seconds else 0
            self.stdout.write(f"  {done:>12,} / {total:,} tickets  ({rate:,.0f} tickets/s)")

        result = seeding.bulk_create_tickets(
            count=count, seed=seed, batch_size=batch_size, progress=progress
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.count:,} tickets in {result.seconds:,.1f} s "
                f"({result.rate:,.0f} tickets/s)."
            )
        )

    def _logins(self, staff: list[seeding.StaffAccount]) -> None:
        self.stdout.write("")
        self.stdout.write("Demo staff:")
        width = max(len(account.username) for account in staff)
        role_width = max(len(account.role_label) for account in staff)
        for account in staff:
            line = f"  {account.username:<{width}}  {account.role_label:<{role_width}}"
            if account.password:
                line += f"  password: {account.password}"
            self.stdout.write(line.rstrip())
        if settings.DEBUG:
            if any(account.password is None for account in staff):
                self.stdout.write(
                    "Accounts without a password shown already had one; "
                    "set it with: python manage.py changepassword <username>"
                )
        else:
            # Outside development a password never reaches a terminal or a log.
            self.stdout.write(
                "Passwords are random and not shown; "
                "set them with: python manage.py changepassword <username>"
            )
