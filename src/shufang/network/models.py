"""The library system (总分馆体系), its member libraries and their service points, with the
network calendar: weekly opening hours and dated exceptions (holidays, closures)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel


class LibrarySystem(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("library system")
        verbose_name_plural = _("library systems")

    def __str__(self) -> str:
        return self.name


class LibraryKind(models.TextChoices):
    CITY = "city", _("City library")
    DISTRICT = "district", _("District library")
    COUNTY = "county", _("County library")
    OTHER = "other", _("Other")


class Library(TimeStampedModel):
    """A member library with its own staff and collection."""

    system = models.ForeignKey(
        LibrarySystem,
        verbose_name=_("library system"),
        on_delete=models.PROTECT,
        related_name="libraries",
    )
    code = models.CharField(_("ISIL code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=LibraryKind.choices)
    admin_area_code = models.CharField(_("administrative area code"), max_length=6, blank=True)
    host_organisation = models.CharField(_("host organisation"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    service_population = models.PositiveIntegerField(_("service population"), null=True, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServicePointKind(models.TextChoices):
    MAIN = "main", _("Main building")
    BRANCH = "branch", _("Branch")
    COUNTY_LIBRARY = "county_library", _("County library")
    MOBILE_ROOM = "mobile_room", _("Mobile library room")
    READING_POINT = "reading_point", _("Public reading point")
    STUDY_ROOM = "study_room", _("City study room (24-hour)")
    KIOSK = "kiosk", _("Self-service kiosk")
    EBOOK_MACHINE = "ebook_machine", _("E-book machine")
    DEPOSIT_SITE = "deposit_site", _("Temporary deposit site")


class ServicePoint(TimeStampedModel):
    """Any place a reader is served: a building, a branch, a room, a kiosk."""

    library = models.ForeignKey(
        Library, verbose_name=_("library"), on_delete=models.PROTECT, related_name="service_points"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ServicePointKind.choices)
    host_organisation = models.CharField(_("host organisation"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period on a weekday; a day may have several (e.g. morning and afternoon).
    `closes` of 24:00 is written as 00:00 with `closes_next_day`... kept simple: a 24-hour
    service point has opens=00:00 and closes=23:59:59."""

    service_point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("service point"),
        on_delete=models.CASCADE,
        related_name="opening_hours",
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["service_point", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="hours_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class CalendarExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    CLOSURE = "closure", _("Closure")
    SPECIAL_HOURS = "special_hours", _("Special opening hours")


class CalendarException(TimeStampedModel):
    """A dated exception to the weekly hours, for one service point, one library or (both
    empty) the whole network: a public holiday, an emergency closure, special hours."""

    kind = models.CharField(_("kind"), max_length=16, choices=CalendarExceptionKind.choices)
    library = models.ForeignKey(
        Library, verbose_name=_("library"), null=True, blank=True, on_delete=models.CASCADE
    )
    service_point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (inclusive)"))
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="exception_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}–{self.end_date}: {self.reason}"
