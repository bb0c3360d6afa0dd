"""SQLite: keep the FTS5 table in step with the index table by triggers, so that rows deleted
by anything (a cascade from a deleted record, a test database flush) leave the match index
too; the engine then counts and ranks from the match index alone (docs/decisions/0006)."""

from django.db import migrations

TRIGGERS = (
    "CREATE TRIGGER catalogue_sd_fts_insert AFTER INSERT ON catalogue_searchdocument BEGIN"
    " INSERT INTO catalogue_search_fts (rowid, doc) VALUES (new.record_id, new.doc); END",
    "CREATE TRIGGER catalogue_sd_fts_delete AFTER DELETE ON catalogue_searchdocument BEGIN"
    " INSERT INTO catalogue_search_fts (catalogue_search_fts, rowid, doc)"
    " VALUES ('delete', old.record_id, old.doc); END",
    "CREATE TRIGGER catalogue_sd_fts_update AFTER UPDATE OF doc ON catalogue_searchdocument BEGIN"
    " INSERT INTO catalogue_search_fts (catalogue_search_fts, rowid, doc)"
    " VALUES ('delete', old.record_id, old.doc);"
    " INSERT INTO catalogue_search_fts (rowid, doc) VALUES (new.record_id, new.doc); END",
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in TRIGGERS:
        schema_editor.execute(sql)
    # Whatever the FTS table held, make it match the index table exactly.
    schema_editor.execute(
        "INSERT INTO catalogue_search_fts (catalogue_search_fts) VALUES ('rebuild')"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS catalogue_sd_fts_{name}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_search_document_walk_and_facets")]
    operations = [migrations.RunPython(forwards, backwards)]
