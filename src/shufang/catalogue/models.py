"""Bibliographic records (the original MARC kept, with extracted indexed fields) and items.

An item's `status` is changed only by the services in `catalogue.services.items`, following
the transition table in `catalogue.states`."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel


class MarcFlavour(models.TextChoices):
    MARC21 = "marc21", "MARC 21"
    CNMARC = "cnmarc", "CNMARC"


class MaterialType(models.TextChoices):
    BOOK = "book", _("Book")
    PERIODICAL = "periodical", _("Periodical")
    NEWSPAPER = "newspaper", _("Newspaper")
    AUDIOVISUAL = "audiovisual", _("Audio-visual")
    EBOOK = "ebook", _("E-book")


class Audience(models.TextChoices):
    JUVENILE = "juvenile", _("Children and young people")
    ADULT = "adult", _("Adults")
    GENERAL = "general", _("General")
    UNKNOWN = "unknown", _("Unknown")


class Record(TimeStampedModel):
    control_number = models.CharField(_("control number"), max_length=64, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    title_sort = models.CharField(_("title sort key"), max_length=500, blank=True, db_index=True)
    title_pinyin = models.CharField(_("title pinyin"), max_length=1000, blank=True)
    title_pinyin_initials = models.CharField(_("title pinyin initials"), max_length=200, blank=True)
    responsibility = models.CharField(_("statement of responsibility"), max_length=500, blank=True)
    authors = models.CharField(_("authors"), max_length=1000, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    place = models.CharField(_("place of publication"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    edition = models.CharField(_("edition"), max_length=200, blank=True)
    series = models.CharField(_("series"), max_length=500, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    issn = models.CharField(_("ISSN"), max_length=9, blank=True, db_index=True)
    clc = models.CharField(_("CLC class number"), max_length=64, blank=True, db_index=True)
    subjects = models.TextField(_("subjects"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    language = models.CharField(_("language"), max_length=3, blank=True)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.UNKNOWN
    )
    material_type = models.CharField(
        _("material type"), max_length=16, choices=MaterialType.choices, default=MaterialType.BOOK
    )
    price = models.CharField(_("price"), max_length=64, blank=True)
    # The record as received, untouched, with how it came: flavour, encoding, format.
    marc_original = models.BinaryField(_("original MARC"), blank=True, default=b"")
    marc_flavour = models.CharField(
        _("MARC flavour"), max_length=8, choices=MarcFlavour.choices, default=MarcFlavour.MARC21
    )
    marc_encoding = models.CharField(_("original encoding"), max_length=16, blank=True)
    marc_format = models.CharField(_("original format"), max_length=8, blank=True)
    # The same record decoded to Unicode, as UTF-8 ISO 2709: what edits and exports start from.
    marc = models.BinaryField(_("MARC (UTF-8)"), blank=True, default=b"")
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bibliographic record")
        verbose_name_plural = _("bibliographic records")

    def __str__(self) -> str:
        return self.title


class IdentifierScheme(models.TextChoices):
    ISBN = "isbn", "ISBN"
    ISSN = "issn", "ISSN"
    CONTROL = "control", _("Control number")


class RecordIdentifier(models.Model):
    """Every normalised identifier of a record (all its ISBNs, not only the first), for
    duplicate matching on import and exact look-up."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=8, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("record identifier")
        verbose_name_plural = _("record identifiers")
        indexes = [models.Index(fields=["scheme", "value"])]
        constraints = [
            models.UniqueConstraint(fields=["record", "scheme", "value"], name="identifier_once")
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class Collection(TimeStampedModel):
    """A part of the holdings with its own lending character: adult lending, children's,
    local documents (not for loan), reference (not for loan), periodicals."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    loanable = models.BooleanField(_("loanable"), default=True)
    juvenile = models.BooleanField(_("juvenile collection"), default=False)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class AcquisitionSource(models.TextChoices):
    READER_SUGGESTION = "reader_suggestion", _("Reader suggestion")
    PURCHASE = "purchase", _("Ordinary purchase")
    LOCAL_DOCUMENTS = "local_documents", _("Local documents")
    DONATION = "donation", _("Donation")
    EXCHANGE = "exchange", _("Exchange or allocation")
    LEGACY = "legacy", _("Migrated from a previous system")


class ItemStatus(models.TextChoices):
    IN_PROCESSING = "in_processing", _("In processing")
    AVAILABLE = "available", _("Available")
    ON_LOAN = "on_loan", _("On loan")
    IN_TRANSIT = "in_transit", _("In transit")
    ON_HOLD_SHELF = "on_hold_shelf", _("On hold shelf")
    IN_QUARANTINE = "in_quarantine", _("In quarantine")
    MISSING = "missing", _("Missing")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Item(TimeStampedModel):
    barcode = models.CharField(_("barcode"), max_length=32, unique=True)
    record = models.ForeignKey(
        Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="items"
    )
    owning_library = models.ForeignKey(
        "network.Library",
        verbose_name=_("owning library"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    home_service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("home service point"),
        on_delete=models.PROTECT,
        related_name="home_items",
    )
    current_service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("current location"),
        on_delete=models.PROTECT,
        related_name="current_items",
    )
    collection = models.ForeignKey(
        Collection, verbose_name=_("collection"), on_delete=models.PROTECT, related_name="items"
    )
    call_number = models.CharField(_("call number"), max_length=64, blank=True)
    call_number_sort = models.CharField(
        _("call number sort key"), max_length=200, blank=True, db_index=True
    )
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    acquisition_source = models.CharField(
        _("acquisition source"),
        max_length=20,
        choices=AcquisitionSource.choices,
        default=AcquisitionSource.PURCHASE,
    )
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ItemStatus.choices,
        default=ItemStatus.IN_PROCESSING,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    properties = models.CharField(
        _("item properties"),
        max_length=255,
        blank=True,
        help_text=_(
            "What a self-service or sorting machine keeps about the copy (SIP2 item "
            "properties, e.g. an accompanying disc); shown back to machines."
        ),
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        indexes = [models.Index(fields=["record", "status"])]

    def __str__(self) -> str:
        return self.barcode


from shufang.catalogue.search.models import SearchDocument  # noqa: E402, F401  (the search index)
