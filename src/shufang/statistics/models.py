"""Gate counters and their daily counts (visits), and the narrative text blocks staff write
for each year's report. Everything else the statistics app shows is computed from the records
of the other apps."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel


class Entrance(TimeStampedModel):
    """An entrance of a service point with (or without) a gate counter."""

    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="entrances",
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100, blank=True)
    has_counter = models.BooleanField(_("has a gate counter"), default=True)

    class Meta:
        verbose_name = _("entrance")
        verbose_name_plural = _("entrances")
        constraints = [
            models.UniqueConstraint(fields=["service_point", "code"], name="entrance_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_point_id}/{self.code}"


class VisitSource(models.TextChoices):
    GATE = "gate", _("Gate counter")
    HEADCOUNT = "headcount", _("Staff head-count")


class VisitCount(TimeStampedModel):
    """Physical entries at one service point on one day, from one source (and one entrance,
    or none for a head-count of the whole service point). Re-importing or re-entering the
    same service point, entrance, day and source replaces the count."""

    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="visit_counts",
    )
    entrance = models.ForeignKey(
        Entrance,
        verbose_name=_("entrance"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="counts",
    )
    day = models.DateField(_("day"), db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=VisitSource.choices)
    count = models.PositiveIntegerField(_("visits"))

    class Meta:
        verbose_name = _("visit count")
        verbose_name_plural = _("visit counts")
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "entrance", "day", "source"],
                name="visit_count_unique_entrance",
                condition=Q(entrance__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["service_point", "day", "source"],
                name="visit_count_unique_point",
                condition=Q(entrance__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_point_id} {self.day} {self.source}: {self.count}"


class ReportSection(models.TextChoices):
    """Where a narrative block goes in the annual report (the library's own structure)."""

    INTRODUCTION = "introduction", _("Introduction")
    READER_SERVICES = "reader_services", _("Reader services")
    COLLECTION = "collection", _("Collection building")
    EVENTS = "events", _("Reading promotion and events")
    OUTREACH = "outreach", _("Outreach and the branch network")
    PUBLICITY = "publicity", _("Publicity")
    EPIDEMIC = "epidemic", _("Epidemic response")
    RESULTS = "results", _("Results and awards")
    PROBLEMS = "problems", _("Problems")
    PLAN = "plan", _("Next year's plan")


class ReportText(TimeStampedModel):
    """A paragraph (or several) staff write for one section of one year's report, for the
    whole network (library empty) or one library."""

    year = models.PositiveSmallIntegerField(_("year"))
    section = models.CharField(_("section"), max_length=32, choices=ReportSection.choices)
    library = models.ForeignKey(
        "network.Library",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "section", "library"],
                name="report_text_unique_library",
                condition=Q(library__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["year", "section"],
                name="report_text_unique_network",
                condition=Q(library__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.section}"


class EbookHolding(TimeStampedModel):
    """E-books owned (自购电子书), as a ledger value: a count of titles a library holds on its
    e-book platforms from a date on (the platforms' own statements). E-books are not items, so
    they are never counted from the catalogue; the figure at a date is each library's latest
    entry on or before it."""

    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    as_of = models.DateField(_("as of"))
    titles = models.PositiveIntegerField(_("titles"))
    platform = models.CharField(_("platform"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("e-book holding")
        verbose_name_plural = _("e-book holdings")
        constraints = [
            models.UniqueConstraint(
                fields=["library", "as_of", "platform"], name="ebook_holding_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.library_id} {self.as_of}: {self.titles}"
