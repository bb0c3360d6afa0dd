"""Times the default-scale demo build into a fresh SQLite data directory.

    .venv/bin/python bench/bench_demo.py [--scale small|full|tiny]

Prints the records, items and readers built and the seconds taken (migrations excluded)."""

from __future__ import annotations

import argparse
import os
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="shufang-bench-demo-")
    os.environ["SHUFANG_DATA_DIR"] = data_dir
    os.environ.pop("SHUFANG_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from shufang.demo.services import demo_build

    started = time.perf_counter()
    summary = demo_build(scale=args.scale)
    seconds = time.perf_counter() - started
    c = summary.counts
    print(
        f"demo build ({args.scale}, SQLite in {data_dir}): {c['records']} records, "
        f"{c['items']} items, {c['readers']} readers, {c['service_points']} service points "
        f"in {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
