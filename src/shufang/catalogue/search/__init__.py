"""Chinese-first catalogue search: one tokenizer in Python, an index table matched by SQLite
FTS5 or PostgreSQL full text search, the same results on both (docs/decisions/0006-search.md)."""
