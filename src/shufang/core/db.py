"""Database connection hooks. SQLite settings (WAL, IMMEDIATE, busy timeout) are in the
settings' OPTIONS; nothing else is needed here yet, but the module is the place for them."""
