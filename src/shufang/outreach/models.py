"""Outreach: what the library records about its reading points, mobile rooms, e-book machines
and kiosks (the places themselves are network.ServicePoint rows of those kinds, with host
organisation, contact and opening date), and its guidance of the county libraries."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel

OUTREACH_KINDS = ("reading_point", "mobile_room", "deposit_site")
DEVICE_KINDS = ("ebook_machine", "kiosk")


class Device(TimeStampedModel):
    """An e-book machine or kiosk's equipment details."""

    service_point = models.OneToOneField(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.CASCADE,
        related_name="device",
    )
    location = models.CharField(_("location"), max_length=300)
    vendor = models.CharField(_("vendor"), max_length=200)
    model_name = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.service_point} · {self.vendor}"


class VisitKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    GUIDANCE = "guidance", _("Guidance")
    DELIVERY = "delivery", _("Book delivery or rotation")
    TRAINING = "training", _("Training")


class OutreachVisit(TimeStampedModel):
    """A visit to a reading point or mobile room, and the guidance given there."""

    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("outreach point"),
        on_delete=models.PROTECT,
        related_name="outreach_visits",
    )
    visited_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=VisitKind.choices)
    staff = models.CharField(_("staff"), max_length=200, blank=True)
    summary = models.TextField(_("guidance given"), blank=True)

    class Meta:
        verbose_name = _("outreach visit")
        verbose_name_plural = _("outreach visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.service_point}"


class DeviceState(models.TextChoices):
    WORKING = "working", _("Working")
    FAULTY = "faulty", _("Faulty")
    OFFLINE = "offline", _("Offline")


class DeviceCheck(TimeStampedModel):
    """One entry of an e-book machine's or kiosk's check log."""

    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        related_name="device_checks",
    )
    checked_on = models.DateField(_("checked on"))
    state = models.CharField(_("state"), max_length=12, choices=DeviceState.choices)
    fault = models.CharField(_("fault"), max_length=300, blank=True)
    fix = models.CharField(_("fix"), max_length=300, blank=True)
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("device check")
        verbose_name_plural = _("device checks")
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fixed_on__isnull=True) | Q(fixed_on__gte=models.F("checked_on")),
                name="device_check_fixed_after_check",
            )
        ]

    def __str__(self) -> str:
        return f"{self.checked_on} {self.service_point} {self.state}"


class GuidanceKind(models.TextChoices):
    VISIT = "visit", _("Guidance visit")
    TRAINING = "training", _("Training")
    SURVEY = "survey", _("Survey")


class CountyGuidance(TimeStampedModel):
    """Guidance visits and training the city library gives a county or district library."""

    library = models.ForeignKey(
        "network.Library",
        verbose_name=_("guiding library"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    county_library = models.ForeignKey(
        "network.Library",
        verbose_name=_("county library"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=GuidanceKind.choices)
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=300)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("county guidance")
        verbose_name_plural = _("county guidance")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"
