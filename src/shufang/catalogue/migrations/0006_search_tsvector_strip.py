"""PostgreSQL: the stored tsvector without word positions (`strip`): phrases are checked on the
stored text, never by positions, and the narrower rows make the bitmap scans over large match
sets read fewer pages (docs/decisions/0006-search.md)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalogue_searchdocument_tsv_gin")
    schema_editor.execute("ALTER TABLE catalogue_searchdocument DROP COLUMN doc_tsv")
    schema_editor.execute(
        "ALTER TABLE catalogue_searchdocument ADD COLUMN doc_tsv tsvector"
        " GENERATED ALWAYS AS (strip(to_tsvector('simple'::regconfig, doc))) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX catalogue_searchdocument_tsv_gin ON catalogue_searchdocument"
        " USING gin (doc_tsv)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalogue_searchdocument_tsv_gin")
    schema_editor.execute("ALTER TABLE catalogue_searchdocument DROP COLUMN doc_tsv")
    schema_editor.execute(
        "ALTER TABLE catalogue_searchdocument ADD COLUMN doc_tsv tsvector"
        " GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, doc)) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX catalogue_searchdocument_tsv_gin ON catalogue_searchdocument"
        " USING gin (doc_tsv)"
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_search_fts_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
