"""Readers, their cards, categories and consents.

The national ID number is never stored in clear: `id_number_encrypted` (Fernet, key from the
environment), `id_number_hash` (keyed HMAC, for look-up) and `id_number_masked` (for screens).
See `readers.identity`."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel


class CategoryKind(models.TextChoices):
    PERSON = "person", _("Person")
    GROUP = "group", _("Group or organisation")


class ReaderCategory(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=8, choices=CategoryKind.choices, default=CategoryKind.PERSON
    )
    juvenile = models.BooleanField(_("juvenile"), default=False)

    class Meta:
        verbose_name = _("reader category")
        verbose_name_plural = _("reader categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Reader(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        ReaderCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="readers",
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    home_service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("home service point"),
        on_delete=models.PROTECT,
        related_name="readers",
    )
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_hash = models.CharField(
        _("ID number look-up hash"), max_length=64, blank=True, editable=False
    )
    id_number_masked = models.CharField(_("ID number"), max_length=32, blank=True, editable=False)
    guardian = models.ForeignKey(
        "self",
        verbose_name=_("guardian (reader)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wards",
    )
    guardian_name = models.CharField(_("guardian name"), max_length=100, blank=True)
    guardian_phone = models.CharField(_("guardian phone"), max_length=32, blank=True)
    pin_hash = models.CharField(_("PIN (hashed)"), max_length=200, blank=True, editable=False)
    keep_loan_history = models.BooleanField(_("keep loan history"), default=False)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reader")
        verbose_name_plural = _("readers")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="reader_id_number_once",
            )
        ]
        # The partial unique index above is not used for look-ups by SQLite's planner.
        indexes = [models.Index(fields=["id_number_hash"], name="reader_id_hash_idx")]

    def __str__(self) -> str:
        return self.name


class CardStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    LOST = "lost", _("Lost")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


class Card(TimeStampedModel):
    """A reader card. A replacement card is a new Card on the same reader (`replaces` set), so
    the reader's history stays with the reader; it is not counted as a new card."""

    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="cards"
    )
    number = models.CharField(_("card number"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now, db_index=True)
    issued_at_service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("issued at service point"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_on = models.DateField(_("expires on"))
    status = models.CharField(
        _("status"), max_length=12, choices=CardStatus.choices, default=CardStatus.VALID
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")

    def __str__(self) -> str:
        return self.number


class ConsentKind(models.TextChoices):
    KEEP_LOAN_HISTORY = "keep_loan_history", _("Keep my loan history")
    NAMED_IN_RANKINGS = "named_in_rankings", _("Name me (masked) in borrowing rankings")
    NOTICES_SMS = "notices_sms", _("Send notices by SMS")
    NOTICES_WECHAT = "notices_wechat", _("Send notices by WeChat")
    NOTICES_EMAIL = "notices_email", _("Send notices by email")


class Consent(models.Model):
    """Each consent given or withdrawn is a row; the latest row per kind is in force."""

    reader = models.ForeignKey(
        Reader, verbose_name=_("reader"), on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ConsentKind.choices)
    granted = models.BooleanField(_("granted"))
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'✓' if self.granted else '✗'}"
