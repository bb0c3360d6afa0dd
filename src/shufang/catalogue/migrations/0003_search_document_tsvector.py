"""PostgreSQL: match a stored tsvector column instead of an expression index, so that neither
the index recheck nor the relevance features re-parse `doc` for every candidate row."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalogue_searchdocument_doc_gin")
    schema_editor.execute(
        "ALTER TABLE catalogue_searchdocument ADD COLUMN doc_tsv tsvector"
        " GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, doc)) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX catalogue_searchdocument_tsv_gin ON catalogue_searchdocument"
        " USING gin (doc_tsv)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE catalogue_searchdocument DROP COLUMN doc_tsv")
    schema_editor.execute(
        "CREATE INDEX catalogue_searchdocument_doc_gin ON catalogue_searchdocument"
        " USING gin (to_tsvector('simple'::regconfig, doc))"
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_search_document")]
    operations = [migrations.RunPython(forwards, backwards)]
