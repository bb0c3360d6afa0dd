from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shufang.core.jobs import jobs_run_due


class Command(BaseCommand):
    help = "Run due scheduled work once (safe to run on several servers at the same time)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--only", nargs="*", help="run only these jobs")

    def handle(self, *args: Any, **options: Any) -> None:
        results = jobs_run_due(only=options.get("only"))
        for name, outcome in results.items():
            self.stdout.write(f"{name}: {outcome}")
        ran = sum(1 for o in results.values() if o == "ran")
        failed = sum(1 for o in results.values() if o.startswith("failed"))
        self.stdout.write(
            f"run-jobs: {ran} ran, {len(results) - ran - failed} skipped, {failed} failed"
        )
