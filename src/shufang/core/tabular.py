"""Reading spreadsheets for imports: CSV (UTF-8 with or without BOM, or GB18030, detected)
and XLSX (first sheet, read-only), row by row, with the line number each row came from.

Column names are normalised through a per-import alias table, so a file may use English or
Chinese headings (`name` / `姓名`). Missing required columns are reported before any row is
read, so nothing is loaded from a file that cannot be loaded completely."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from shufang.core.exceptions import ValidationFailed


class TabularError(ValidationFailed):
    code = "tabular_invalid"


class MissingColumns(TabularError):
    code = "missing_columns"


@dataclass(frozen=True)
class TabularRow:
    """One data row: `line` is the line (CSV) or row (XLSX) number a person sees, counting
    the heading as line 1; `values` maps canonical column names to stripped text."""

    line: int
    values: dict[str, str]

    def get(self, column: str, default: str = "") -> str:
        return self.values.get(column, default)


def _key(name: str) -> str:
    """Headings compare without case, spaces, underscores, hyphens or full-width brackets."""
    key = name.strip().lstrip("\ufeff").casefold()
    for char in " _-\u3000*":
        key = key.replace(char, "")
    return key.replace("（", "(").replace("）", ")")


def normalise_header(header: Iterable[str], aliases: Mapping[str, Iterable[str]]) -> list[str]:
    """Canonical names for the given headings. `aliases` maps each canonical name to its
    accepted spellings (the canonical name itself is always accepted). Unknown headings are
    kept as they are (stripped), so they can be reported or ignored."""
    lookup: dict[str, str] = {}
    for canonical, names in aliases.items():
        lookup[_key(canonical)] = canonical
        for name in names:
            lookup[_key(name)] = canonical
    return [lookup.get(_key(h), h.strip()) for h in header]


def missing_columns(header: Iterable[str], required: Iterable[str]) -> list[str]:
    present = set(header)
    return [column for column in required if column not in present]


def _decode(data: bytes, encoding: str) -> str:
    if encoding != "auto":
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise _undecodable(data, exc, encoding) from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _undecodable(data[3:], exc, "UTF-8") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        # UTF-8 Chinese before the bad byte means a UTF-8 file with a damaged line, not a
        # GB18030 file: GB18030 would "decode" it into nonsense.
        if any(b >= 0x80 for b in data[: utf8_error.start]):
            raise _undecodable(data, utf8_error, "UTF-8") from None
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _undecodable(data, exc, "UTF-8 / GB18030") from None


def _undecodable(data: bytes, error: UnicodeDecodeError, encoding: str) -> TabularError:
    line = data[: error.start].count(b"\n") + 1
    return TabularError(
        _("Line %(line)d cannot be read as %(enc)s (byte %(byte)s). Save the file as UTF-8.")
        % {"line": line, "enc": encoding, "byte": data[error.start : error.start + 1].hex()},
        line=line,
    )


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    text = _decode(path.read_bytes(), encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    previous_end = 0
    for row in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        yield start, row


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time.min:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Spreadsheets store barcodes and phone numbers as numbers: 12345.0 -> "12345".
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        raise TabularError(
            _("%(file)s is not a readable XLSX workbook.") % {"file": path.name}
        ) from exc
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in row]
    finally:
        book.close()


def _raw_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _csv_rows(path, encoding)
    raise TabularError(
        _("%(file)s: only .csv and .xlsx files can be imported.") % {"file": path.name}
    )


def read_header(path: Path, aliases: Mapping[str, Iterable[str]] | None = None) -> list[str]:
    """The file's headings, normalised."""
    for _line, raw in _raw_rows(Path(path), "auto"):
        if any(cell.strip() for cell in raw):
            return normalise_header(raw, aliases or {})
    return []


def iter_rows(
    path: Path,
    *,
    aliases: Mapping[str, Iterable[str]] | None = None,
    required: Iterable[str] = (),
    encoding: str = "auto",
) -> Iterator[TabularRow]:
    """The data rows of a CSV or XLSX file, the first non-blank row being the heading.

    Blank rows are skipped. Raises MissingColumns (naming them, in the file's terms and the
    canonical ones) before yielding anything when a required column is absent, and
    TabularError on an unreadable file or an undecodable line."""
    path = Path(path)
    rows = _raw_rows(path, encoding)
    header: list[str] | None = None
    for line, raw in rows:
        if not any(cell.strip() for cell in raw):
            continue
        if header is None:
            header = normalise_header(raw, aliases or {})
            missing = missing_columns(header, required)
            if missing:
                raise MissingColumns(
                    _("%(file)s lacks the required column(s): %(cols)s.")
                    % {"file": path.name, "cols": ", ".join(_described(missing, aliases))},
                    columns=missing,
                )
            continue
        values = {
            name: (raw[i].strip() if i < len(raw) else "") for i, name in enumerate(header) if name
        }
        yield TabularRow(line=line, values=values)
    if header is None:
        missing = list(required)
        if missing:
            raise MissingColumns(
                _("%(file)s is empty: no heading row.") % {"file": path.name}, columns=missing
            )


def _described(columns: list[str], aliases: Mapping[str, Iterable[str]] | None) -> list[str]:
    out = []
    for column in columns:
        names = [n for n in (aliases or {}).get(column, ()) if n != column]
        out.append(f"{column} ({' / '.join(names)})" if names else column)
    return out


# --- loading rows ------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


def parse_date(text: str, column: str) -> dt.date | None:
    """A date written as 2020-05-01, 2020/5/1, 2020.05.01, 20200501 or 2020年5月1日; None
    when empty."""
    text = text.strip()
    if not text:
        return None
    if " " in text or "T" in text:  # a datetime: keep its date
        text = text.replace("T", " ").split(" ", 1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValidationFailed(
        _("%(col)s: “%(text)s” is not a date (write 2020-05-01).") % {"col": column, "text": text},
        field=column,
    )


def parse_datetime(text: str, column: str) -> dt.datetime | None:
    """A local date and time (a date alone means midnight), made aware; None when empty."""
    from django.utils import timezone

    text = text.strip().replace("T", " ")
    if not text:
        return None
    for fmt in _DATETIME_FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(text, fmt))  # noqa: DTZ007
        except ValueError:
            continue
    day = parse_date(text, column)
    assert day is not None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class ImportResult:
    """What an import did: rows loaded, rows rejected with their line and reason."""

    loaded: int = 0
    rejected: list[RowError] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.loaded + len(self.rejected)

    def summary(self) -> str:
        return str(
            _("%(total)d rows: %(loaded)d loaded, %(rejected)d rejected.")
            % {"total": self.total, "loaded": self.loaded, "rejected": len(self.rejected)}
        )


def load_rows(
    rows: Iterable[TabularRow],
    load_one: Callable[[TabularRow], object],
    *,
    chunk: int = 500,
    on_row: Callable[[TabularRow, RowError | None], None] | None = None,
) -> ImportResult:
    """Calls `load_one` for each row inside its own savepoint: a row that raises a
    ShufangError or a database error leaves nothing behind and is reported with its line;
    the other rows are loaded. Rows are committed in chunks of `chunk` (one transaction
    each), so a large file neither holds one huge transaction nor commits row by row."""
    from django.db import DatabaseError, transaction

    from shufang.core.exceptions import ShufangError

    result = ImportResult()
    iterator = iter(rows)
    finished = False
    while not finished:
        with transaction.atomic():
            for _count in range(chunk):
                try:
                    row = next(iterator)
                except StopIteration:
                    finished = True
                    break
                error: RowError | None = None
                try:
                    with transaction.atomic():
                        load_one(row)
                except ShufangError as exc:
                    error = RowError(row.line, str(exc.message))
                except DatabaseError as exc:
                    error = RowError(row.line, str(exc).strip().splitlines()[0][:300])
                if error is None:
                    result.loaded += 1
                else:
                    result.rejected.append(error)
                if on_row is not None:
                    on_row(row, error)
    return result


def count_rows(path: Path) -> int:
    """Data rows in a file (non-blank rows after the heading), for a progress total."""
    rows = [raw for _line, raw in _raw_rows(Path(path), "auto") if any(c.strip() for c in raw)]
    return max(len(rows) - 1, 0)


def run_import_command(
    *,
    path: Path,
    load: Callable[..., ImportResult],
    stdout: Any,
    label: str,
) -> ImportResult:
    """What an import command does around its service: a progress bar with rate and ETA on
    a terminal (quiet lines every 1000 rows otherwise), then the rejected rows and a summary.
    `load(on_row=...)` runs the import."""
    import sys

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    total = count_rows(path)
    interactive = sys.stdout.isatty()
    if interactive:
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]} rows/s"),
            TimeRemainingColumn(),
            console=Console(),
        )
        task = progress.add_task(label, total=total, rate="-")
        with progress:

            def tick(row: TabularRow, error: RowError | None) -> None:
                progress.advance(task)
                speed = progress.tasks[0].speed
                progress.update(task, rate=f"{speed:.0f}" if speed else "-")

            result = load(on_row=tick)
    else:
        done = 0

        def tick(row: TabularRow, error: RowError | None) -> None:
            nonlocal done
            done += 1
            if done % 1000 == 0:
                stdout.write(f"{label}: {done}/{total}")

        result = load(on_row=tick)
    for error in result.rejected:
        stdout.write(f"line {error.line}: {error.reason}")
    stdout.write(result.summary())
    return result
