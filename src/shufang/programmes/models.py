"""Reader programmes: numbered series, events, registrations, awards and book swap days."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel


class EventKind(models.TextChoices):
    LECTURE = "lecture", _("Lecture")
    CLASS = "class", _("Open class")
    STORY = "story", _("Story session")
    FILM = "film", _("Film screening")
    EXHIBITION = "exhibition", _("Exhibition")
    CAMPAIGN = "campaign", _("Reading campaign")
    CONTEST = "contest", _("Contest")
    CEREMONY = "ceremony", _("Ceremony")
    VISIT = "visit", _("Visit")
    TRAINING = "training", _("Training")
    BOOK_SWAP = "book_swap", _("Book swap day")


class Audience(models.TextChoices):
    ALL = "all", _("Everyone")
    CHILDREN = "children", _("Children")
    TEENAGERS = "teenagers", _("Teenagers")
    ADULTS = "adults", _("Adults")
    FAMILIES = "families", _("Families")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")


class Series(TimeStampedModel):
    """A numbered series (天雨流芳文化讲坛, 丽图周末故事会). Numbers are allocated by
    `series_number_next` under a lock on this row; `first_number` lets a series that began
    before the system continue its numbering (the 2020 lectures are the 36th and 37th)."""

    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind of event"), max_length=16, choices=EventKind.choices)
    number_format = models.CharField(
        _("number format"), max_length=40, default="第{n}期", help_text=_("e.g. 第{n}讲")
    )
    first_number = models.PositiveIntegerField(_("first number"), default=1)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(TimeStampedModel):
    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    number = models.PositiveIntegerField(_("number in series"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    online = models.BooleanField(_("online"), default=False)
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    room = models.CharField(_("room"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    audience = models.CharField(
        _("audience"), max_length=12, choices=Audience.choices, default=Audience.ALL
    )
    organisers = models.CharField(_("organisers"), max_length=300, blank=True)
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    speaker = models.CharField(_("speaker"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    registration_open = models.BooleanField(_("registration open"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    # Set by `event_mode_check` when the venue's service mode forbids gatherings that day.
    suspended = models.BooleanField(_("suspended by service mode"), default=False)
    head_count = models.PositiveIntegerField(_("head-count"), null=True, blank=True)
    online_views = models.PositiveIntegerField(_("online views"), null=True, blank=True)
    online_participants = models.PositiveIntegerField(
        _("online participants"), null=True, blank=True
    )
    books_brought = models.PositiveIntegerField(_("books brought"), null=True, blank=True)
    books_exchanged = models.PositiveIntegerField(_("books exchanged"), null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="event_series_number_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.numbered_title}"

    @property
    def number_label(self) -> str:
        if self.series is None or self.number is None:
            return ""
        return self.series.number_format.replace("{n}", str(self.number))

    @property
    def numbered_title(self) -> str:
        if self.series is not None and self.number_label:
            return f"{self.series.name} {self.number_label} {self.title}"
        return self.title

    @property
    def local_start(self) -> object:
        return timezone.localtime(self.starts_at)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    reader = models.ForeignKey(
        "readers.Reader",
        verbose_name=_("reader"),
        on_delete=models.PROTECT,
        related_name="event_registrations",
    )
    channel = models.CharField(_("channel"), max_length=16)
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "reader"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_reader",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.reader_id} {self.status}"


class AwardKind(models.TextChoices):
    BORROWING_STAR = "borrowing_star", _("Borrowing star (借阅之星)")
    DILIGENT_STAR = "diligent_star", _("Diligent learner star (勤学之星)")
    POPULAR_YOUNG_READER = "popular_young_reader", _("Popular young reader online (网络人气小读者)")
    BORROWING_EXPERT = "borrowing_expert", _("Borrowing expert (借阅达人)")
    PRIZE = "prize", _("Other prize")


class Award(TimeStampedModel):
    """An award to a reader. The recipient is a reader record when there is one; the name is
    kept masked (张*涵) for winners who are not registered readers."""

    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AwardKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    awarded_on = models.DateField(_("awarded on"))
    reader = models.ForeignKey(
        "readers.Reader",
        verbose_name=_("reader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_name = models.CharField(_("recipient (masked)"), max_length=100, blank=True)
    contest = models.CharField(_("contest"), max_length=300, blank=True)
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="awards",
    )
    awarding_body = models.CharField(_("awarding body"), max_length=200)
    prize = models.CharField(_("prize"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.recipient_name}"
