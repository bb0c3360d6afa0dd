"""The search index: one row per (non-deleted) bibliographic record.

`doc` holds the record's search tokens (ASCII, space-separated, made by
`catalogue.search.text`); SQLite matches it through the FTS5 table `catalogue_search_fts`,
PostgreSQL through a GIN index on the generated column `doc_tsv` (both made by the migration).
The `*_text` columns hold the normalised text of each field for phrase and exact checks;
the other columns are facets and sort keys. Availability is never stored here: it is read
from the items at query time, so circulation cannot make it stale."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    record = models.OneToOneField(
        "catalogue.Record",
        verbose_name=_("record"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    doc = models.TextField(_("search tokens"))
    title_key = models.TextField(_("normalised title"), blank=True)
    title_text = models.TextField(blank=True)
    author_text = models.TextField(blank=True)
    subject_text = models.TextField(blank=True)
    series_text = models.TextField(blank=True)
    publisher_text = models.TextField(blank=True)
    other_text = models.TextField(blank=True)
    title_order = models.CharField(max_length=200, blank=True, db_index=True)
    call_number_order = models.CharField(max_length=200, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    # The year, 0 when unknown: relevance ties go to newer records, so large result sets are
    # read in this order from an index instead of being sorted (same NULL-free order on both
    # databases).
    year_key = models.PositiveSmallIntegerField(default=0)
    material_type = models.CharField(max_length=16, blank=True, db_index=True)
    language = models.CharField(max_length=3, blank=True, db_index=True)
    audience = models.CharField(max_length=16, blank=True, db_index=True)
    clc_class = models.CharField(max_length=2, blank=True, db_index=True)

    class Meta:
        app_label = "catalogue"
        db_table = "catalogue_searchdocument"
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            # Walking large result sets newest first (relevance ties, sort by year).
            models.Index(fields=["-year_key", "record"], name="catalogue_sd_year_walk"),
            # Facet counts over many matches read this narrow index, never the wide rows.
            models.Index(
                fields=["record", "material_type", "language", "year_key", "clc_class", "audience"],
                name="catalogue_sd_facets",
            ),
        ]

    def __str__(self) -> str:
        return f"search document {self.pk}"
