"""Benchmark: MARC 21 import rate against pymarc's bare parse rate, and peak memory.

    .venv/bin/python bench/bench_marc_import.py [--records 100000] [--batch-size 500]
        [--parallel auto|yes|no] [--skip-parse]

Generates (or reuses, cached under bench/out/, git-ignored) a file of N realistic mixed
Chinese/English MARC 21 records, measures pymarc's bare parse rate of that file (MARCReader
iterating it), then runs `marc_import` into a fresh database in a child process: SQLite, or
the PostgreSQL database in SHUFANG_DATABASE_URL (its catalogue tables are emptied first).
Prints file size, record count, both rates, their ratio and the import's peak RSS (the
importing process and, when used, its reader process).

    bash scripts/with-postgres.sh .venv/bin/python bench/bench_marc_import.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

CN_WORDS = [
    "丽江",
    "古城",
    "史话",
    "纳西族",
    "东巴",
    "文化",
    "云南",
    "民族",
    "研究",
    "中国",
    "文学",
    "历史",
    "儿童",
    "故事",
    "图书馆",
    "教育",
    "经济",
    "发展",
    "山水",
    "玉龙雪山",
    "茶马古道",
    "诗歌",
    "选集",
    "科学",
    "技术",
    "基础",
    "教程",
    "社会",
    "调查",
    "手册",
]
EN_WORDS = [
    "history",
    "of",
    "the",
    "library",
    "science",
    "modern",
    "world",
    "river",
    "mountain",
    "culture",
    "children",
    "guide",
    "introduction",
    "China",
    "Yunnan",
    "art",
    "music",
    "practical",
    "computing",
    "economics",
    "stories",
    "collected",
    "essays",
    "water",
]
PUBLISHERS = [
    ("昆明", "云南人民出版社"),
    ("北京", "人民文学出版社"),
    ("上海", "上海译文出版社"),
    ("New York", "Penguin"),
    ("London", "Routledge"),
    ("北京", "中华书局"),
]
CLC = ["I287.8", "K297.4", "G258.2", "TP311.13", "I247.57", "F127.74", "J292.1", "Q94"]


def _isbn13(rng: random.Random) -> str:
    body = "9787" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


class _Leader(str):
    pass


class _Field:
    """Just enough of pymarc's Field for `generate` (pymarc objects made 1M records slow)."""

    def __init__(
        self,
        tag: str,
        data: str | None = None,
        indicators: str = "",
        subfields: list[tuple[str, str]] | None = None,
    ) -> None:
        self.tag = tag
        if data is not None:
            self.body = data.encode() + b"\x1e"
        else:
            parts = [indicators.encode()]
            parts += [b"\x1f" + code.encode() + value.encode() for code, value in subfields or []]
            self.body = b"".join(parts) + b"\x1e"


class _Record:
    """ISO 2709 in UTF-8, byte for byte what pymarc's `Record.as_marc()` writes for these."""

    def __init__(self, force_utf8: bool = True) -> None:
        self.leader = _Leader("00000nam a2200000 a 4500")
        self.fields: list[_Field] = []

    def as_marc(self) -> bytes:
        directory = b""
        offset = 0
        for f in self.fields:
            directory += f"{f.tag}{len(f.body):04d}{offset:05d}".encode()
            offset += len(f.body)
        directory += b"\x1e"
        base = 24 + len(directory)
        length = base + offset + 1
        leader = str(self.leader)
        leader = f"{length:05d}{leader[5:9]}a22{base:05d}{leader[17:20]}4500"
        return leader.encode() + directory + b"".join(f.body for f in self.fields) + b"\x1d"


def generate(path: Path, n: int, seed: int = 42) -> None:
    Field, Record, Leader = _Field, _Record, _Leader

    def Indicators(first: str, second: str) -> str:  # noqa: N802 -- stands in for pymarc's
        return first + second

    def Subfield(code: str, value: str) -> tuple[str, str]:  # noqa: N802
        return (code, value)

    rng = random.Random(seed)
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as out:
        for i in range(n):
            chinese = rng.random() < 0.6
            words = CN_WORDS if chinese else EN_WORDS
            title = ("" if chinese else " ").join(
                rng.choice(words) for _ in range(rng.randint(2, 6))
            )
            title = title.strip().capitalize()
            place, publisher = rng.choice(PUBLISHERS)
            year = rng.randint(1950, 2025)
            r = Record(force_utf8=True)
            r.leader = Leader("00000nam a2200000 a 4500")
            r.fields.append(Field(tag="001", data=f"bench{i:08d}"))
            r.fields.append(
                Field(
                    tag="008",
                    data=f"240101s{year}    cc            000 0 {'chi' if chinese else 'eng'} d",
                )
            )
            r.fields.append(
                Field(
                    tag="020",
                    indicators=Indicators(" ", " "),
                    subfields=[
                        Subfield("a", _isbn13(rng)),
                        Subfield("c", f"CNY{rng.randint(10, 99)}.00"),
                    ],
                )
            )
            r.fields.append(
                Field(
                    tag="084",
                    indicators=Indicators(" ", " "),
                    subfields=[Subfield("a", rng.choice(CLC)), Subfield("2", "clc")],
                )
            )
            r.fields.append(
                Field(
                    tag="100",
                    indicators=Indicators("1", " "),
                    subfields=[
                        Subfield(
                            "a",
                            ("".join(rng.choice(CN_WORDS) for _ in range(2)))
                            if chinese
                            else "Smith, John",
                        )
                    ],
                )
            )
            r.fields.append(
                Field(
                    tag="245",
                    indicators=Indicators("1", "0"),
                    subfields=[Subfield("a", title + " /"), Subfield("c", "编著")],
                )
            )
            r.fields.append(
                Field(
                    tag="264",
                    indicators=Indicators(" ", "1"),
                    subfields=[
                        Subfield("a", place + " :"),
                        Subfield("b", publisher + ","),
                        Subfield("c", str(year)),
                    ],
                )
            )
            r.fields.append(
                Field(
                    tag="300",
                    indicators=Indicators(" ", " "),
                    subfields=[
                        Subfield("a", f"{rng.randint(50, 600)} p. ;"),
                        Subfield("c", "21 cm"),
                    ],
                )
            )
            r.fields.append(
                Field(
                    tag="520",
                    indicators=Indicators(" ", " "),
                    subfields=[Subfield("a", " ".join(rng.choice(words) for _ in range(30)))],
                )
            )
            for _ in range(rng.randint(1, 3)):
                r.fields.append(
                    Field(
                        tag="650",
                        indicators=Indicators(" ", "4"),
                        subfields=[
                            Subfield("a", rng.choice(words)),
                            Subfield("x", rng.choice(words)),
                        ],
                    )
                )
            out.write(r.as_marc())
    tmp.rename(path)


def bare_parse_rate(path: Path) -> tuple[int, float]:
    from pymarc import MARCReader

    start = time.perf_counter()
    count = 0
    with open(path, "rb") as handle:
        for record in MARCReader(handle, to_unicode=True, force_utf8=True):
            if record is not None:
                count += 1
    return count, count / (time.perf_counter() - start)


def worker(path: str, batch_size: int, parallel: bool | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shufang.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from shufang.catalogue.models import Item, Record, RecordIdentifier
    from shufang.catalogue.services.importing import marc_import
    from shufang.core.audit import Actor
    from shufang.core.models import AuditEvent

    Item.objects.all().delete()
    RecordIdentifier.objects.all().delete()
    Record.objects.all().delete()
    AuditEvent.objects.filter(object_type="catalogue.record").delete()
    from django.utils import timezone

    from shufang.catalogue.search.indexing import search_index_updated_since

    began = timezone.now()
    start = time.perf_counter()
    # The import proper, then (as marc_import does by default) the search indexing step,
    # timed apart so both figures are visible.
    report = marc_import(
        sources=[path],
        actor=Actor.importer("bench"),
        batch_size=batch_size,
        parallel=parallel,
        index_search=False,
    )
    elapsed = time.perf_counter() - start
    index_start = time.perf_counter()
    indexed = search_index_updated_since(began) if os.environ.get("BENCH_INDEX", "1") == "1" else 0
    index_elapsed = time.perf_counter() - index_start
    done = report.loaded + report.updated + report.skipped + report.rejected
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # largest finished child
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "loaded": report.loaded,
                "updated": report.updated,
                "rejected": report.rejected,
                "seconds": round(elapsed, 2),
                "rate": round(done / elapsed),
                "indexed": indexed,
                "index_seconds": round(index_elapsed, 2),
                "index_rate": round(indexed / index_elapsed) if indexed else 0,
                "rate_with_index": round(done / (elapsed + index_elapsed)),
                "maxrss_mb": round(own / 1024),
                "reader_maxrss_mb": round(reader / 1024),
            }
        )
    )


def run_child(path: Path, batch_size: int, parallel: str, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            str(path),
            "--batch-size",
            str(batch_size),
            "--parallel",
            parallel,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--parallel", choices=("auto", "yes", "no"), default="auto")
    parser.add_argument("--worker")
    parser.add_argument("--skip-parse", action="store_true")
    args = parser.parse_args()
    if args.worker:
        parallel = {"auto": None, "yes": True, "no": False}[args.parallel]
        worker(args.worker, args.batch_size, parallel)
        return
    OUT.mkdir(exist_ok=True)
    path = OUT / f"marc21-{args.records}.mrc"
    if not path.exists():
        start = time.perf_counter()
        generate(path, args.records)
        print(f"generated {path} in {time.perf_counter() - start:.1f}s")
    size_mb = path.stat().st_size / 1e6
    print(f"file: {path.name}, {args.records:,} records, {size_mb:.1f} MB")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.2f} before the run")
    parse_rate = 0.0
    if not args.skip_parse:
        count, parse_rate = bare_parse_rate(path)
        print(f"pymarc bare parse: {count:,} records, {parse_rate:,.0f} records/s")
    url = os.environ.get("SHUFANG_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if not url.startswith(("postgres://", "postgresql://")):
            env["SHUFANG_DATA_DIR"] = tmp
            env["SHUFANG_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        result = run_child(path, args.batch_size, args.parallel, env)
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(result["vendor"], result["vendor"])
    print(
        f"marc_import {name}: {result['rate']:,} records/s ({result['seconds']} s, loaded "
        f"{result['loaded']:,}, updated {result['updated']}, rejected {result['rejected']})"
    )
    if parse_rate:
        print(f"ratio import / bare parse: {result['rate'] / parse_rate:.2f}")
    if result["indexed"]:
        print(
            f"then search indexing: {result['indexed']:,} records in {result['index_seconds']} s "
            f"= {result['index_rate']:,}/s; import + indexing {result['rate_with_index']:,} "
            "records/s"
        )
    print(
        f"peak RSS: importer {result['maxrss_mb']} MB, reader process "
        f"{result['reader_maxrss_mb']} MB"
    )


if __name__ == "__main__":
    main()
