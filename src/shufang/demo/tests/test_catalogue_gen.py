from __future__ import annotations

from pymarc import MARCReader
from stdnum import isbn as stdnum_isbn

from shufang.catalogue.marc.extract import extract_fields
from shufang.demo import catalogue_gen as gen

SHELVES = [
    gen.Shelf("CN-530700-PL-001", "CN-530700-MAIN", "LJ", 6),
    gen.Shelf("CN-530721-PL-001", "CN-530721-MAIN", "YL", 1),
]


def test_generated_books_are_the_same_for_the_same_seed():
    first = [(b.title, b.isbn) for b in gen.generate_books(count=50, items=150, shelves=SHELVES)]
    again = [(b.title, b.isbn) for b in gen.generate_books(count=50, items=150, shelves=SHELVES)]
    other = [
        (b.title, b.isbn) for b in gen.generate_books(count=50, items=150, shelves=SHELVES, seed=1)
    ]
    assert first == again
    assert first != other


def test_generated_isbns_are_valid_unique_and_chinese_for_chinese_books():
    books = list(gen.generate_books(count=2000, items=6000, shelves=SHELVES))
    isbns = [b.isbn for b in books if b.isbn]
    assert all(stdnum_isbn.is_valid(i) for i in isbns)
    assert len(set(isbns)) == len(isbns)
    assert all(b.isbn.startswith("9787") for b in books if b.flavour == "cnmarc" and b.isbn)
    barcodes = [h.barcode for b in books for h in b.holdings]
    assert len(set(barcodes)) == len(barcodes)


def test_the_full_scale_catalogue_has_enough_isbns_for_every_book():
    # given the full collection (95,000 titles, 284,500 copies): publishers whose ISBN range
    # is used up hand over to the next one, so every ISBN is still valid and unique
    books = list(gen.generate_books(count=95_000, items=284_500, shelves=SHELVES))
    isbns = [b.isbn for b in books if b.isbn]

    assert len(books) == 95_000
    assert len(set(isbns)) == len(isbns)
    assert all(stdnum_isbn.is_valid(i) for i in isbns[::97])


def test_cnmarc_record_reads_back_with_title_clc_audience_and_holdings():
    book = next(
        b
        for b in gen.generate_books(count=300, items=900, shelves=SHELVES)
        if b.clc == "I287.8" and b.flavour == "cnmarc"
    )
    record = next(iter(MARCReader(gen.to_cnmarc(book).as_marc(), to_unicode=True, force_utf8=True)))
    fields = extract_fields(record, "cnmarc")
    assert (fields.title, fields.clc, fields.audience, fields.isbn) == (
        book.title,
        "I287.8",
        "juvenile",
        book.isbn,
    )
    assert [h.barcode for h in fields.holdings] == [h.barcode for h in book.holdings]
    assert fields.holdings[0].call_number == f"I287.8/{book.book_number}"
    assert fields.holdings[0].location == "JUV"


def test_marc21_record_reads_back_with_clc_from_084():
    book = next(
        b
        for b in gen.generate_books(count=300, items=900, shelves=SHELVES)
        if b.flavour == "marc21"
    )
    record = next(iter(MARCReader(gen.to_marc21(book).as_marc(), to_unicode=True, force_utf8=True)))
    fields = extract_fields(record, "marc21")
    assert (fields.title, fields.clc, fields.language, fields.isbn) == (
        book.title,
        book.clc,
        "eng",
        book.isbn,
    )
    assert [h.barcode for h in fields.holdings] == [h.barcode for h in book.holdings]
