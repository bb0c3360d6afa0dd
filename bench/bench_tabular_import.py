"""Benchmark: `import-readers` and `import-items` rates (rows/s) from CSV and XLSX.

    .venv/bin/python bench/bench_tabular_import.py [--rows 5000]

Runs against a fresh SQLite database in a temporary data directory (or the PostgreSQL database
named by SHUFANG_DATABASE_URL, which must be empty and is migrated). Readers are measured with
ID numbers and without PINs, then a smaller set with PINs (PIN hashing is deliberately slow);
items with an ISBN matching an existing record.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(n: int, rng: random.Random) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
    # Make the whole number unique even when the random birth dates collide.
    first17 = f"53{n // 1000:04d}{birth:%Y%m%d}{n % 1000:03d}"
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def write_readers_csv(path: Path, rows: int, *, pin: bool, start: int = 0) -> None:
    rng = random.Random(42)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(
            "姓名,读者类型,服务点,读者证号,身份证号,手机,办证日期" + (",密码" if pin else "") + "\n"
        )
        for n in range(start, start + rows):
            line = (
                f"读者{n},ADULT,CN-530700-LJ-MAIN,B{n:08d},{id_number(n, rng)},"
                f"138{n:08d},2019-03-01"
            )
            f.write(line + (",123456" if pin else "") + "\n")


def write_items_xlsx(path: Path, rows: int, isbn: str) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["条码号", "ISBN", "服务点", "馆藏类型", "索书号", "价格", "来源", "入藏日期"])
    for n in range(rows):
        sheet.append(
            [
                f"T{n:08d}",
                isbn,
                "CN-530700-LJ-MAIN",
                "ADULT",
                "K297.4/1",
                38.0,
                "采购",
                dt.date(2019, 4, 1),
            ]
        )
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--pin-rows", type=int, default=200)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="shufang-bench-tabular."))
    os.environ.setdefault("SHUFANG_DATA_DIR", str(tmp / "data"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from shufang.catalogue.models import Collection, Record, RecordIdentifier
    from shufang.catalogue.services.item_import import items_import
    from shufang.core.audit import Actor
    from shufang.network.models import Library, LibrarySystem, ServicePoint
    from shufang.readers.models import ReaderCategory
    from shufang.readers.services_import import readers_import

    call_command("migrate", verbosity=0)
    system = LibrarySystem.objects.create(code="CN-530700", name="丽江市总分馆体系")
    library = Library.objects.create(
        system=system, code="CN-530700-LJ", name="丽江市图书馆", kind="city"
    )
    ServicePoint.objects.create(library=library, code="CN-530700-LJ-MAIN", name="总馆", kind="main")
    ReaderCategory.objects.create(code="ADULT", name="成人读者")
    Collection.objects.create(code="ADULT", name="成人外借")
    isbn = "9787222123458"
    record = Record.objects.create(title="丽江史话", isbn=isbn)
    RecordIdentifier.objects.create(record=record, scheme="isbn", value=isbn)
    actor = Actor.importer("bench")
    print(f"database: {connection.vendor}; rows: {args.rows}")

    readers_csv = tmp / "readers.csv"
    write_readers_csv(readers_csv, args.rows, pin=False)
    started = time.perf_counter()
    result = readers_import(path=readers_csv, actor=actor)
    elapsed = time.perf_counter() - started
    print(
        f"import-readers CSV, ID numbers, no PIN: {result.summary()} "
        f"{elapsed:.1f} s, {result.loaded / elapsed:.0f} rows/s"
    )

    pins_csv = tmp / "readers-pin.csv"
    write_readers_csv(pins_csv, args.pin_rows, pin=True, start=args.rows)
    started = time.perf_counter()
    result = readers_import(path=pins_csv, actor=actor)
    elapsed = time.perf_counter() - started
    print(
        f"import-readers CSV, with PIN:           {result.summary()} "
        f"{elapsed:.1f} s, {result.loaded / elapsed:.0f} rows/s"
    )

    items_xlsx = tmp / "items.xlsx"
    write_items_xlsx(items_xlsx, args.rows, isbn)
    started = time.perf_counter()
    result = items_import(path=items_xlsx, actor=actor)
    elapsed = time.perf_counter() - started
    print(
        f"import-items XLSX:                      {result.summary()} "
        f"{elapsed:.1f} s, {result.loaded / elapsed:.0f} rows/s"
    )


if __name__ == "__main__":
    main()
